// The job progress page (admin): polls the job's JSON status every second while it is queued or
// running and moves the bar; when the job ends the page reloads once, so the server renders the
// summary or the error report. Writes numbers into text nodes only.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.state === "succeeded" || box.dataset.state === "failed") return;
  var bar = document.getElementById("job-bar");
  var numberFormat = new Intl.NumberFormat(document.documentElement.lang || "id");

  function show(id, value) {
    var node = document.getElementById(id);
    if (node) node.textContent = value === null || value === undefined ? "" : String(value);
  }

  function refresh() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) { return response.status === 200 ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        if (data.done) { window.location.reload(); return; }
        show("job-state", data.state_label);
        show("job-rows", numberFormat.format(data.rows_read));
        var total = document.getElementById("job-total");
        show("job-total", data.rows_total ? " " + total.dataset.of + " " + numberFormat.format(data.rows_total) : "");
        show("job-errors", numberFormat.format(data.errors));
        show("job-seconds", data.seconds === null ? 0 : numberFormat.format(data.seconds));
        if (data.rows_total) {
          bar.max = data.rows_total;
          bar.value = data.rows_read;
        }
        window.setTimeout(refresh, 1000);
      })
      .catch(function () { window.setTimeout(refresh, 3000); });
  }

  window.setTimeout(refresh, 500);
})();
