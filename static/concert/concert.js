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
