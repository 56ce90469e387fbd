// Checkout order summary: when the shopper picks another carrier, the shipping line and the total follow at once.
// Without JavaScript the "Update total" button re-renders the page with the chosen carrier (the server computes
// the same figures), so this script removes that button: the form's default button stays "Place order".
(function () {
  "use strict";
  function cents(text) {
    var parts = String(text).split(".");
    return parseInt(parts[0], 10) * 100 + parseInt((parts[1] || "0").padEnd(2, "0").slice(0, 2), 10);
  }
  function euros(value) {
    return "€" + Math.floor(value / 100) + "." + ("0" + (value % 100)).slice(-2);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-order-summary]");
    var form = document.getElementById("checkout-form");
    if (!summary || !form) return;
    var update = form.querySelector("button[name=update_total]");
    if (update) update.remove();
    var subtotal = cents(summary.getAttribute("data-subtotal"));
    var costs = JSON.parse(document.getElementById("shipping-costs").textContent);
    var announce = summary.querySelector("[data-total-announce]");
    form.querySelectorAll("input[name=carrier]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        var carrier = costs[radio.value];
        if (!carrier) return;
        // The server wrote each carrier's figures in the page's language (shop/money.py); the sums are a fallback.
        var total = carrier.total || euros(subtotal + cents(carrier.cost));
        summary.querySelector("[data-carrier-name]").textContent = carrier.label;
        summary.querySelector("[data-shipping]").textContent = carrier.shipping || euros(cents(carrier.cost));
        document.querySelectorAll("[data-total]").forEach(function (node) { node.textContent = total; });
        announce.textContent = carrier.announce || "Total with " + carrier.label + " shipping: " + total;
      });
    });
  });
})();
