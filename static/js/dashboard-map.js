// Draws the dashboard map from the GeoJSON the page embeds (json_script): villages as circles
// coloured by level, kecamatan as dashed outlines with labels. Tiles only when a tile URL is set,
// so the map still means something offline.
(function () {
  "use strict";
  var element = document.getElementById("map");
  var source = document.getElementById("map-data");
  if (!element || !source || typeof L === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var colours = { 1: "#2e7d32", 2: "#ef8f00", 3: "#c62828" };
  var map = L.map(element, { scrollWheelZoom: false });
  var tileUrl = element.dataset.tileUrl;
  if (tileUrl) {
    L.tileLayer(tileUrl, { maxZoom: 18, attribution: element.dataset.tileAttribution || "" }).addTo(map);
  } else {
    element.classList.add("map-no-tiles");
  }

  var kecamatan = L.geoJSON(data.kecamatan, {
    style: { color: "#0b3d91", weight: 1.5, dashArray: "5 5", fillOpacity: 0.04 },
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, { radius: 0, opacity: 0, fillOpacity: 0, interactive: false });
    },
    onEachFeature: function (feature, layer) {
      // Above the outline's centre, so the label never hides a village marker. Names are text
      // nodes: Leaflet inserts a string tooltip or popup as HTML, and names come from imports.
      layer.bindTooltip(text("span", feature.properties.name), {
        permanent: true, direction: "top", offset: [0, -14], className: "kecamatan-label",
      });
    },
  }).addTo(map);

  function text(tag, content) {
    var node = document.createElement(tag);
    node.textContent = content;
    return node;
  }

  var villages = L.geoJSON(data.villages, {
    pointToLayer: function (feature, latlng) {
      var p = feature.properties;
      return L.circleMarker(latlng, {
        radius: 7 + 2 * p.level, color: "#fff", weight: 2, fillColor: colours[p.level] || "#6d6d6d",
        fillOpacity: 0.9, className: "village-marker village-level-" + p.level,
      });
    },
    onEachFeature: function (feature, layer) {
      var p = feature.properties;
      var popup = document.createElement("div");
      var link = text("a", p.name);
      link.href = p.url;
      popup.appendChild(link);
      popup.appendChild(text("div", p.kecamatan + " · " + p.level_label));
      popup.appendChild(text("div", p.assigned + " / " + p.required + (p.shortfall ? " (−" + p.shortfall + ")" : "")));
      layer.bindPopup(popup);
      layer.bindTooltip(text("span", p.name));
    },
  }).addTo(map);

  var bounds = villages.getBounds();
  if (bounds.isValid()) {
    map.fitBounds(bounds.extend(kecamatan.getBounds()), { padding: [24, 24] });
  } else {
    map.setView([-2.5, 118], 4);
  }
  element.dataset.markers = String(villages.getLayers().length);
})();
