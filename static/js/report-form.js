// The field report form on a phone with weak signal.
//
// - Every change is kept in localStorage at once, so nothing typed is lost when the page or the
//   connection goes away; the stored copy is restored when the form is opened again.
// - A draft is saved on the server in the background shortly after each change (without the
//   photos, which go up with "Simpan draf" and "Ajukan" only).
// - Saves and the submission carry the report's idempotency key, so the server sees the report
//   once however often the phone resends it. A draft save that fails for want of a connection is
//   retried until it gets through.
// - "Ajukan" puts the submission in the field app's queue (static/js/field-queue.js), sent in order
//   with the check-ins and incidents: without signal it waits there, a refusal is shown here with
//   the server's errors (or on the queue page, whose "Perbaiki" reopens it here, prefilled).
// - The page also opens without signal (the service worker's copy), so a new report gets a key of
//   its own here rather than the one in that copy.
(function () {
  "use strict";
  var form = document.querySelector("form[data-report-form]");
  var queue = window.PilkadesQueue && window.PilkadesQueue.send ? window.PilkadesQueue : null;
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var text = form.dataset;
  var statusLine = document.getElementById("save-status");
  var select = form.querySelector("select[name=village_election]");
  var keyInput = form.querySelector("input[name=idempotency_key]");
  var params = new URLSearchParams(window.location.search);
  // Not form.action: the buttons named "action" shadow that property.
  var target = new URL(form.getAttribute("action"), window.location.href).href;
  var storeKey = "pilkades:report:" + form.dataset.user + ":" + (form.dataset.reportId || "new");
  var AUTOSAVE_DELAY_MS = 1500;
  var RETRY_MAX_MS = 30000;

  var revision = 0; // bumped on every edit
  var savedRevision = 0; // the revision the server has
  var submitWanted = false;
  var explicitSave = false; // "Simpan draf" pressed: send now, photos included
  var busy = false;
  var timer = null;
  var retryDelay = 2000;
  var queuedId = null; // the queue item holding this form's submission
  var handedOff = false; // the submission is the queue's until it is sent or refused

  function storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null; // private mode or disabled: the form still works, without the local copy
    }
  }

  function say(message, kind) {
    statusLine.textContent = message;
    statusLine.className = "save-status " + (kind || "muted");
  }

  function values() {
    var result = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.type === "submit" || el.name === "csrfmiddlewaretoken") {
        return;
      }
      if (el.type === "radio") {
        if (el.checked) {
          result[el.name] = el.value;
        }
        return;
      }
      result[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    return result;
  }

  function remember() {
    var store = storage();
    if (store) {
      store.setItem(storeKey, JSON.stringify({ values: values(), target: target, submit: submitWanted }));
    }
  }

  function forget() {
    var store = storage();
    if (store) {
      store.removeItem(storeKey);
    }
  }

  function restore() {
    var store = storage();
    var saved = store && store.getItem(storeKey);
    if (!saved) {
      return;
    }
    var data;
    try {
      data = JSON.parse(saved);
    } catch (e) {
      forget();
      return;
    }
    fill(data.values || {});
    if (data.target) {
      target = data.target;
    }
    document.getElementById("restored").hidden = false;
    revision += 1;
    submitWanted = Boolean(data.submit);
  }

  function fill(given) {
    Object.keys(given).forEach(function (name) {
      var el = form.elements.namedItem(name);
      if (!el || el.disabled) {
        return;
      }
      if (el instanceof RadioNodeList) {
        el.value = given[name]; // checks the radio button with that value
      } else if (el.type === "checkbox") {
        el.checked = Boolean(given[name]);
      } else if (el.type !== "file") {
        el.value = given[name];
      }
    });
  }

  function clearErrors() {
    Array.prototype.forEach.call(form.querySelectorAll(".js-error"), function (node) {
      node.remove();
    });
    Array.prototype.forEach.call(form.querySelectorAll(".invalid"), function (node) {
      node.classList.remove("invalid");
    });
    form.querySelector("[data-errors-for=__all__]").hidden = true;
  }

  function showErrors(errors) {
    clearErrors();
    Object.keys(errors).forEach(function (name) {
      var list = document.createElement("ul");
      list.className = "errorlist js-error";
      errors[name].forEach(function (message) {
        var item = document.createElement("li");
        item.textContent = message;
        list.appendChild(item);
      });
      var el = form.elements.namedItem(name);
      if (el instanceof RadioNodeList) {
        el = document.getElementById("id_" + name); // the group of yes/no/unknown buttons
      }
      if (el && el.nodeType === 1) {
        el.classList.add("invalid");
        el.insertAdjacentElement("afterend", list);
      } else {
        var top = form.querySelector("[data-errors-for=__all__]");
        top.hidden = false;
        top.appendChild(list);
      }
    });
  }

  function body(action, withFiles) {
    var data = new FormData(form);
    data.set("action", action);
    if (!withFiles) {
      Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
        data.delete(input.name);
      });
    }
    return data;
  }

  // After the first save the report exists: later saves go to its own page, as a reload would.
  function adopt(result) {
    var url = new URL(result.edit_url, window.location.href).href;
    if (target === url) {
      return;
    }
    forget();
    target = url;
    form.setAttribute("action", url);
    form.dataset.reportId = String(result.id);
    storeKey = "pilkades:report:" + form.dataset.user + ":" + result.id;
    if (select) {
      select.disabled = true;
    }
    window.history.replaceState(null, "", url);
  }

  function retryLater() {
    clearTimeout(timer);
    timer = setTimeout(flush, retryDelay);
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
  }

  function flush() {
    clearTimeout(timer);
    if (busy || handedOff) {
      return;
    }
    var submitting = submitWanted;
    if (!submitting && savedRevision === revision) {
      return;
    }
    busy = true;
    var sending = revision;
    say(submitting ? text.textSubmitting : text.textSaving);
    fetch(target, {
      method: "POST",
      body: body(submitting ? "submit" : "draft", submitting || explicitSave),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.redirected || type.indexOf("application/json") === -1) {
          if (response.status >= 500) {
            throw new TypeError("server unavailable");
          }
          // The login page or an error page: the session ended or the server refused.
          say(response.redirected ? text.textSession : text.textFailed + " (" + response.status + ")", "error");
          submitWanted = false;
          return null;
        }
        return response.json().then(function (result) {
          if (!response.ok) {
            submitWanted = false;
            showErrors(result.errors || {});
            say(text.textInvalid, "error");
            return null;
          }
          return result;
        });
      })
      .then(function (result) {
        busy = false;
        retryDelay = 2000;
        if (!result) {
          return;
        }
        clearErrors();
        explicitSave = false;
        savedRevision = sending;
        if (result.next) {
          forget();
          window.location.assign(result.next);
          return;
        }
        adopt(result);
        if (savedRevision === revision && !submitWanted) {
          forget();
        } else {
          remember();
        }
        say(text.textSaved + " " + result.saved_at + " · " + result.status_label);
        flush();
      })
      .catch(function () {
        busy = false;
        say(text.textOffline, "offline");
        retryLater();
      });
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  function changed() {
    revision += 1;
    remember();
    clearTimeout(timer);
    timer = setTimeout(flush, AUTOSAVE_DELAY_MS);
  }

  // --- the submission goes through the field app's queue --------------------------------------
  function itemFields() {
    var fields = [];
    var files = [];
    var reading = [];
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "idempotency_key" || name === "action") {
        return;
      }
      if (value instanceof File) {
        if (value.size) {
          reading.push(value.arrayBuffer().then(function (data) {
            files.push({ name: name, filename: value.name, type: value.type, data: data });
          }));
        }
        return;
      }
      fields.push([name, value]);
    });
    fields.push(["action", "submit"]);
    return Promise.all(reading).then(function () {
      return { fields: fields, files: files };
    });
  }

  function label() {
    var village = select && select.selectedIndex > 0 ? select.options[select.selectedIndex].text : "";
    return [text.textLabel, village].filter(Boolean).join(" · ");
  }

  function queueSubmission() {
    handedOff = true;
    clearTimeout(timer);
    clearErrors();
    say(text.textSubmitting);
    Promise.all([itemFields(), queuedId ? queue.get(queuedId) : null])
      .then(function (got) {
        var item = got[1] || { created: new Date().toISOString(), user: queue.user, kind: "report" };
        var fresh = got[0].files;
        // A correction keeps the photos of the refused submission unless a new one replaces it.
        item.files = (item.files || []).filter(function (kept) {
          return !fresh.some(function (f) { return f.name === kept.name; });
        }).concat(fresh);
        item.keyField = "idempotency_key"; // the report's own key: a resend is the same report
        item.key = keyInput.value;
        item.url = target;
        item.page = window.location.pathname;
        item.label = label();
        item.fields = got[0].fields;
        item.state = "menunggu";
        item.reason = "";
        item.errors = null;
        return queue.put(item);
      })
      .then(function (id) {
        queuedId = id;
        forget(); // the queue holds the report now
        return queue.send();
      })
      .then(function () {
        return queue.get(queuedId);
      })
      .then(function (item) {
        if (item && item.state === "menunggu") {
          say(text.textOffline, "offline");
        }
      }, function (error) {
        handedOff = false;
        say(error && error.name === "QuotaExceededError" ? text.textFailed : String(error), "error");
      });
  }

  function settled(item) {
    if (item.state === "terkirim") {
      handedOff = false;
      window.location.assign(form.dataset.doneUrl);
    } else if (item.state === "ditolak") {
      handedOff = false;
      var errors = item.errors && Object.keys(item.errors).length ? item.errors : { __all__: [item.reason] };
      showErrors(errors);
      say(text.textInvalid, "error");
      remember();
    }
  }

  if (queue) {
    window.addEventListener("pilkades-queue-items", function (event) {
      var item = queuedId && event.detail.filter(function (i) { return i.id === queuedId; })[0];
      if (item && handedOff) {
        settled(item);
      }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var action = event.submitter ? event.submitter.value : "draft";
    if (action === "submit" && queue) {
      queueSubmission();
      return;
    }
    if (action === "submit") {
      submitWanted = true;
    } else {
      explicitSave = true;
      revision += 1;
    }
    remember();
    flush();
  });

  window.addEventListener("online", function () {
    retryDelay = 2000;
    flush();
  });

  if (!form.dataset.reportId && queue) {
    keyInput.value = queue.uuid();
  }
  var desa = params.get("desa");
  if (desa && select && !select.disabled) {
    var option = Array.prototype.filter.call(select.options, function (o) { return o.value === desa; })[0];
    if (option) {
      select.value = desa; // the page may be the phone's copy, made for another village
    }
  }
  restore();
  var correcting = params.get("antrian");
  if (queue && correcting) {
    // "Perbaiki" on the queue page: the refused submission, back in the form with its errors.
    queue.get(Number(correcting)).then(function (item) {
      if (!item || item.kind !== "report" || item.user !== queue.user || item.state === "terkirim") {
        return;
      }
      var given = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.type === "checkbox") {
          given[el.name] = false;
        } else if (el.type === "radio") {
          el.checked = false;
        }
      });
      item.fields.forEach(function (pair) {
        var el = form.elements.namedItem(pair[0]);
        given[pair[0]] = el && el.type === "checkbox" ? true : pair[1];
      });
      fill(given);
      keyInput.value = item.key;
      target = item.url;
      queuedId = item.id;
      if (item.state === "ditolak") {
        handedOff = true;
        settled(item);
      }
    });
  } else if (submitWanted || revision > savedRevision) {
    flush();
  }
})();

// "Bukti untuk indikator" is asked once a file is chosen (without the script it is always shown).
(function () {
  "use strict";
  var choice = document.querySelector("form[data-report-form] [data-attachment-for][data-until-file]");
  var file = choice && choice.parentNode.querySelector("input[type=file]");
  if (!file) {
    return;
  }
  function follow() {
    choice.hidden = !(file.files && file.files.length);
  }
  file.addEventListener("change", follow);
  follow();
})();

// The desk's facts of the chosen village (DPT, candidates, committee): shown, not asked. The page
// carries them for every village it offers, so a change of village needs no request, offline too.
// A correction with an error, or a village missing a fact, unfolds the corrections.
(function () {
  "use strict";
  var form = document.querySelector("form[data-report-form]");
  var data = document.getElementById("report-facts");
  var panel = form && form.querySelector("[data-known-facts]");
  if (!panel || !data) {
    return;
  }
  var facts = JSON.parse(data.textContent);
  var select = form.querySelector("select[name=village_election]");
  var corrections = panel.querySelector("details.corrections");
  var missingText = panel.dataset.missing;

  function show() {
    var chosen = select && select.value ? facts[select.value] || {} : null;
    panel.querySelector("[data-facts-none]").hidden = chosen !== null;
    Array.prototype.forEach.call(panel.querySelectorAll("[data-fact]"), function (dd) {
      var text = chosen ? chosen[dd.dataset.fact] : "";
      dd.textContent = chosen ? text || missingText : "";
      if (chosen && !text) {
        corrections.open = true;
      }
    });
  }

  if (select) {
    select.addEventListener("change", show);
  }
  show(); // the village may have been set by the script above (a restored or offline copy)
  new MutationObserver(function () {
    if (corrections.querySelector(".errorlist li")) {
      corrections.open = true;
    }
  }).observe(corrections, { childList: true, subtree: true });
})();
