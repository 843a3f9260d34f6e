// Pilkades Ops Lapangan: service worker for /hari-h/ only (served by election_day.offline).
// The shell (the field pages and their files) is cached on install under a name versioned per
// release. Field pages: network first, the cached copy without signal. Static files of the shell:
// cache first. Everything else (the API, other pages, other users' answers): never touched.
// A phone may be shared: a page's copy is kept under its user (the X-Pilkades-User header of the
// answer) and shown without signal only to the user last seen logged in; anyone else gets the
// offline page. Seeing another user logged in deletes the previous user's copies.
"use strict";
var VERSION = "{{ version }}";
var CACHE = "pilkades-lapangan-" + VERSION;
var PAGES = {{ pages|safe }};
var ASSETS = {{ assets|safe }};
var OFFLINE_PAGE = {{ offline_page|safe }};
var USER_HEADER = "X-Pilkades-User";
self.PILKADES_SESSION_URL = {{ session_url|safe }}; // asked by the queue before it sends
importScripts({{ queue_script|safe }});

self.addEventListener("install", function (event) {
  // No skipWaiting: the new worker waits until a page asks it to take over at its next open.
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(ASSETS).then(function () {
        return Promise.all(
          PAGES.map(function (url) {
            return fetch(url, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
              var owner = response.headers.get(USER_HEADER);
              if (!response.ok || response.type !== "basic" || !owner) return undefined;
              return PilkadesQueue.adoptUser(owner).then(function () {
                return cache.put(PilkadesQueue.pageKey(url, owner), response);
              });
            }).catch(function () {});
          })
        );
      });
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(
        names.filter(function (name) {
          return name.indexOf("pilkades-lapangan-") === 0 && name !== CACHE;
        }).map(function (name) {
          return caches.delete(name);
        })
      );
    }).then(function () {
      return self.clients.claim();
    })
  );
});

self.addEventListener("message", function (event) {
  if (event.data === "activate-now") self.skipWaiting();
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && PAGES.indexOf(url.pathname) !== -1) {
    event.respondWith(
      fetch(request).then(function (response) {
        // Only the page itself, of a logged-in user: not a redirect to the login page, not an error.
        var owner = response.headers.get(USER_HEADER);
        if (response.ok && !response.redirected && owner) {
          var copy = response.clone();
          event.waitUntil(PilkadesQueue.adoptUser(owner).then(function () {
            return caches.open(CACHE);
          }).then(function (cache) {
            return cache.put(PilkadesQueue.pageKey(url.pathname, owner), copy);
          }).catch(function () {}));
        }
        return response;
      }).catch(function () {
        // Any release's copy: the two registrations (/hari-h/, /laporan/baru/) share the caches,
        // and the one updated first deletes the older cache the other's worker may still run on.
        return PilkadesQueue.meta("user").then(function (user) {
          return user ? fromAnyCache(PilkadesQueue.pageKey(url.pathname, user)) : undefined;
        }).catch(function () {}).then(function (hit) {
          return hit || offlinePage();
        });
      })
    );
    return;
  }
  if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(
      caches.open(CACHE).then(function (cache) {
        return cache.match(url.pathname).then(function (hit) {
          return hit || fetch(request).catch(function () {
            return fromAnyCache(url.pathname).then(function (old) { return old || Response.error(); });
          });
        });
      })
    );
  }
});

// No copy of this page for the user logged in here: say so, in the app's words, with nobody's data.
function offlinePage() {
  return new Response(OFFLINE_PAGE, {
    status: 503,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });
}

// The newest shell cache holding the path (this release's first), without creating any cache.
function fromAnyCache(path) {
  return caches.keys().then(function (names) {
    var shells = names.filter(function (name) { return name.indexOf("pilkades-lapangan-") === 0; });
    shells.sort(function (a, b) { return (b === CACHE) - (a === CACHE); });
    var next = function (i) {
      if (i >= shells.length) return undefined;
      return caches.open(shells[i]).then(function (cache) {
        return cache.match(path);
      }).then(function (hit) { return hit || next(i + 1); });
    };
    return next(0);
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === PilkadesQueue.SYNC_TAG) event.waitUntil(PilkadesQueue.flush({ throwOnFailure: true }));
});
