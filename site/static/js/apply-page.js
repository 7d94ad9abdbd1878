// Every page of the applicant's side: the error summary takes the focus (GOV.UK pattern), and a form marked
// data-submit-once ignores a second click while the first is on its way (the server also refuses a second
// submission: the idempotency key).
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.setAttribute("aria-disabled", "true");
      });
    });
  });
}());
