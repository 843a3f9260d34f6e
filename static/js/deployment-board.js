// The deployment board's ▸ buttons open and close a village's team in place. A closed team is not
// in the page: its rows are fetched (server-rendered, escaped HTML of this site) the first time it
// opens. Without this script each ▸ submits the filter form with ?open=<village> and the server
// renders that team open.
(function () {
  "use strict";
  var board = document.querySelector(".board");
  var loadingText = board ? board.getAttribute("data-loading") : "";
  var failedText = board ? board.getAttribute("data-failed") : "";

  function load(panel) {
    var url = panel.getAttribute("data-team-url");
    if (!url) return;
    panel.removeAttribute("data-team-url");
    panel.setAttribute("aria-busy", "true");
    panel.textContent = loadingText;
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        panel.innerHTML = html;
      })
      .catch(function () {
        panel.textContent = failedText;
        panel.setAttribute("data-team-url", url);
      })
      .then(function () {
        panel.removeAttribute("aria-busy");
      });
  }

  document.querySelectorAll("[data-team-toggle]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      var panel = document.getElementById(button.getAttribute("aria-controls"));
      if (!panel) return;
      event.preventDefault();
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      panel.hidden = !open;
      if (open) load(panel);
      var row = button.closest(".village");
      if (row) row.classList.toggle("is-open", open);
    });
  });
  // A search or a return from a removal lands on the village: bring its first match into view.
  var target = document.querySelector(".member.match") ||
    (location.hash ? document.getElementById(location.hash.slice(1)) : null);
  if (target && target.scrollIntoView) target.scrollIntoView({ block: "center" });
})();
