// The deployment board's ▸ buttons open and close a village's team in place. Without this script
// each ▸ submits the filter form with ?open=<village> and the server renders that team open.
(function () {
  "use strict";
  document.querySelectorAll("[data-team-toggle]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      var panel = document.getElementById(button.getAttribute("aria-controls"));
      if (!panel) return;
      event.preventDefault();
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      panel.hidden = !open;
      var row = button.closest(".village");
      if (row) row.classList.toggle("is-open", open);
    });
  });
  // A search or a return from a removal lands on the village: bring its first match into view.
  var target = document.querySelector(".member.match") ||
    (location.hash ? document.getElementById(location.hash.slice(1)) : null);
  if (target && target.scrollIntoView) target.scrollIntoView({ block: "center" });
})();
