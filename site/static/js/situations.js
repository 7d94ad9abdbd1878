// 情形引导 in the browser: the same JSON Logic rules as the server (rules.situations), evaluated with
// json-logic-js as the answers change, so the material list follows at once. The GET form still works alone.
(function () {
  "use strict";
  var form = document.querySelector("[data-situation-form]");
  var source = document.getElementById("situation-rules");
  if (!form || !source || !window.jsonLogic) { return; }
  var rules = JSON.parse(source.textContent);
  var list = document.querySelector("[data-checklist]");
  var apply = window.TongbanRules ? window.TongbanRules.apply : window.jsonLogic.apply;

  function holds(rule, data) {
    if (rule === null || rule === undefined) { return true; }
    try { return window.jsonLogic.truthy(apply(rule, data)); } catch (e) { return true; }
  }

  function answerOf(question) {
    var inputs = form.querySelectorAll('input[name="' + question.key + '"]:checked');
    var values = Array.prototype.map.call(inputs, function (input) { return input.value; });
    if (question.kind === "multiple") { return values.length ? values : null; }
    return values.length ? values[0] : null;
  }

  function refresh() {
    var answers = {};
    var data = {situation: answers, applicant: {}, item: rules.item};
    var pending = false;
    rules.questions.forEach(function (question) {
      var fieldset = form.querySelector('fieldset[data-key="' + question.key + '"]');
      var asked = holds(question.asked_when, data);
      fieldset.hidden = !asked;
      if (!asked) { return; }
      var answer = answerOf(question);
      if (answer === null) { pending = true; } else { answers[question.key] = answer; }
    });
    var count = 0;
    rules.materials.forEach(function (rule, index) {
      var row = list.querySelector('[data-material="' + index + '"]');
      var applies = holds(rule, data);
      row.hidden = !applies;
      if (applies) { count += 1; }
    });
    list.querySelector("[data-material-count]").textContent = count;
    list.querySelector("[data-pending]").hidden = !pending;
    var query = new URLSearchParams(new FormData(form)).toString();
    list.querySelector("[data-notice-link]").href = "notice/?" + query;
  }

  form.addEventListener("change", refresh);
  refresh();
}());
