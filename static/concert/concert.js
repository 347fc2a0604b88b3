// Concert pages: htmx does the work; this file only wires what attributes cannot.
// Kept out of the HTML so a Content-Security-Policy can forbid inline scripts.
(function () {
  "use strict";
  // htmx sends the CSRF token with every request it makes, read from the <meta> tag.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) {
      event.detail.headers["X-CSRFToken"] = meta.getAttribute("content");
    }
  });
})();

// A polling list (data-poll) does not refresh while someone is typing in it, has opened
// one of its forms or ticked rows for a bulk action: a refresh would throw that away.
document.addEventListener("htmx:beforeRequest", function (event) {
  var elt = event.detail.elt;
  if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-poll")) {
    return;
  }
  var active = document.activeElement;
  var typing = active && elt.contains(active) && active.matches("input, textarea, select");
  if (typing || elt.querySelector("details[open]") || elt.querySelector("input[data-hold-poll]:checked")) {
    event.preventDefault();
  }
});

// The close form shows "merged into" only for the outcome that needs it. Without this
// script the field simply stays visible (its help text says when it counts).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-outcome-form]").forEach(function (form) {
    var outcome = form.querySelector("[data-outcome-select]");
    if (!outcome) {
      return;
    }
    var dependants = form.querySelectorAll("[data-shown-for-outcome]");
    function update() {
      dependants.forEach(function (input) {
        var wrapper = input.closest(".field") || input;
        wrapper.hidden = outcome.value !== input.getAttribute("data-shown-for-outcome");
      });
    }
    outcome.addEventListener("change", update);
    update();
  });
});
