// The wizard's page with JavaScript: the fields' visible_when and required_when rules (and computed values)
// follow the answers as one types, with the same JSON Logic rules the server re-evaluates (json-logic-js and
// rules.js). Without this script the page still works: the server shows every field whose rule depends on this
// page and drops the values of hidden ones when it validates. The division selects fill their next level.
(function () {
  "use strict";
  var form = document.querySelector("[data-apply-form]");
  var source = document.getElementById("apply-rules");
  if (!form || !source || !window.jsonLogic) { return; }
  var spec = JSON.parse(source.textContent);
  var apply = window.TongbanRules ? window.TongbanRules.apply : window.jsonLogic.apply;
  var rules = {};
  spec.fields.forEach(function (entry) { rules[entry.path] = entry; });

  function holds(rule, data) {
    if (rule === null || rule === undefined) { return true; }
    try { return window.jsonLogic.truthy(apply(rule, data)); } catch (e) { return true; }
  }

  function copy(value) { return JSON.parse(JSON.stringify(value)); }

  function numberOf(text) {
    var trimmed = text.trim();
    if (trimmed === "") { return undefined; }
    var number = Number(trimmed);
    return isFinite(number) ? number : trimmed;
  }

  function valueOf(container, name) {
    var type = container.dataset.type;
    if (type === "radio" || type === "yes_no") {
      var checked = form.querySelector('input[name="' + name + '"]:checked');
      return checked ? checked.value : undefined;
    }
    if (type === "checkboxes") {
      var values = Array.prototype.map.call(form.querySelectorAll('input[name="' + name + '"]:checked'),
        function (input) { return input.value; });
      return values.length ? values : undefined;
    }
    if (type === "declaration") {
      var box = form.querySelector('input[name="' + name + '"]');
      return box && box.checked ? true : undefined;
    }
    if (type === "date_range") {
      var range = {};
      ["start", "end"].forEach(function (part) {
        var input = form.querySelector('input[name="' + name + "." + part + '"]');
        if (input && input.value) { range[part] = input.value; }
      });
      return Object.keys(range).length ? range : undefined;
    }
    if (type === "division") {
      var deepest;
      container.querySelectorAll("select").forEach(function (select) { if (select.value) { deepest = select.value; } });
      return deepest;
    }
    var input = form.querySelector('[name="' + name + '"]');
    if (!input) { return undefined; }
    if (type === "number" || type === "amount") { return numberOf(input.value); }
    return input.value.trim() === "" ? undefined : input.value.trim();
  }

  function setAt(data, name, value) {
    var parts = name.split(".");
    var node = data;
    for (var i = 0; i < parts.length - 1; i++) {
      var part = /^[0-9]+$/.test(parts[i + 1]) ? [] : {};
      if (node[parts[i]] === undefined || node[parts[i]] === null) { node[parts[i]] = part; }
      node = node[parts[i]];
    }
    var last = parts[parts.length - 1];
    if (value === undefined) { delete node[last]; } else { node[last] = value; }
  }

  function refresh() {
    var data = {situation: copy(spec.base.situation || {}), form: copy(spec.base.form || {}),
      applicant: spec.applicant, item: spec.item};
    // Repeating groups are read whole from their rows before any rule looks at them.
    form.querySelectorAll('[data-type="repeat"]').forEach(function (group) {
      var key = group.dataset.path.split(".")[1];
      var count = +(form.querySelector('input[name="form.' + key + '.rows"]') || {value: 0}).value;
      var rows = [];
      for (var i = 0; i < count; i++) { rows.push({}); }
      data.form[key] = rows;
    });
    var containers = form.querySelectorAll("[data-path][data-name]");
    containers.forEach(function (container) { setAt(data, container.dataset.name, valueOf(container, container.dataset.name)); });
    // In the order of the page, as the server decides: a hidden field's value is gone before later rules read it.
    form.querySelectorAll("[data-path]").forEach(function (container) {
      var path = container.dataset.path;
      var rule = rules[path];
      var groupRule = null;
      spec.groups.forEach(function (group) { if (group.path === path) { groupRule = group.visible_when; } });
      if (!rule && !groupRule) { return; }
      var shown = holds(rule ? rule.visible_when : groupRule, data);
      container.hidden = !shown;
      if (!shown && container.dataset.name) { setAt(data, container.dataset.name, undefined); }
      if (shown && rule && rule.required_when) {
        var optional = container.querySelector(".optional");
        if (optional) { optional.hidden = holds(rule.required_when, data); }
      }
      if (shown && rule && rule.value) {
        var output = container.querySelector("[data-computed]");
        var result;
        try { result = apply(rule.value, data); } catch (e) { result = null; }
        if (output) {
          output.textContent = typeof result === "number" && isFinite(result) ?
            (container.dataset.type === "amount" ? result.toFixed(2) : String(result)) : "—";
        }
      }
    });
  }

  // The division selects: choosing a level fills the next one from the server's list.
  function fillDivision(select) {
    var fieldset = select.closest('[data-type="division"]');
    var selects = Array.prototype.slice.call(fieldset.querySelectorAll("select"));
    var index = selects.indexOf(select);
    selects.slice(index + 1).forEach(function (next) { next.length = 1; });
    var next = selects[index + 1];
    if (!next || !select.value) { refresh(); return; }
    fetch("/apply/divisions/" + select.value + ".json").then(function (response) { return response.json(); })
      .then(function (body) {
        body.children.forEach(function (child) { next.add(new Option(child.name, child.code)); });
        refresh();
      });
  }

  form.querySelectorAll("[data-division-refresh]").forEach(function (button) { button.hidden = true; });
  form.addEventListener("change", function (event) {
    if (event.target.matches('[data-type="division"] select')) { fillDivision(event.target); return; }
    refresh();
  });
  form.addEventListener("input", refresh);
  refresh();
}());
