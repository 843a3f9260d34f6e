// Lapsit page: copy the report's text for a chat group (clipboard API, else select for a manual copy).
(function () {
  "use strict";
  var button = document.getElementById("lapsit-copy");
  var area = document.getElementById("lapsit-text");
  var status = document.getElementById("lapsit-copy-status");
  if (!button || !area) return;
  button.addEventListener("click", function () {
    area.focus();
    area.select();
    var done = function () { status.textContent = button.dataset.copied; };
    var failed = function () { status.textContent = button.dataset.failed; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(area.value).then(done, failed);
    } else {
      try { (document.execCommand("copy") ? done : failed)(); } catch (e) { failed(); }
    }
  });
})();
