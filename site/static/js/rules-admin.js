// The item's rules in the admin: a builder beside each rule's JSON box (情形与规则, 申请材料, 收费项目) for the
// common case "当 <问题> 为 <选项>" combined with 且/或, and a live preview of the checklist. The builder writes the
// same JSON Logic shapes as rules/syntax.py; anything else stays editable as raw JSON. The server checks every
// rule again when the item is saved (rules/admin_situations.py).
(function () {
  "use strict";
  var RULE_BOXES = 'textarea[name$="-required_when"], textarea[name$="-asked_when"], textarea[name$="-applies_when"]';

  function text(el) { return el ? el.value.trim() : ""; }

  function isDeleted(prefix) {
    var del = document.querySelector('input[name="' + prefix + '-DELETE"]');
    return del && (del.value === "1" || del.checked);
  }

  function parseOptions(raw) {
    return raw.replace(/＝/g, "=").split(/\n/).map(function (line) { return line.trim(); })
      .filter(Boolean).map(function (line) {
        var at = line.indexOf("=");
        var value = at < 0 ? line : line.slice(0, at).trim();
        var label = at < 0 ? line : (line.slice(at + 1).trim() || value);
        return {value: value, label: label};
      });
  }

  function parseRule(raw) {
    if (!raw || raw === "null") { return null; }
    try { return JSON.parse(raw); } catch (e) { return undefined; }
  }

  // The item's questions as the form stands now.
  function questions() {
    var found = [];
    document.querySelectorAll('input[name^="situation_questions-"][name$="-key"]').forEach(function (input) {
      var prefix = input.name.slice(0, -4);
      if (isDeleted(prefix) || !text(input)) { return; }
      var kind = document.querySelector('[name="' + prefix + '-kind"]');
      found.push({
        prefix: prefix, key: text(input), text: text(document.querySelector('[name="' + prefix + '-text"]')) || text(input),
        kind: kind ? kind.value : "single",
        options: parseOptions((document.querySelector('[name="' + prefix + '-options"]') || {value: ""}).value),
        askedWhen: parseRule(text(document.querySelector('[name="' + prefix + '-asked_when"]')))
      });
    });
    return found;
  }

  // --- rule ↔ conditions (the builder's shapes) ----------------------------------------------------------
  function conditionOf(rule) {
    var negate = false;
    if (rule && rule["!"] !== undefined) { negate = true; rule = Array.isArray(rule["!"]) ? rule["!"][0] : rule["!"]; }
    if (!rule || typeof rule !== "object") { return null; }
    var op = Object.keys(rule)[0], args = rule[op];
    var key = function (v) {
      return v && typeof v.var === "string" && v.var.indexOf("situation.") === 0 ? v.var.slice(10) : null;
    };
    if (op === "==" && Array.isArray(args) && key(args[0]) && typeof args[1] === "string") {
      return {key: key(args[0]), values: [args[1]], negate: negate};
    }
    if (op === "in" && Array.isArray(args) && key(args[0]) && Array.isArray(args[1])) {
      return {key: key(args[0]), values: args[1], negate: negate};
    }
    if (op === "some" && Array.isArray(args) && key(args[0]) && args[1] && args[1]["in"] &&
        args[1]["in"][0] && args[1]["in"][0].var === "" && Array.isArray(args[1]["in"][1])) {
      return {key: key(args[0]), values: args[1]["in"][1], negate: negate};
    }
    return null;
  }

  function conditionsOf(rule) {
    if (rule === null) { return {join: "and", items: []}; }
    var join = rule && rule.and ? "and" : rule && rule.or ? "or" : null;
    var parts = join ? rule[join] : [rule];
    var items = parts.map(conditionOf);
    return items.every(Boolean) ? {join: join || "and", items: items} : null;
  }

  function ruleOf(condition, question) {
    var variable = {"var": "situation." + condition.key};
    var rule;
    if (question && question.kind === "multiple") {
      rule = {"some": [variable, {"in": [{"var": ""}, condition.values]}]};
    } else if (condition.values.length === 1) {
      rule = {"==": [variable, condition.values[0]]};
    } else {
      rule = {"in": [variable, condition.values]};
    }
    return condition.negate ? {"!": rule} : rule;
  }

  function rulesOf(state, byKey) {
    var parts = state.items.filter(function (c) { return c.key && c.values.length; })
      .map(function (c) { return ruleOf(c, byKey[c.key]); });
    if (!parts.length) { return null; }
    if (parts.length === 1) { return parts[0]; }
    var rule = {}; rule[state.join] = parts; return rule;
  }

  // --- the builder ----------------------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs[name]; } else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function renderBuilder(box) {
    var holder = box.tbBuilder;
    var all = questions();
    var own = box.name.match(/^situation_questions-(\d+)-asked_when$/);
    // A question's own condition may use only the questions before it.
    if (own) {
      var ownPrefix = box.name.slice(0, -11);
      var index = all.findIndex(function (q) { return q.prefix === ownPrefix; });
      all = index < 0 ? all : all.slice(0, index);
    }
    var byKey = {};
    all.forEach(function (q) { byKey[q.key] = q; });
    // The builder keeps its own state (a condition being added has no rule yet) until the JSON is edited by hand.
    var rule = parseRule(box.value.trim());
    if (box.tbValue !== box.value || box.tbState === undefined) {
      box.tbState = rule === undefined ? null : conditionsOf(rule);
      box.tbValue = box.value;
    }
    var state = box.tbState;
    holder.textContent = "";
    if (state === null) {
      holder.appendChild(el("p", {"class": "help", text: rule === undefined ?
        "规则不是有效的 JSON，请在下方修改。" : "这是一条较复杂的规则，请在下方直接编辑 JSON Logic。"}));
      box.hidden = false;
      return;
    }
    if (!all.length) {
      holder.appendChild(el("p", {"class": "help", text: "先在“情形与规则”标签中添加情形问题，才能按回答设置条件。为空表示总是适用。"}));
    }
    var write = function () {
      box.value = state.items.length ? JSON.stringify(rulesOf(state, byKey)) : "";
      if (box.value === "null") { box.value = ""; }
      box.tbValue = box.value;
      box.dispatchEvent(new Event("change", {bubbles: true}));
    };
    state.items.forEach(function (condition, index) {
      var row = el("div", {"class": "tb-condition"});
      var pick = el("select", {"aria-label": "问题"});
      pick.appendChild(el("option", {value: "", text: "选择问题…"}));
      all.forEach(function (q) {
        var option = el("option", {value: q.key, text: q.text});
        if (q.key === condition.key) { option.selected = true; }
        pick.appendChild(option);
      });
      if (condition.key && !byKey[condition.key]) {
        pick.appendChild(el("option", {value: condition.key, text: "（未知问题 " + condition.key + "）", selected: "selected"}));
      }
      pick.addEventListener("change", function () { condition.key = pick.value; condition.values = []; write(); renderBuilder(box); });
      var is = el("select", {"aria-label": "为或不为"});
      is.appendChild(el("option", {value: "is", text: "为"}));
      is.appendChild(el("option", {value: "not", text: "不为"}));
      is.value = condition.negate ? "not" : "is";
      is.addEventListener("change", function () { condition.negate = is.value === "not"; write(); });
      row.appendChild(el("span", {text: index === 0 ? "当" : (state.join === "and" ? "且" : "或")}));
      row.appendChild(pick); row.appendChild(is);
      var question = byKey[condition.key];
      (question ? question.options : []).forEach(function (option) {
        var check = el("input", {type: "checkbox", value: option.value});
        check.checked = condition.values.indexOf(option.value) >= 0;
        check.addEventListener("change", function () {
          condition.values = Array.prototype.map.call(row.querySelectorAll("input:checked"), function (c) { return c.value; });
          write();
        });
        row.appendChild(el("label", {"class": "tb-option"}, [check, document.createTextNode(" " + option.label)]));
      });
      var remove = el("button", {type: "button", "class": "button button-small button-secondary", text: "删除条件"});
      remove.addEventListener("click", function () { state.items.splice(index, 1); write(); renderBuilder(box); });
      row.appendChild(remove);
      holder.appendChild(row);
    });
    var tools = el("div", {"class": "tb-rule-tools"});
    if (state.items.length > 1) {
      var join = el("select", {"aria-label": "组合方式"});
      join.appendChild(el("option", {value: "and", text: "以上条件全部满足（且）"}));
      join.appendChild(el("option", {value: "or", text: "以上条件任一满足（或）"}));
      join.value = state.join;
      join.addEventListener("change", function () { state.join = join.value; write(); renderBuilder(box); });
      tools.appendChild(join);
    }
    if (all.length) {
      var add = el("button", {type: "button", "class": "button button-small button-secondary", text: "添加条件"});
      add.addEventListener("click", function () { state.items.push({key: "", values: [], negate: false}); renderBuilder(box); });
      tools.appendChild(add);
    }
    var raw = el("button", {type: "button", "class": "button button-small button-secondary", text: box.hidden ? "编辑 JSON" : "收起 JSON"});
    raw.addEventListener("click", function () { box.hidden = !box.hidden; renderBuilder(box); });
    tools.appendChild(raw);
    tools.appendChild(el("span", {"class": "help", text: state.items.length ? "" : "无条件：总是适用"}));
    holder.appendChild(tools);
  }

  function setUp(box) {
    if (box.tbBuilder) { return; }
    if (box.value.trim() === "null") { box.value = ""; }
    box.tbBuilder = el("div", {"class": "tb-rule-builder"});
    box.parentNode.insertBefore(box.tbBuilder, box);
    box.hidden = true;
    box.addEventListener("input", function () { renderBuilder(box); });
    renderBuilder(box);
  }

  // --- the live preview -----------------------------------------------------------------------------------
  function materials() {
    var found = [];
    document.querySelectorAll('input[name^="materials-"][name$="-name"]').forEach(function (input) {
      var prefix = input.name.slice(0, -5);
      if (isDeleted(prefix) || !text(input)) { return; }
      found.push({name: text(input), rule: parseRule(text(document.querySelector('[name="' + prefix + '-required_when"]')))});
    });
    return found;
  }

  function holds(rule, data) {
    if (rule === null) { return true; }
    if (rule === undefined) { return true; }
    try { return window.jsonLogic.truthy(window.jsonLogic.apply(rule, data)); } catch (e) { return true; }
  }

  function renderPreview(panel) {
    var answers = panel.tbAnswers || (panel.tbAnswers = {});
    var all = questions();
    var data = {situation: {}, applicant: {}, item: {}};
    panel.textContent = "";
    if (!all.length) {
      panel.appendChild(el("p", {"class": "help", text: "添加情形问题后，可在这里选择回答，查看对应的材料清单。"}));
      return;
    }
    var form = el("div", {"class": "tb-preview-questions"});
    all.forEach(function (q) {
      if (!holds(q.askedWhen, data)) { return; }
      var group = el("fieldset", {}, [el("legend", {text: q.text})]);
      q.options.forEach(function (option) {
        var input = el("input", {type: q.kind === "multiple" ? "checkbox" : "radio", name: "tb-preview-" + q.key, value: option.value});
        var current = answers[q.key];
        input.checked = q.kind === "multiple" ? (current || []).indexOf(option.value) >= 0 : current === option.value;
        input.addEventListener("change", function () {
          if (q.kind === "multiple") {
            answers[q.key] = Array.prototype.map.call(group.querySelectorAll("input:checked"), function (c) { return c.value; });
          } else { answers[q.key] = option.value; }
          renderPreview(panel);
        });
        group.appendChild(el("label", {"class": "tb-option"}, [input, document.createTextNode(" " + option.label)]));
      });
      form.appendChild(group);
      if (answers[q.key] !== undefined) { data.situation[q.key] = answers[q.key]; }
    });
    panel.appendChild(form);
    var list = materials().filter(function (m) { return holds(m.rule, data); });
    panel.appendChild(el("h3", {text: "需要提交 " + list.length + " 项材料"}));
    panel.appendChild(el("ol", {}, list.map(function (m) { return el("li", {text: m.name}); })));
  }

  function refresh() {
    document.querySelectorAll(RULE_BOXES).forEach(function (box) {
      if (box.name.indexOf("__prefix__") >= 0) { return; }
      if (!box.tbBuilder) { setUp(box); } else { renderBuilder(box); }
    });
    document.querySelectorAll("[data-rules-preview]").forEach(renderPreview);
  }

  function start() {
    var form = document.querySelector("form[data-edit-form], form.w-form-width, main form");
    if (!document.querySelector(RULE_BOXES) || !form) { return; }
    refresh();
    // Questions edited, added or removed: the builders and the preview follow.
    var pending = null;
    var later = function (event) {
      if (event && event.target && event.target.closest && event.target.closest(".tb-rule-builder, [data-rules-preview]")) { return; }
      clearTimeout(pending); pending = setTimeout(refresh, 150);
    };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    new MutationObserver(function (records) {
      var added = records.some(function (r) {
        return Array.prototype.some.call(r.addedNodes, function (n) { return n.querySelector && n.querySelector(RULE_BOXES); });
      });
      if (added) { later(); }
    }).observe(form, {childList: true, subtree: true});
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
