// Posko board: conditional polling of the board API (ETag / If-None-Match). An unchanged board costs
// the server one indexed row read and answers 304; data is written as text nodes only.
(function () {
  "use strict";
  var root = document.getElementById("posko");
  if (!root) return;
  var d = root.dataset;
  var etag = null;
  var lastData = null;
  var stageLabels = {};

  function text(id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = String(value);
  }
  function el(tag, value, cls) {
    var node = document.createElement(tag);
    if (value !== undefined && value !== null) node.textContent = String(value);
    if (cls) node.className = cls;
    return node;
  }
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }
  function km(metres) {
    return (metres / 1000).toLocaleString("id-ID", { maximumFractionDigits: 1 });
  }

  function triage(id, verb, body) {
    return fetch(d.incidentUrl + id + "/" + verb + "/", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": d.csrf, Accept: "application/json" },
      body: JSON.stringify(body || {}),
    }).then(function (response) {
      if (!response.ok) {
        return response.json().then(function (err) {
          var messages = [];
          Object.keys(err.errors || {}).forEach(function (k) { messages = messages.concat(err.errors[k]); });
          text("posko-status", messages.join(" ") || err.detail || response.status);
        });
      }
      text("posko-status", "");
      return poll();
    });
  }

  // Dispatch: the nearest team is proposed by the server; one click sends exactly that team.
  function proposeTeam(id, li) {
    var old = li.querySelector(".proposal");
    if (old) li.removeChild(old);
    var box = el("div", null, "proposal");
    li.appendChild(box);
    fetch(d.incidentUrl + id + "/dispatch-proposal/", {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    })
      .then(function (response) { return response.json().then(function (data) { return [response, data]; }); })
      .then(function (pair) {
        var data = pair[1];
        if (!pair[0].ok) { box.appendChild(el("p", data.detail || pair[0].status, "error")); return; }
        if (!data.team.length) { box.appendChild(el("p", data.message, "error")); return; }
        var list = el("ul");
        data.team.forEach(function (o) {
          var far = o.distance_km === null ? "?" : km(Math.round(o.distance_km * 1000));
          list.appendChild(el("li", o.name + " — " + (o.duty_label || o.duty) + " · " + o.place + " (" + far + " km)"));
        });
        box.appendChild(list);
        var send = el("button", d.labelSend + " (" + data.team.length + ")", "send-team");
        send.type = "button";
        send.addEventListener("click", function () {
          send.disabled = true;
          triage(id, "dispatch", { officers: data.team.map(function (o) { return o.officer; }) });
        });
        box.appendChild(send);
      })
      .catch(function () { text("posko-status", d.labelOffline); });
  }

  function incidentItem(row) {
    var li = el("li", null, "incident sev-" + row.severity + " state-" + row.state);
    li.dataset.id = row.id;
    var head = el("div");
    head.appendChild(el("span", row.severity, "badge level-" + row.severity));
    head.appendChild(el("strong", " #" + row.id + " " + row.category + " — " + row.desa + " (" + row.kecamatan + ")"));
    head.appendChild(el("span", " · " + row.state_label, "muted state"));
    li.appendChild(head);
    li.appendChild(el("p", row.description));
    var meta = new Date(row.reported_at).toLocaleTimeString("id-ID") + " · " + row.reported_by;
    if (row.photos) meta += " · " + row.photos + " foto";
    if (row.dispatched) meta += " · " + d.labelDispatched + ": " + row.dispatched;
    if (row.resolution_note) meta += " · " + row.resolution_note;
    li.appendChild(el("small", meta, "muted"));
    if (d.canTriage === "1" && row.state !== "resolved") {
      var actions = el("div", null, "actions");
      if (row.state === "new") {
        var ack = el("button", d.labelAck);
        ack.type = "button";
        ack.addEventListener("click", function () { triage(row.id, "acknowledge"); });
        actions.appendChild(ack);
      }
      var propose = el("button", d.labelPropose, "propose");
      propose.type = "button";
      propose.addEventListener("click", function () { proposeTeam(row.id, li); });
      actions.appendChild(propose);
      var resolve = el("button", d.labelResolve);
      resolve.type = "button";
      resolve.addEventListener("click", function () {
        var note = window.prompt(d.labelNote);
        if (note) triage(row.id, "resolve", { note: note });
      });
      actions.appendChild(resolve);
      li.appendChild(actions);
    }
    return li;
  }

  function render(data) {
    lastData = data;
    // The board's map (dashboard-map.js, progress mode) recolours its villages from the same data.
    document.dispatchEvent(new CustomEvent("posko:board", { detail: data }));
    text("posko-stage", data.stage.label);
    text("posko-updated", new Date(data.generated_at).toLocaleTimeString("id-ID"));
    text("present", data.personnel.present);
    text("planned", data.personnel.planned);
    ["1", "2", "3"].forEach(function (s) { text("open-" + s, data.incidents_open[s]); });
    text("closed", data.incidents_closed);
    text("not-started", data.villages_not_started);
    var counts = document.getElementById("stage-counts");
    var first = counts.firstElementChild;
    clear(counts);
    counts.appendChild(first);
    data.villages_per_stage.forEach(function (s) {
      stageLabels[s.stage] = s.label;
      var li = el("li", s.label + ": ");
      li.appendChild(el("strong", s.count));
      counts.appendChild(li);
    });
    var feed = document.getElementById("incident-feed");
    clear(feed);
    if (!data.incidents.length) feed.appendChild(el("li", d.labelNone, "muted"));
    data.incidents.forEach(function (row) { feed.appendChild(incidentItem(row)); });
    text("late-total", data.late.total);
    var late = document.getElementById("late-list");
    clear(late);
    data.late.officers.forEach(function (o) {
      late.appendChild(el("li", o.officer + " (" + o.nrp + ") — " + o.duty + " " + o.place));
    });
    if (data.far) {
      text("far-total", data.far.total);
      var note = document.getElementById("far-note");
      note.textContent = note.dataset.text.replace("{km}", km(data.far.threshold_m));
      var far = document.getElementById("far-list");
      clear(far);
      data.far.officers.forEach(function (o) {
        far.appendChild(el("li", o.officer + " (" + o.nrp + ") — " + o.place + ": " + km(o.distance_m) + " km"));
      });
    }
    var rows = document.getElementById("village-rows");
    clear(rows);
    data.villages.forEach(function (v) {
      var tr = el("tr", null, v.worst_severity ? "incident-sev-" + v.worst_severity : "");
      tr.appendChild(el("td", v.desa));
      tr.appendChild(el("td", v.kecamatan));
      var level = el("td");
      level.appendChild(el("span", v.level, "badge level-" + v.level));
      tr.appendChild(level);
      tr.appendChild(el("td", stageLabels[v.stage] || "–"));
      tr.appendChild(el("td", v.open_incidents || ""));
      rows.appendChild(tr);
    });
  }

  function poll() {
    var headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    return fetch(d.boardUrl, { credentials: "same-origin", headers: headers, cache: "no-store" })
      .then(function (response) {
        if (response.status === 304) return null;
        if (!response.ok) throw new Error(String(response.status));
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (data) {
        if (data) render(data);
        if (document.getElementById("posko-status").textContent === d.labelOffline) text("posko-status", "");
      })
      .catch(function () { text("posko-status", d.labelOffline); });
  }

  poll();
  window.setInterval(poll, parseInt(d.pollMs, 10) || 4000);
  window.poskoLastData = function () { return lastData; };
})();
