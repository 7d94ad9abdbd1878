// A compiled form in the page (formbuilder/_field.html): fields whose visible_when does not hold are hidden as the
// answers change, with the same JSON Logic the server re-evaluates (TongbanRules, json-logic-js). The server stays
// the judge: this only spares the applicant questions that do not apply.
(function () {
  "use strict";
  var form = document.querySelector("[data-form-rules]");
  var source = document.getElementById("tb-form-rules");
  if (!form || !source || !window.TongbanRules) { return; }
  var rules = JSON.parse(source.textContent);

  function answers() {
    var data = {situation: {}, form: {}};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.disabled) { return; }
      var parts = input.name.split(".");
      var root = data[parts[0]];
      if (!root || parts.length !== 2) { return; }
      var key = parts[1];
      if (input.type === "checkbox" && input.value !== "true") {
        root[key] = root[key] || [];
        if (input.checked) { root[key].push(input.value); }
      } else if (input.type === "checkbox") {
        if (input.checked) { root[key] = true; }
      } else if (input.type === "radio") {
        if (input.checked) { root[key] = input.value; }
      } else if (input.value.trim() !== "") {
        var number = Number(input.value);
        root[key] = input.inputMode === "decimal" && !isNaN(number) ? number : input.value.trim();
      }
    });
    return data;
  }

  function follow() {
    var data = answers();
    (rules.fields || []).forEach(function (entry) {
      var box = form.querySelector('[data-path="' + entry.path + '"]');
      if (!box) { return; }
      if (entry.visible_when) {
        var shown = !!TongbanRules.apply(entry.visible_when, data);
        box.hidden = !shown;
        if (!shown) {  // later rules see it unanswered, as on the server
          var parts = entry.path.split(".");
          if (data[parts[0]]) { delete data[parts[0]][parts[1]]; }
        }
      }
      if (entry.value) {
        var input = box.querySelector("input");
        var result = TongbanRules.apply(entry.value, data);
        if (input) { input.value = typeof result === "number" && isFinite(result) ? String(Math.round(result * 100) / 100) : ""; }
      }
    });
    (rules.steps || []).forEach(function (entry) {
      var step = form.querySelector('[data-step="' + entry.key + '"]');
      if (step) { step.hidden = !TongbanRules.apply(entry.visible_when, data); }
    });
  }

  form.addEventListener("input", follow);
  form.addEventListener("change", follow);
  follow();
})();
