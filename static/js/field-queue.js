// The field app's on-device queue: every write a field page makes (check-in, progress step,
// incident with photos) is kept in IndexedDB first and sent from there, in the order it was made,
// when there is a connection. Each item keeps its idempotency key, so a resend after a lost answer
// is harmless (the server answers the first result again), and its client time, which the server
// stores beside its own. States: menunggu, mengirim, terkirim, ditolak (with the server's reason).
//
// A phone may be shared. Each item belongs to the user who made it, and goes out only in a session
// of that user, asked from the server at each flush (never from a page, which may be a copy kept
// for someone else); the item also names its user to the server (X-Pilkades-User), which refuses
// it in anyone else's session. Another user's items wait for his next login. Copies of the field
// pages are kept per user (see adoptUser and the worker, templates/election_day/sw.js).
//
// Loaded by every page of a logged-in user (for the logout guard) and imported by the service
// worker (for Background Sync); the DOM parts run only in a window.
(function (root) {
  "use strict";
  var DB_NAME = "pilkades-lapangan";
  var ITEMS = "antrian";
  var META = "meta";
  var SYNC_TAG = "pilkades-antrian";
  var SENT_KEEP_MS = 2 * 24 * 3600 * 1000;
  var USER_HEADER = "X-Pilkades-User";
  var SHELL_PREFIX = "pilkades-lapangan-";
  // The worker names it before importing this file; a page names it on the script element.
  var sessionUrl = root.document
    ? (document.currentScript && document.currentScript.dataset.session) || ""
    : root.PILKADES_SESSION_URL;
  var channel = root.BroadcastChannel ? new BroadcastChannel(SYNC_TAG) : null;
  var dbPromise = null;

  // --- a small promise wrapper around IndexedDB --------------------------------------------------
  function done(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function db() {
    if (!dbPromise) {
      var open = indexedDB.open(DB_NAME, 1);
      open.onupgradeneeded = function () {
        open.result.createObjectStore(ITEMS, { keyPath: "id", autoIncrement: true });
        open.result.createObjectStore(META);
      };
      dbPromise = done(open);
    }
    return dbPromise;
  }
  function tx(store, mode, work) {
    return db().then(function (conn) {
      return new Promise(function (resolve, reject) {
        var t = conn.transaction(store, mode);
        var result = work(t.objectStore(store));
        t.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        t.onerror = t.onabort = function () { reject(t.error); };
      });
    });
  }
  function all() {
    return tx(ITEMS, "readonly", function (s) { return s.getAll(); }).then(function (items) {
      return items.sort(function (a, b) { return a.id - b.id; });
    });
  }
  function get(id) { return tx(ITEMS, "readonly", function (s) { return s.get(id); }); }
  // Every write of an item goes through here; a file new to the queue (from a form, or a
  // correction) is made small first and must fit in the phone's storage (see admit).
  function put(item) {
    return admit(item).then(function () {
      return tx(ITEMS, "readwrite", function (s) { return s.put(item); });
    }).then(function (id) {
      notify();
      return id;
    });
  }
  function remove(id) { return tx(ITEMS, "readwrite", function (s) { return s.delete(id); }).then(notify); }
  function meta(key, value) {
    if (value === undefined) return tx(META, "readonly", function (s) { return s.get(key); });
    return tx(META, "readwrite", function (s) { return s.put(value, key); });
  }
  function clearAll() {
    return Promise.all([
      tx(ITEMS, "readwrite", function (s) { return s.clear(); }),
      tx(META, "readwrite", function (s) { return s.clear(); }),
    ]).then(notify);
  }
  function notify() {
    if (channel) channel.postMessage("changed");
    if (root.document) root.dispatchEvent(new Event("pilkades-queue"));
  }

  function uuid() {
    if (root.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // --- photos and the phone's storage ------------------------------------------------------------
  // A photo enters the queue as a JPEG of at most 1600 px on its long side and at most 300 KB: the
  // quality is lowered step by step, and a picture that still does not fit (fine detail everywhere)
  // is made smaller again. A file is "ready" once admitted: what was sent is never changed again
  // (the same key with another body would be refused). Other files (PDF) go as they are.
  var PHOTO_SIDE = 1600;
  var PHOTO_BYTES = 300 * 1024;
  var QUALITIES = [0.85, 0.75, 0.65, 0.55, 0.45, 0.35];
  var ROOM_MARGIN = 256 * 1024; // IndexedDB's own overhead and what the worker's caches may add

  function jpeg(bitmap, width, height, quality) {
    var canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    var context = canvas.getContext("2d");
    context.fillStyle = "#fff"; // a transparent PNG's background, as JPEG has no alpha
    context.fillRect(0, 0, width, height);
    context.drawImage(bitmap, 0, 0, width, height);
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
  }
  function shrink(file) {
    if (!/^image\/(jpeg|png|webp|gif|bmp)$/.test(file.type) || !root.createImageBitmap) {
      return Promise.resolve(file);
    }
    return createImageBitmap(new Blob([file.data], { type: file.type })).then(function (bitmap) {
      var long = Math.max(bitmap.width, bitmap.height);
      if (long <= PHOTO_SIDE && file.type === "image/jpeg" && file.data.byteLength <= PHOTO_BYTES) {
        return file; // already small enough: not re-encoded
      }
      var attempt = function (side, step) {
        var scale = Math.min(1, side / long);
        var width = Math.max(1, Math.round(bitmap.width * scale));
        var height = Math.max(1, Math.round(bitmap.height * scale));
        return jpeg(bitmap, width, height, QUALITIES[step]).then(function (blob) {
          if (!blob) throw new Error("encode");
          if (blob.size <= PHOTO_BYTES || side < 320) return blob;
          if (step + 1 < QUALITIES.length) return attempt(side, step + 1);
          return attempt(Math.round(Math.min(side, long) * 0.8), 2); // smaller, from a middle quality
        });
      };
      return attempt(PHOTO_SIDE, 0).then(function (blob) {
        return blob.arrayBuffer().then(function (data) {
          var base = (file.filename || "foto").replace(/\.[^.]*$/, "");
          return { name: file.name, filename: base + ".jpg", type: "image/jpeg", data: data };
        });
      });
    }).catch(function () { return file; }); // not decodable here (HEIC on some phones): the server decides
  }
  // Bytes still free for this site, or Infinity where the browser does not say.
  function room() {
    if (!root.navigator || !navigator.storage || !navigator.storage.estimate) return Promise.resolve(Infinity);
    return navigator.storage.estimate().then(function (e) {
      return e.quota ? e.quota - (e.usage || 0) : Infinity;
    }, function () { return Infinity; });
  }
  function full(free) {
    var error = new Error("full");
    error.name = "QuotaExceededError";
    error.free = free;
    return error;
  }
  function admit(item) {
    var fresh = (item.files || []).filter(function (f) { return !f.ready; });
    if (!fresh.length) return Promise.resolve();
    if (!root.document) { // the worker only re-writes items the page admitted
      fresh.forEach(function (f) { f.ready = true; });
      return Promise.resolve();
    }
    return Promise.all(item.files.map(function (f) { return f.ready ? f : shrink(f); })).then(function (files) {
      var bytes = files.reduce(function (sum, f) { return sum + (f.ready ? 0 : f.data.byteLength); }, 0);
      return room().then(function (free) {
        if (free < bytes + ROOM_MARGIN) {
          var error = full(free);
          // Said on the page whichever form queued it (the risk report form has its own handler).
          root.dispatchEvent(new CustomEvent("pilkades-queue-full", { detail: error }));
          throw error;
        }
        files.forEach(function (f) { f.ready = true; });
        item.files = files;
      });
    });
  }

  // --- whose phone it is now --------------------------------------------------------------------
  // The worker keeps a field page's copy under its user's key; without signal it shows only the
  // copies of meta "user": the last user the server (a page's answer, or the session check of a
  // flush) named logged in here. Naming another user deletes the previous one's copies at once;
  // his queued items stay, and wait for him.
  function pageKey(path, user) {
    return path + "?pengguna=" + encodeURIComponent(user);
  }
  function adoptUser(user) {
    if (!user) return Promise.resolve();
    return meta("user").then(function (known) {
      if (known === user) return undefined;
      return meta("user", user).then(function () { return dropPagesNotOf(user); });
    });
  }
  function dropPagesNotOf(user) {
    return dropPages(function (owner) { return owner !== user; });
  }
  function dropPagesOf(user) {
    return dropPages(function (owner) { return owner === user; });
  }
  function dropPages(whose) {
    if (!root.caches) return Promise.resolve();
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf(SHELL_PREFIX) === 0; }).map(function (name) {
        return caches.open(name).then(function (cache) {
          return cache.keys().then(function (requests) {
            return Promise.all(requests.filter(function (r) {
              var owner = new URL(r.url).searchParams.get("pengguna");
              return owner !== null && whose(owner);
            }).map(function (r) { return cache.delete(r); }));
          });
        });
      }));
    });
  }
  // The user of this browser's live session, from the server: null when nobody is logged in;
  // rejects without signal.
  function liveUser() {
    // Without signal, no request at all: a failed one costs the phone more than it tells.
    if (root.navigator && navigator.onLine === false) return Promise.reject(new Error("offline"));
    return fetch(sessionUrl, {
      credentials: "same-origin",
      cache: "no-store",
      redirect: "manual",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      if (!response.ok) return null;
      return response.json().then(function (json) { return json.user ? String(json.user) : null; });
    });
  }

  function pending(items, user) {
    return items.filter(function (i) {
      return i.user === user && (i.state === "menunggu" || i.state === "mengirim");
    });
  }

  // --- sending ----------------------------------------------------------------------------------
  function body(item) {
    var data = new FormData();
    item.fields.forEach(function (pair) { data.append(pair[0], pair[1]); });
    item.files.forEach(function (f) { data.append(f.name, new Blob([f.data], { type: f.type }), f.filename); });
    data.append("client_time", item.created);
    if (item.keyField) data.append(item.keyField, item.key); // a form that reads its key from the body
    return data;
  }
  // The server's refusal: one line for the queue page, and its errors by field for the form that
  // reopens the item.
  function reasonOf(response) {
    return response.json().then(function (json) {
      var lines = [];
      var errors = json.errors && typeof json.errors === "object" ? json.errors : {};
      Object.keys(errors).forEach(function (field) {
        [].concat(errors[field]).forEach(function (m) { lines.push(typeof m === "string" ? m : JSON.stringify(m)); });
      });
      return { text: lines.length ? lines.join(" ") : String(json.detail || response.status), errors: errors };
    }, function () { return { text: "HTTP " + response.status, errors: {} }; });
  }
  // Answers that say "not now" rather than "no": the item stays waiting and the flush stops.
  var SESSION_PROBLEM = /CSRF|kredensial|credentials|autenti|authenticat/i;

  // An arrival stored far from its desa's point (the server's is_far): the officer is told at once,
  // on the page he tapped from, and the item keeps the note for the queue page.
  function farNote(item, response) {
    if (item.kind !== "checkin") return Promise.resolve();
    return response.clone().json().then(function (answer) {
      if (!answer.is_far || !root.document) return;
      var script = document.querySelector("script[data-text-far]");
      if (!script) return;
      var km = (answer.distance_m / 1000).toLocaleString("id-ID", { maximumFractionDigits: 1 });
      item.reason = script.dataset.textFar.replace("{km}", km).replace("{label}", item.label || "");
      root.dispatchEvent(new CustomEvent("pilkades-far", { detail: item.reason }));
    }).catch(function () {});
  }

  function sendOne(item, csrf) {
    item.state = "mengirim";
    (item.files || []).forEach(function (f) { f.ready = true; }); // as sent: never re-encoded
    return put(item).then(function () {
      return fetch(item.url, {
        method: "POST",
        body: body(item),
        credentials: "same-origin",
        redirect: "manual",
        headers: {
          Accept: "application/json",
          "X-CSRFToken": csrf || "",
          "Idempotency-Key": item.key,
          "X-Pilkades-User": item.user,
        },
      });
    }).then(function (response) {
      if (response.ok) {
        item.state = "terkirim";
        item.sentAt = new Date().toISOString();
        item.reason = "";
        item.errors = null;
        return farNote(item, response).then(function () { return put(item); }).then(function () { return true; });
      }
      // 409 naming another user: the session changed hands since the flush began (shared phone).
      var otherSession = response.status === 409 && response.headers.get(USER_HEADER) !== item.user;
      var later = response.type === "opaqueredirect" || response.status === 401 || response.status >= 500
        || otherSession;
      return reasonOf(response).then(function (reason) {
        item.reason = reason.text;
        if (later || (response.status === 403 && SESSION_PROBLEM.test(reason.text))) {
          item.state = "menunggu";
          return put(item).then(function () { return false; });
        }
        item.state = "ditolak";
        item.errors = reason.errors;
        return put(item).then(function () { return true; });
      });
    }, function () {
      item.state = "menunggu";
      return put(item).then(function () { return false; });
    });
  }

  var flushing = null;
  // Sends every waiting item of the user logged in now (the server says who), oldest first, one
  // at a time. Resolves true when nothing of his is left waiting, false when the connection (or
  // the session: nobody logged in) stopped it. Other users' items are left as they are.
  function flush(options) {
    if (flushing) return flushing;
    var run = function () {
      return liveUser().then(function (live) {
        if (!live) return false;
        return adoptUser(live).then(function () {
          return Promise.all([meta("csrf"), all()]);
        }).then(function (got) {
          var csrf = root.document ? cookie("csrftoken") || got[0] : got[0];
          var queue = pending(got[1], live);
          var next = function (i) {
            if (i >= queue.length) return true;
            return sendOne(queue[i], csrf).then(function (ok) { return ok ? next(i + 1) : false; });
          };
          return next(0);
        });
      }, function () { return false; }); // no signal
    };
    // The worker never waits for the lock: a page that holds it is sending already, and a worker
    // event left waiting would hold up the activation of a new release, and with it the page's
    // next navigation (which waits for that activation) while the old page keeps the lock.
    var locked = !(root.navigator && navigator.locks) ? run()
      : root.document ? navigator.locks.request(SYNC_TAG, run)
      : navigator.locks.request(SYNC_TAG, { ifAvailable: true }, function (lock) { return lock ? run() : false; });
    flushing = locked.then(function (ok) {
      flushing = null;
      if (!ok && options && options.throwOnFailure) throw new Error("offline");
      return ok;
    }, function (error) {
      flushing = null;
      throw error;
    });
    return flushing;
  }

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  root.PilkadesQueue = { SYNC_TAG: SYNC_TAG, all: all, get: get, put: put, remove: remove, meta: meta,
    clearAll: clearAll, flush: flush, pending: pending, uuid: uuid, channel: channel, adoptUser: adoptUser,
    pageKey: pageKey };
  if (!root.document) return;

  // --- the window: status line, forms, queue page, logout guard ---------------------------------
  var script = document.currentScript;
  var text = script ? script.dataset : {};
  var user = text.user || "";
  var status = document.getElementById("queue-status");
  var message = document.getElementById("queue-message");
  var others = document.getElementById("queue-others");
  var retryDelay = 2000;
  var retryTimer = null;

  // The phone's storage is full: how much is left, and what to do.
  function fullText(error) {
    var free = error && isFinite(error.free) ? Math.max(0, Math.floor(error.free / 1024)) + " KB" : "?";
    return (text.textFull || "").replace("{free}", free);
  }
  root.PilkadesQueue.fullText = fullText;
  root.addEventListener("pilkades-queue-full", function (event) { say(fullText(event.detail), "error"); });

  function say(line, kind) {
    if (!message) return;
    message.textContent = line;
    message.className = "queue-message " + (kind || "");
  }
  root.addEventListener("pilkades-far", function (event) { say(event.detail, "error"); });

  function refresh() {
    return all().then(function (items) {
      var mine = items.filter(function (i) { return i.user === user; });
      var waiting = pending(mine, user).length;
      var refused = mine.filter(function (i) { return i.state === "ditolak"; }).length;
      if (status) {
        var parts = [];
        if (waiting) parts.push(text.textWaiting.replace("{n}", waiting));
        if (refused) parts.push(text.textRefused.replace("{n}", refused));
        status.hidden = !parts.length;
        status.querySelector("a").textContent = parts.join(" · ");
        status.className = "queue-status" + (refused ? " refused" : "");
      }
      if (others) { // another user's items: how many, never what they say
        var theirs = items.filter(function (i) {
          return i.user !== user && (i.state === "menunggu" || i.state === "mengirim");
        }).length;
        others.hidden = !theirs;
        others.textContent = theirs ? text.textOthers.replace("{n}", theirs) : "";
      }
      root.dispatchEvent(new CustomEvent("pilkades-queue-items", { detail: mine }));
      return mine;
    });
  }

  function trySend() {
    clearTimeout(retryTimer);
    return flush().then(function (ok) {
      if (ok) {
        retryDelay = 2000;
        return;
      }
      retryTimer = setTimeout(trySend, retryDelay); // no signal yet: try again, less and less often
      retryDelay = Math.min(retryDelay * 2, 60000);
    }).catch(function () {});
  }

  // Another script's item has been put in the queue: ask for Background Sync and send now.
  function send() {
    if (navigator.serviceWorker) {
      navigator.serviceWorker.ready.then(function (reg) {
        return reg.sync && reg.sync.register(SYNC_TAG);
      }).catch(function () {});
    }
    return trySend();
  }
  root.PilkadesQueue.send = send;
  root.PilkadesQueue.user = user;

  function fieldsOf(form) {
    var fields = [];
    var files = [];
    var reading = [];
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "idempotency_key") return;
      if (value instanceof File) {
        if (!value.size) return;
        reading.push(value.arrayBuffer().then(function (data) {
          files.push({ name: name, filename: value.name, type: value.type, data: data });
        }));
        return;
      }
      fields.push([name, value]);
    });
    return Promise.all(reading).then(function () { return { fields: fields, files: files }; });
  }

  function labelOf(form) {
    var parts = [form.dataset.queueLabel];
    Array.prototype.forEach.call(form.querySelectorAll("select"), function (s) {
      if (s.selectedIndex >= 0 && s.value) parts.push(s.options[s.selectedIndex].text);
    });
    return parts.filter(Boolean).join(" · ");
  }

  function enqueue(form) {
    var replaces = form.dataset.replaces ? Number(form.dataset.replaces) : null;
    return Promise.all([fieldsOf(form), replaces ? get(replaces) : null]).then(function (got) {
      var item = got[1] || { created: new Date().toISOString(), user: user };
      item.key = uuid(); // a corrected item is another request: a new key
      item.kind = form.dataset.queueKind;
      item.url = form.dataset.queueUrl;
      item.page = location.pathname;
      item.form = form.id;
      item.label = labelOf(form);
      item.fields = got[0].fields;
      if (!replaces || got[0].files.length) item.files = got[0].files;
      item.state = "menunggu";
      item.reason = "";
      return put(item);
    }).then(function () {
      say(text.textQueued, "ok");
      delete form.dataset.replaces;
      if (form.dataset.queueReset !== undefined) form.reset();
      if (form.dataset.queueOnce !== undefined) form.querySelector("[type=submit]").disabled = true;
      send();
    }, function (error) {
      say(error && error.name === "QuotaExceededError" ? fullText(error) : String(error), "error");
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-queue-url]"), function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      setTimeout(enqueue, 0, form); // after the other submit handlers (the phone's position)
    });
  });

  // "Perbaiki" on the queue page opens the form again with the refused item's values.
  var correcting = new URLSearchParams(location.search).get("antrian");
  if (correcting) {
    get(Number(correcting)).then(function (item) {
      var form = item && document.getElementById(item.form);
      if (!form) return;
      item.fields.forEach(function (pair) {
        var el = form.elements.namedItem(pair[0]);
        if (el && el.type !== "file") el.value = pair[1];
      });
      form.dataset.replaces = String(item.id);
      say(text.textCorrecting + " " + item.reason, "error");
      form.scrollIntoView();
    });
  }

  // The queue page.
  var list = document.getElementById("queue-list");
  if (list) {
    root.addEventListener("pilkades-queue-items", function (event) {
      list.textContent = "";
      document.getElementById("queue-empty").hidden = event.detail.length > 0;
      event.detail.slice().reverse().forEach(function (item) {
        var li = document.createElement("li");
        li.className = "card queue-item state-" + item.state;
        li.dataset.state = item.state;
        var title = document.createElement("strong");
        title.textContent = item.label;
        var when = document.createElement("span");
        when.className = "muted";
        when.textContent = " " + new Date(item.created).toLocaleString("id-ID");
        var state = document.createElement("p");
        state.className = "queue-state";
        state.textContent = text["state" + item.state.charAt(0).toUpperCase() + item.state.slice(1)];
        li.append(title, when, state);
        if (item.reason && item.state !== "terkirim") {
          var reason = document.createElement("p");
          reason.className = "queue-reason";
          reason.textContent = item.reason;
          li.appendChild(reason);
        }
        if (item.state === "ditolak") {
          var fix = document.createElement("a");
          fix.className = "button";
          fix.href = item.page + "?antrian=" + item.id;
          fix.textContent = text.textFix;
          var again = document.createElement("button");
          again.type = "button";
          again.textContent = text.textResend;
          again.addEventListener("click", function () {
            item.state = "menunggu";
            if (!item.keyField) item.key = uuid(); // a report keeps its key: it names the report
            put(item).then(trySend);
          });
          var drop = document.createElement("button");
          drop.type = "button";
          drop.textContent = text.textDiscard;
          drop.addEventListener("click", function () { remove(item.id); });
          li.append(fix, " ", again, " ", drop);
        }
        list.appendChild(li);
      });
    });
    var sendNow = document.getElementById("queue-send");
    if (sendNow) sendNow.addEventListener("click", trySend);
  }

  // Logging out on a shared phone: send first, warn about what could not be sent, then leave
  // nothing of this user behind: his items, his copies of pages. Another user's items waiting for
  // him to log in again stay (they were his reports, made without signal); only when there are
  // none is everything cleared, the worker too. The form tells the server which, so that its
  // Clear-Site-Data header does not wipe the queue those items are in.
  function othersWaiting(items, user) {
    return items.some(function (i) { return i.user !== user; });
  }
  function forget(user, items) {
    if (!othersWaiting(items, user)) return forgetAll();
    var mine = items.filter(function (i) { return i.user === user; });
    return Promise.all(mine.map(function (i) {
      return tx(ITEMS, "readwrite", function (s) { return s.delete(i.id); });
    }).concat([
      meta("user").then(function (known) {
        return known === user ? tx(META, "readwrite", function (s) { return s.delete("user"); }) : undefined;
      }),
      tx(META, "readwrite", function (s) { return s.delete("csrf"); }),
      dropPagesOf(user),
    ])).then(notify).catch(function () {});
  }
  function forgetAll() {
    var steps = [clearAll()];
    if (root.caches) {
      steps.push(caches.keys().then(function (names) {
        return Promise.all(names.filter(function (n) { return n.indexOf(SHELL_PREFIX) === 0; })
          .map(function (n) { return caches.delete(n); }));
      }));
    }
    if (navigator.serviceWorker) {
      steps.push(navigator.serviceWorker.getRegistrations().then(function (regs) {
        return Promise.all(regs.map(function (r) { return r.unregister(); }));
      }));
    }
    return Promise.all(steps).catch(function () {});
  }
  Array.prototype.forEach.call(document.querySelectorAll("form[action]"), function (form) {
    if (!text.logout || form.getAttribute("action") !== text.logout) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var timeout = new Promise(function (resolve) { setTimeout(resolve, 8000); });
      Promise.race([flush().catch(function () {}), timeout]).then(all).then(function (items) {
        var left = pending(items, user).length;
        if (left && !root.confirm(text.textLogout.replace("{n}", left))) return;
        if (othersWaiting(items, user)) {
          var keep = document.createElement("input");
          keep.type = "hidden";
          keep.name = "antrian_lain";
          keep.value = "1";
          form.appendChild(keep);
        }
        var leave = function () { form.submit(); };
        Promise.race([forget(user, items), new Promise(function (r) { setTimeout(r, 2000); })]).then(leave, leave);
      }, function () { form.submit(); });
    });
  });

  // A field page opened from the phone's copy (the worker's, refreshed at each visit with signal):
  // say how old what it shows is. The page carries the time it was made; the phone's clock is
  // near the server's, so a page more than two minutes old, or opened offline, is a copy.
  var cachedAt = document.getElementById("cached-at");
  function showAge() {
    if (!cachedAt) return;
    var age = Date.now() - Number(cachedAt.dataset.rendered) * 1000;
    cachedAt.textContent = cachedAt.dataset.text.replace("{waktu}", cachedAt.dataset.when);
    cachedAt.hidden = navigator.onLine && age < 120000;
  }
  showAge();
  root.addEventListener("offline", showAge);

  // --- start --------------------------------------------------------------------------------
  if (!user) return;
  // A page with signal is the server's word on who is logged in; a copy without signal is only
  // ever shown to that same user (the worker), so it changes nothing here.
  adoptUser(user);
  meta("csrf", cookie("csrftoken"));
  all().then(function (items) {
    var now = Date.now();
    return Promise.all(items.map(function (item) {
      if (item.state === "mengirim") { // the page closed mid-send: send again (same key)
        item.state = "menunggu";
        return put(item);
      }
      if (item.state === "terkirim" && now - Date.parse(item.sentAt) > SENT_KEEP_MS) return remove(item.id);
      return null;
    }));
  }).then(refresh).then(trySend);
  root.addEventListener("pilkades-queue", refresh);
  if (channel) channel.onmessage = refresh;
  root.addEventListener("online", function () {
    retryDelay = 2000;
    trySend();
  });

  if (status && status.dataset.sw && navigator.serviceWorker) {
    // One registration per field area (the Hari-H pages, the new risk report form), each scoped to
    // that area only: the worker never sees the HQ pages, the admin or the API.
    status.dataset.scopes.split(" ").forEach(function (scope) {
      navigator.serviceWorker.register(status.dataset.sw, { scope: scope }).then(function (reg) {
        // A new release installed at an earlier visit takes over now, when the page has just
        // opened, never while a form is being filled in.
        if (reg.waiting) reg.waiting.postMessage("activate-now");
      }).catch(function () {});
    });
  }
})(typeof self !== "undefined" ? self : window);
