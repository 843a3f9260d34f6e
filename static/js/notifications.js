// The nav's notice badge (reports returned to a Polsek, waiting for the Kabag Ops): polls the
// notices endpoint every 30 s with If-None-Match, so an unchanged count costs one count query and a
// 304. Writes text nodes only.
(function () {
  "use strict";
  var link = document.getElementById("notice");
  if (!link) return;
  var count = document.getElementById("notice-count");
  var label = document.getElementById("notice-text");
  var etag = null;

  function refresh() {
    if (document.hidden) return;
    var headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(link.dataset.url, { credentials: "same-origin", cache: "no-store", headers: headers })
      .then(function (response) {
        if (response.status !== 200) return null;
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (data) {
        if (!data) return;
        count.textContent = String(data.count);
        label.textContent = String(data.text);
        link.classList.toggle("notice-on", data.count > 0);
      })
      .catch(function () {});
  }

  window.setInterval(refresh, 30000);
  document.addEventListener("visibilitychange", refresh);
})();
