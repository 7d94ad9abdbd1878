// The import job page: follows the running import (stage, rows) and reloads the page when it ends.
(function () {
  "use strict";
  var bar = document.querySelector("[data-import-progress]");
  if (!bar) { return; }
  var url = bar.getAttribute("data-progress-url");
  var status = document.querySelector("[data-import-status]");
  var stage = document.querySelector("[data-import-stage]");
  var rows = document.querySelector("[data-import-rows]");
  function poll() {
    fetch(url, { credentials: "same-origin" }).then(function (response) { return response.json(); }).then(function (d) {
      bar.value = d.percent;
      status.textContent = d.status_label;
      stage.textContent = d.stage_label;
      rows.textContent = d.rows_total ? d.rows_done.toLocaleString() + " / " + d.rows_total.toLocaleString() : "";
      if ((d.status === "pending" || d.status === "running") && !d.stale) { setTimeout(poll, 1000); } else { location.reload(); }
    }).catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
