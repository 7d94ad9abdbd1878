// The 在线表单 tab's preview: the item's edit form as it stands is posted to formbuilder/preview/<id>/, and the
// answer (the compiled form, rendered as the public sees it) shown in a phone-sized frame.
(function () {
  "use strict";
  function setUp(box) {
    var editForm = box.closest("form");
    var frame = box.querySelector("[data-form-preview-frame]");
    var status = box.querySelector("[data-form-preview-status]");
    var match = window.location.pathname.match(/\/edit\/(\d+)\//);
    if (!editForm || !frame || !match) {
      if (status) { status.textContent = "保存事项后可预览。"; }
      return;
    }
    var url = window.location.pathname.split("/snippets/")[0] + "/formbuilder/preview/" + match[1] + "/";
    var timer = null;
    function refresh() {
      status.textContent = "正在生成预览…";
      fetch(url, {method: "POST", body: new FormData(editForm), credentials: "same-origin"})
        .then(function (response) { return response.text().then(function (html) { return [response.ok, html]; }); })
        .then(function (answer) {
          frame.srcdoc = answer[1];
          status.textContent = answer[0] ? "" : "预览失败";
        })
        .catch(function () { status.textContent = "预览失败"; });
    }
    box.querySelector("[data-form-preview-refresh]").addEventListener("click", refresh);
    editForm.addEventListener("change", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 800);
    });
    refresh();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-form-preview]").forEach(setUp);
  });
})();
