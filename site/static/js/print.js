// Buttons marked data-print print the page (no inline onclick: the Content-Security-Policy forbids it).
document.addEventListener("click", function (event) {
  "use strict";
  if (event.target.closest("[data-print]")) { window.print(); }
});
