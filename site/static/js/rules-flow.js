// The 办理流程 tab of an item: a live flowchart preview of the steps being edited, and 从模板复制.
// The steps are ordinary Wagtail inline forms; this script only reads them (for the preview) and fills them (when a
// template is copied). Saving works without it: the server checks the flow again (rules.flow.check_flow).
(function () {
  "use strict";
  // Wagtail loads a panel's media in the page's head: wait for the form.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  function start() {
    var tools = document.querySelector("[data-rules-flow]");
    if (!tools) { return; }
    var PREFIX = "flow_steps";
    var FIELDS = ["key", "name", "stage", "actor_role", "actor_department", "time_limit", "outcomes", "join", "guard"];
    var chart = tools.querySelector("[data-rules-flow-chart]");
    var problemList = tools.querySelector("[data-rules-flow-problems]");
    var hint = tools.querySelector("[data-rules-flow-hint]");
    var form = tools.closest("form");
    var container = document.getElementById("id_" + PREFIX + "-FORMS");
    if (!form || !container) { return; }

    function field(child, name) {
      return child.querySelector('[name$="-' + name + '"][name^="' + PREFIX + '-"]');
    }

    function liveChildren() {
      return Array.prototype.filter.call(container.querySelectorAll("[data-inline-panel-child]"), function (child) {
        var deleted = field(child, "DELETE");
        return !(deleted && deleted.value === "1");
      });
    }

    function readStep(child, index) {
      var step = {sort_order: index};
      FIELDS.forEach(function (name) {
        var input = field(child, name);
        if (!input) { return; }
        step[name] = input.type === "checkbox" ? input.checked : input.value;
      });
      var order = field(child, "ORDER");
      if (order && order.value) { step.sort_order = parseInt(order.value, 10); }
      return step;
    }

    function csrfToken() {
      var input = form.querySelector('input[name="csrfmiddlewaretoken"]');
      return input ? input.value : "";
    }

    function promisedLimit() {
      var input = form.querySelector('[name="promised_limit"]');
      return input ? input.value : "";
    }

    function showProblems(problems) {
      problemList.textContent = "";
      problems.forEach(function (problem) {
        var item = document.createElement("li");
        item.textContent = problem;
        problemList.appendChild(item);
      });
      problemList.hidden = problems.length === 0;
    }

    function showChart(svgText) {
      chart.textContent = "";
      if (!svgText) { return; }
      // Parsed as XML and imported, never inserted as HTML; the server escaped every name in it.
      var documentNode = new DOMParser().parseFromString(svgText, "image/svg+xml");
      var svg = documentNode.documentElement;
      if (svg.nodeName !== "svg") { return; }
      chart.appendChild(document.importNode(svg, true));
    }

    var pending = null;
    var sequence = 0;

    function refresh() {
      var steps = liveChildren().map(readStep);
      var mine = ++sequence;
      hint.hidden = steps.length > 0;
      if (!steps.length) { showChart(""); showProblems([]); return; }
      fetch(tools.dataset.previewUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
        body: JSON.stringify({item: tools.dataset.item || null, promised_limit: promisedLimit(), steps: steps})
      }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      }).then(function (result) {
        if (mine !== sequence) { return; }  // a later change is on its way
        showChart(result.svg);
        showProblems(result.problems);
      }).catch(function () {
        if (mine === sequence) { showProblems(["流程图预览暂时不可用，保存时仍会检查流程。"]); }
      });
    }

    function later() {
      window.clearTimeout(pending);
      pending = window.setTimeout(refresh, 400);
    }

    function setValue(input, value) {
      if (!input) { return; }
      if (input.type === "checkbox") {
        input.checked = Boolean(value);
      } else {
        input.value = value === null || value === undefined ? "" : value;
      }
      input.dispatchEvent(new Event("change", {bubbles: true}));
    }

    function copyTemplate(template) {
      var existing = liveChildren();
      if (existing.length && !window.confirm("复制模板会替换现有的 " + existing.length + " 个环节，确定吗？")) { return; }
      existing.forEach(function (child) {
        var button = child.querySelector('[id$="-DELETE-button"]');
        if (button) { button.click(); }
      });
      var add = document.getElementById("id_" + PREFIX + "-ADD");
      template.steps.forEach(function (step) {
        add.click();
        var children = container.querySelectorAll("[data-inline-panel-child]");
        var child = children[children.length - 1];
        FIELDS.forEach(function (name) {
          if (name === "actor_department") { return; }  // the item's own department unless chosen
          var value = step[name];
          if (name === "guard" && value) { value = JSON.stringify(value); }
          setValue(field(child, name), value);
        });
      });
      later();
    }

    var copyButton = tools.querySelector("[data-rules-flow-copy]");
    var source = document.getElementById("rules-flow-templates");
    if (copyButton && source) {
      var templates = JSON.parse(source.textContent);
      copyButton.addEventListener("click", function () {
        var chosen = tools.querySelector("#rules-flow-template").value;
        var template = templates.filter(function (t) { return String(t.id) === chosen; })[0];
        if (template) { copyTemplate(template); }
      });
    }

    var panel = container.parentElement;
    panel.addEventListener("input", later);
    panel.addEventListener("change", later);
    panel.addEventListener("click", function (event) {
      if (event.target.closest("button")) { later(); }  // add, delete, move up and down
    });
    refresh();
  }
}());
