// The field report form on a phone with weak signal.
//
// - Every change is kept in localStorage at once, so nothing typed is lost when the page or the
//   connection goes away; the stored copy is restored when the form is opened again.
// - A draft is saved on the server in the background shortly after each change (without the
//   photos, which go up with "Simpan draf" and "Ajukan" only).
// - Saves and the submission carry the report's idempotency key and are sent one at a time; a
//   request that fails for want of a connection is retried until it gets through, so the server
//   sees the report once however often the phone resends it.
(function () {
  "use strict";
  var form = document.querySelector("form[data-report-form]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var text = form.dataset;
  var statusLine = document.getElementById("save-status");
  var select = form.querySelector("select[name=village_election]");
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
    Object.keys(data.values || {}).forEach(function (name) {
      var el = form.elements.namedItem(name);
      if (!el || el.disabled) {
        return;
      }
      if (el instanceof RadioNodeList) {
        el.value = data.values[name]; // checks the radio button with that value
      } else if (el.type === "checkbox") {
        el.checked = Boolean(data.values[name]);
      } else {
        el.value = data.values[name];
      }
    });
    if (data.target) {
      target = data.target;
    }
    document.getElementById("restored").hidden = false;
    revision += 1;
    submitWanted = Boolean(data.submit);
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
    if (busy) {
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

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var action = event.submitter ? event.submitter.value : "draft";
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

  restore();
  if (submitWanted || revision > savedRevision) {
    flush();
  }
})();
