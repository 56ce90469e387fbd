/* Progressive enhancements for every page. The site works without this file; it is a static file so a strict
   Content-Security-Policy (no inline script) allows it. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function collapsibleNavigation() {
    var toggle = document.querySelector("[data-nav-toggle]");
    if (!toggle) return;
    var nav = toggle.closest("nav");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      nav.classList.toggle("open", open);
    });
  }

  function focusErrorSummary() {
    // GOV.UK error summary: move focus to it so keyboard and screen reader users hear what went wrong first.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
    document.addEventListener("click", function (event) {
      var link = event.target.closest("[data-error-summary] a[href^='#']");
      if (!link) return;
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      var group = target.closest("fieldset");
      if (target.offsetParent === null && group) {
        // The linked control was replaced by an enhanced one (the card fields): focus the first visible control.
        target = Array.prototype.find.call(group.querySelectorAll("input, select, textarea"), function (el) {
          return el.type !== "hidden" && el.offsetParent !== null;
        }) || target;
      }
      var label = document.querySelector("label[for='" + target.id + "']");
      var legend = group && target.type && /radio|checkbox/.test(target.type) ? group.querySelector("legend") : null;
      (legend || label || target).scrollIntoView();
      target.focus({ preventScroll: true });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    collapsibleNavigation();
    focusErrorSummary();
  });
})();
