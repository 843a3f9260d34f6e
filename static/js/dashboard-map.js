// Draws the dashboard map from the GeoJSON the page embeds (json_script): desa outlines filled by
// risk level (a choropleth; unassessed villages hatched grey, never green), kecamatan outlines with
// labels, desa names once zoomed in, a legend, a Polsek filter and a mainland / islands switch.
// The polygons are the map: tiles only when a tile URL is set. Every name, label and popup line is
// a text node (Leaflet inserts a string tooltip or popup as HTML, and names come from imports).
// The same script draws the village page's map and the deployment board's, set by the element's
// data- attributes: data-focus="<desa code>" outlines that desa and opens fitted to it;
// data-mode="shortfall" outlines in red each village short of personnel; data-mode="progress" (the
// Posko board) fills each village by its stage of the day and outlines it by its worst open
// incident, repainted from every board the page's poll receives (a "posko:board" event).
(function () {
  "use strict";
  var element = document.getElementById("map");
  var source = document.getElementById("map-data");
  if (!element || !source || typeof L === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var labels = element.dataset;
  var colours = { 1: "#2e7d32", 2: "#ef8f00", 3: "#c62828" };
  var HATCH = "unassessed-hatch";
  var NAMES_FROM_ZOOM = 12;
  var SHORT = "#7a0019";
  var focusCode = labels.focus || "";
  var shortfallMode = labels.mode === "shortfall";
  var progressMode = labels.mode === "progress";
  // Hari-H stages: light to dark blue through the vote and the count, purple while the ballot boxes
  // travel, green when done; grey not started; black for a postponed or repeated vote.
  var STAGE_COLOURS = {
    "": "#bdbdbd", tps_open: "#c6dbef", voting: "#6baed6", counting: "#3182bd", announced: "#08519c",
    escort: "#9e9ac8", at_kecamatan: "#6a51a3", done: "#2e7d32", postponed: "#212121", repeat: "#212121",
  };
  var INCIDENT_COLOURS = { 1: "#f2c200", 2: "#ef6c00", 3: "#c62828" };
  var map = L.map(element, { scrollWheelZoom: false, zoomSnap: 0.25 });
  var tileUrl = element.dataset.tileUrl;
  if (tileUrl) {
    L.tileLayer(tileUrl, { maxZoom: 18, attribution: element.dataset.tileAttribution || "" }).addTo(map);
  } else {
    element.classList.add("map-no-tiles");
  }

  function text(tag, content, className) {
    var node = document.createElement(tag);
    node.textContent = content;
    if (className) node.className = className;
    return node;
  }

  function addHatchPattern() {
    // An SVG pattern for unassessed villages: grey stripes, so "not assessed" never reads as safe.
    var svg = element.querySelector(".leaflet-overlay-pane svg");
    if (!svg || svg.querySelector("#" + HATCH)) return;
    var ns = "http://www.w3.org/2000/svg";
    var defs = document.createElementNS(ns, "defs");
    var pattern = document.createElementNS(ns, "pattern");
    pattern.setAttribute("id", HATCH);
    pattern.setAttribute("patternUnits", "userSpaceOnUse");
    pattern.setAttribute("width", "8");
    pattern.setAttribute("height", "8");
    pattern.setAttribute("patternTransform", "rotate(45)");
    var back = document.createElementNS(ns, "rect");
    back.setAttribute("width", "8");
    back.setAttribute("height", "8");
    back.setAttribute("fill", "#d6d6d6");
    var stripe = document.createElementNS(ns, "rect");
    stripe.setAttribute("width", "3");
    stripe.setAttribute("height", "8");
    stripe.setAttribute("fill", "#7a7a7a");
    pattern.appendChild(back);
    pattern.appendChild(stripe);
    defs.appendChild(pattern);
    svg.insertBefore(defs, svg.firstChild);
  }

  function progressStyle(p) {
    var stage = p.stage || "";
    var style = {
      color: "#ffffff", weight: 1.2, fillOpacity: 0.85,
      fillColor: STAGE_COLOURS[stage] || STAGE_COLOURS[""],
      className: "village-marker village-stage-" + (stage || "none"),
    };
    if (p.worst_severity) {
      style.color = INCIDENT_COLOURS[p.worst_severity] || INCIDENT_COLOURS[1];
      style.weight = 4;
      style.className += " village-incident-" + p.worst_severity;
    }
    return style;
  }

  function villageStyle(feature) {
    var p = feature.properties;
    if (progressMode) return progressStyle(p);
    var style = {
      color: "#ffffff", weight: 1.2, fillOpacity: 0.85,
      fillColor: p.assessed ? colours[p.level] || "#6d6d6d" : "url(#" + HATCH + ")",
      className: "village-marker village-level-" + p.level + (p.assessed ? "" : " village-unassessed"),
    };
    if (shortfallMode && p.shortfall > 0) {
      // Dark red and dashed: it must still read on a Sangat Rawan (red) fill.
      style.color = SHORT;
      style.weight = 3.5;
      style.dashArray = "7 3";
      style.className += " village-short";
    }
    if (focusCode) {
      if (p.code === focusCode) {
        style.color = "#111111";
        style.weight = 4;
        style.fillOpacity = 0.9;
        style.className += " village-focus";
      } else {
        style.fillOpacity = 0.45;
      }
    }
    return style;
  }

  var kecamatan = L.geoJSON(data.kecamatan, {
    interactive: false, // under the villages and never catching their clicks
    style: { color: "#0b3d91", weight: 2, dashArray: "6 4", fill: false },
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, { radius: 0, opacity: 0, fillOpacity: 0, interactive: false });
    },
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(text("span", feature.properties.name), {
        permanent: true, direction: "center", className: "kecamatan-label",
      });
    },
  });

  var villages = L.geoJSON(data.villages, {
    style: villageStyle,
    pointToLayer: function (feature, latlng) {
      var style = villageStyle(feature);
      style.radius = 7 + 2 * feature.properties.level;
      return L.circleMarker(latlng, style);
    },
    onEachFeature: function (feature, layer) {
      var p = feature.properties;
      var popup = document.createElement("div");
      popup.className = "village-popup";
      var link = text("a", p.name);
      link.href = p.url;
      popup.appendChild(link);
      popup.appendChild(text("div", p.kecamatan + (p.polsek ? " · " + p.polsek : "")));
      popup.appendChild(text("div", (p.assessed ? p.level_label : labels.labelUnassessed + " (" + p.level_label + ")")
        + " · " + labels.labelScore + " " + p.score));
      popup.appendChild(text("div", labels.labelNeed + " " + p.need + " · " + labels.labelAssigned + " "
        + p.assigned + " · " + labels.labelShortfall + " " + p.shortfall, p.shortfall ? "shortfall" : ""));
      layer.bindPopup(popup);
      // On the board each name carries its count (assigned/need) on a second line, so a shortfall
      // reads without a click and the labels stay narrow.
      var label = text("span", p.name);
      if (shortfallMode) label.appendChild(text("span", p.assigned + "/" + p.need, "desa-count"));
      layer.bindTooltip(label, {
        permanent: true, direction: "center",
        className: "desa-label" + (shortfallMode && p.shortfall > 0 ? " desa-label-short" : ""),
      });
    },
  });
  kecamatan.addTo(map);
  villages.addTo(map);

  // Mainland first: an island village (reached only by sea) would zoom the view out to open sea.
  function boundsOf(predicate) {
    var bounds = L.latLngBounds([]);
    villages.eachLayer(function (layer) {
      if (predicate(layer.feature.properties)) {
        bounds.extend(layer.getBounds ? layer.getBounds() : layer.getLatLng());
      }
    });
    return bounds;
  }
  var selectedPolsek = "";
  function visible(p) { return !selectedPolsek || String(p.polsek_id) === selectedPolsek; }
  var mainland = function () { return boundsOf(function (p) { return !p.sea_access_only && visible(p); }); };
  var islands = function () { return boundsOf(function (p) { return p.sea_access_only && visible(p); }); };
  function fit(bounds) {
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16] });
  }
  var focused = boundsOf(function (p) { return focusCode && p.code === focusCode; });
  var start = focused.isValid() ? focused : mainland();
  if (!start.isValid()) start = boundsOf(visible);
  if (focused.isValid()) map.fitBounds(focused, { padding: [48, 48], maxZoom: 14 });
  else if (start.isValid()) fit(start);
  else map.setView([-2.5, 118], 4);
  villages.eachLayer(function (layer) {
    if (layer.feature.properties.code === focusCode && layer.bringToFront) layer.bringToFront();
  });
  // The layers' SVG exists once the map has a view: only then can the pattern join it.
  addHatchPattern();

  function showNames() {
    element.classList.toggle("map-names-hidden", map.getZoom() < NAMES_FROM_ZOOM);
  }
  map.on("zoomend", showNames);
  showNames();

  // Controls (view switch, Polsek filter) above the map and the legend below it, outside the map
  // so they never cover a village. Built from nodes; labels come from the template.
  function buildControls() {
    var box = document.createElement("div");
    box.className = "map-controls";
    var mainlandButton = text("button", labels.labelMainland, "map-view-mainland");
    mainlandButton.type = "button";
    mainlandButton.addEventListener("click", function () { fit(mainland()); });
    box.appendChild(mainlandButton);
    if (islands().isValid()) {
      var islandButton = text("button", labels.labelIslands, "map-view-islands");
      islandButton.type = "button";
      islandButton.addEventListener("click", function () { fit(islands()); });
      box.appendChild(islandButton);
    }
    var polsek = {};
    villages.eachLayer(function (layer) {
      var p = layer.feature.properties;
      if (p.polsek_id) polsek[p.polsek_id] = p.polsek;
    });
    var ids = Object.keys(polsek).sort(function (a, b) { return polsek[a].localeCompare(polsek[b]); });
    if (ids.length > 1) {
      var select = document.createElement("select");
      select.className = "map-polsek-filter";
      select.setAttribute("aria-label", labels.labelPolsek);
      select.appendChild(text("option", labels.labelAllPolsek));
      select.lastChild.value = "";
      ids.forEach(function (id) {
        select.appendChild(text("option", polsek[id]));
        select.lastChild.value = id;
      });
      select.addEventListener("change", function () {
        selectedPolsek = select.value;
        villages.eachLayer(function (layer) {
          var shown = visible(layer.feature.properties);
          var style = villageStyle(layer.feature);
          layer.setStyle(shown ? style : { opacity: 0.15, fillOpacity: 0.05 });
          if (!shown) layer.closeTooltip();
          else layer.openTooltip();
        });
        var target = mainland();
        fit(target.isValid() ? target : islands());
      });
      box.appendChild(select);
    }
    return box;
  }
  element.parentNode.insertBefore(buildControls(), element);

  function buildLegend() {
    var box = document.createElement("div");
    box.className = "map-legend";
    [[3, labels.labelLevel3], [2, labels.labelLevel2], [1, labels.labelLevel1]].forEach(function (entry) {
      var row = text("div", "");
      var swatch = text("span", "", "swatch");
      swatch.style.background = colours[entry[0]];
      row.appendChild(swatch);
      row.appendChild(document.createTextNode(entry[1]));
      box.appendChild(row);
    });
    var row = text("div", "");
    row.appendChild(text("span", "", "swatch swatch-unassessed"));
    row.appendChild(document.createTextNode(labels.labelUnassessed));
    box.appendChild(row);
    var line = text("div", "");
    line.appendChild(text("span", "", "swatch swatch-kecamatan"));
    line.appendChild(document.createTextNode(labels.labelKecamatan));
    box.appendChild(line);
    if (shortfallMode) {
      var short = text("div", "");
      short.appendChild(text("span", "", "swatch swatch-short"));
      short.appendChild(document.createTextNode(labels.labelShortOutline));
      box.appendChild(short);
    }
    if (focusCode) {
      var focus = text("div", "");
      focus.appendChild(text("span", "", "swatch swatch-focus"));
      focus.appendChild(document.createTextNode(labels.labelFocus));
      box.appendChild(focus);
    }
    return box;
  }
  if (!progressMode) element.parentNode.insertBefore(buildLegend(), element.nextSibling);

  if (progressMode) {
    var progressLegend = document.createElement("div");
    progressLegend.className = "map-legend map-legend-progress";
    element.parentNode.insertBefore(progressLegend, element.nextSibling);
    var legendText = document.getElementById("map-progress-labels");
    var swatchRow = function (colour, label, outline) {
      var row = text("div", "");
      var swatch = text("span", "", "swatch");
      if (outline) {
        swatch.style.background = "transparent";
        swatch.style.border = "3px solid " + colour;
      } else {
        swatch.style.background = colour;
      }
      row.appendChild(swatch);
      row.appendChild(document.createTextNode(label));
      return row;
    };
    var paint = function (board) {
      var byCode = {};
      board.villages.forEach(function (v) { byCode[v.code] = v; });
      villages.eachLayer(function (layer) {
        var p = layer.feature.properties;
        var found = byCode[p.code];
        p.stage = found ? found.stage : "";
        p.worst_severity = found ? found.worst_severity : 0;
        layer.setStyle(villageStyle(layer.feature));
      });
      // The legend names the stages in the board's own words (its language), rebuilt each time.
      while (progressLegend.firstChild) progressLegend.removeChild(progressLegend.firstChild);
      progressLegend.appendChild(swatchRow(STAGE_COLOURS[""], legendText ? legendText.dataset.notStarted : "–"));
      board.villages_per_stage.forEach(function (s) {
        progressLegend.appendChild(swatchRow(STAGE_COLOURS[s.stage] || STAGE_COLOURS[""], s.label));
      });
      if (legendText) progressLegend.appendChild(swatchRow(INCIDENT_COLOURS[3], legendText.dataset.incidents, true));
      element.dataset.painted = board.generated_at;
    };
    document.addEventListener("posko:board", function (event) { paint(event.detail); });
    if (window.poskoLastData && window.poskoLastData()) paint(window.poskoLastData());
  }

  element.dataset.markers = String(villages.getLayers().length);
})();
