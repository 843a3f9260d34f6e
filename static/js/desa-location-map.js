// Desa admin: the desa's outline on a small map (no tile server needed); a click or a drag of the
// marker writes the centroid into the latitude/longitude inputs. Text goes in as text nodes only.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    var box = document.querySelector(".desa-location-map");
    var lat = document.getElementById("id_latitude");
    var lng = document.getElementById("id_longitude");
    if (!box || !lat || !lng || typeof L === "undefined") return;
    var help = document.createElement("p");
    help.className = "help";
    help.textContent = box.getAttribute("data-help") || "";
    box.parentNode.insertBefore(help, box.nextSibling);

    var map = L.map(box, { zoomSnap: 0.25, attributionControl: false });
    var outline = null;
    var raw = box.getAttribute("data-boundary");
    if (raw) {
      try {
        outline = L.geoJSON(JSON.parse(raw), {
          style: { color: "#1d4ed8", weight: 2, fillOpacity: 0.1 },
          interactive: false,
        }).addTo(map);
      } catch (e) {
        outline = null;
      }
    }
    function current() {
      var a = parseFloat(lat.value), b = parseFloat(lng.value);
      return isFinite(a) && isFinite(b) ? L.latLng(a, b) : null;
    }
    var marker = null;
    function place(point) {
      lat.value = point.lat.toFixed(6);
      lng.value = point.lng.toFixed(6);
      if (marker) marker.setLatLng(point);
      else {
        marker = L.marker(point, { draggable: true }).addTo(map);
        marker.on("dragend", function () { place(marker.getLatLng()); });
      }
    }
    var start = current();
    if (start) {
      marker = L.marker(start, { draggable: true }).addTo(map);
      marker.on("dragend", function () { place(marker.getLatLng()); });
    }
    if (outline && outline.getBounds().isValid()) map.fitBounds(outline.getBounds().pad(0.2));
    else if (start) map.setView(start, 14);
    else map.setView([-2.5, 118], 4); // Indonesia
    map.on("click", function (event) { place(event.latlng); });
    [lat, lng].forEach(function (input) {
      input.addEventListener("change", function () {
        var point = current();
        if (point) {
          if (marker) marker.setLatLng(point);
          else place(point);
        }
      });
    });
  });
})();
