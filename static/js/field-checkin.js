// Phone page: add the phone's position to a check-in when the phone gives one. Never required: a
// refusal, a timeout or no GPS still sends the check-in (the signal at a polling station is poor).
(function () {
  "use strict";
  var status = document.getElementById("geo-status");
  var forms = document.querySelectorAll("form.checkin-form");
  if (!forms.length || !("geolocation" in navigator)) return;
  var position = null;
  navigator.geolocation.getCurrentPosition(
    function (p) {
      position = p.coords;
      if (status) status.textContent = status.dataset.ok;
    },
    function () {
      if (status) status.textContent = status.dataset.none;
    },
    { enableHighAccuracy: true, timeout: 8000, maximumAge: 120000 }
  );
  forms.forEach(function (form) {
    form.addEventListener("submit", function () {
      if (!position) return;
      form.elements.latitude.value = position.latitude.toFixed(6);
      form.elements.longitude.value = position.longitude.toFixed(6);
      form.elements.accuracy_m.value = Math.round(position.accuracy);
    });
  });
})();
