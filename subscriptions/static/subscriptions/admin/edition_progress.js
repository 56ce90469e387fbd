// The edition progress page (subscriptions.admin_progress): poll the JSON endpoint and update the numbers and the
// bar in place. Without this script the page shows the same numbers and a reload link.
(function () {
  "use strict";
  var box = document.getElementById("edition-progress");
  if (!box || !box.dataset.pollUrl) { return; }
  var parts = ["sent", "skipped", "failed", "retrying", "queued"];
  var bar = box.querySelector("svg.edition-progress");
  var width = bar ? bar.viewBox.baseVal.width : 0;

  function update(data) {
    box.querySelectorAll("[data-progress]").forEach(function (element) {
      var key = element.getAttribute("data-progress");
      if (key in data && data[key] !== null) { element.textContent = String(data[key]); }
    });
    var x = 0;
    parts.forEach(function (part) {
      var share = data.total ? (data[part] / data.total) * width : 0;
      var rect = box.querySelector('rect[data-part="' + part + '"]');
      if (rect) {
        rect.setAttribute("x", x.toFixed(2));
        rect.setAttribute("width", share.toFixed(2));
        var tip = rect.querySelector("title");
        if (tip) { tip.textContent = part + ": " + data[part]; }
      }
      var legend = box.querySelector('text[data-legend="' + part + '"]');
      if (legend) { legend.textContent = part + ": " + data[part]; }
      x += share;
    });
    var asOf = document.getElementById("progress-as-of");
    if (asOf) { asOf.textContent = "Numbers as of " + new Date().toLocaleTimeString() + ". They refresh by themselves."; }
  }

  function poll() {
    fetch(box.dataset.pollUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        update(data);
        if (data.status === "sending" || data.status === "paused") {
          window.setTimeout(poll, 2000);
        } else {
          window.location.reload(); // finished: the page now shows the report
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
