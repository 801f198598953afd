/* roamcard service worker. The server prepends RC_VERSION (a hash of the assets) and RC_SHELL (the
   shell's URLs: stylesheet, script, offline page). Assets have content hashes in their names, so
   they are served from the cache first; pages always come from the network (they show live
   balances and orders), and when the network is gone, the offline page shows the last balance the
   pages remembered. */
/* global self, caches, RC_VERSION, RC_SHELL */
var SHELL_CACHE = 'roamcard-shell-' + RC_VERSION;
var OFFLINE_CACHE = 'roamcard-offline';
var OFFLINE_PATH = '/offline';

self.addEventListener('install', function (event) {
  event.waitUntil(Promise.all([
    caches.open(SHELL_CACHE).then(function (cache) { return cache.addAll(RC_SHELL); }),
    refreshOffline(),
  ]).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf('roamcard-shell-') === 0 && key !== SHELL_CACHE;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

/** The page tells us when the visitor's language changed, so the offline page speaks it too. */
self.addEventListener('message', function (event) {
  if (event.data && event.data.type === 'refresh-offline') event.waitUntil(refreshOffline());
});

self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET') return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf('/assets/') === 0) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
  } else if (request.mode === 'navigate') {
    event.respondWith(fetch(request).catch(offlinePage));
  }
});

function refreshOffline() {
  return caches.open(OFFLINE_CACHE).then(function (cache) { return cache.add(OFFLINE_PATH); });
}

function offlinePage() {
  return caches.match(OFFLINE_PATH).then(function (hit) { return hit || Response.error(); });
}
