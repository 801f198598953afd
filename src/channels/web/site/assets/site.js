/* roamcard site script: only enhances pages that work without it. It registers the service worker,
   offers "install the app", follows an order's status live, and remembers the last balance a page
   showed so the offline page can show it. No framework, no build step, and ES5 syntax apart from
   `catch {}`, so that the older phones travellers carry run it. */
/* global window, document */
(function () {
  'use strict';
  var BALANCES_KEY = 'rc:balances';
  var BALANCES_MAX = 5;
  var POLL_MS = 1500;
  var POLL_MS_MAX = 15000;
  var POLL_FOR_MS_MAX = 15 * 60 * 1000;
  var lang = document.documentElement.lang;

  function registerServiceWorker() {
    if (!('serviceWorker' in navigator)) return;
    window.addEventListener('load', function () {
      navigator.serviceWorker.register('/sw.js').then(function () {
        // The worker caches the offline page when it installs, in this page's language; when the
        // visitor later switches language, it is asked to cache the page again.
        var cached_lang = localStorage.getItem('rc:offline-lang');
        if (cached_lang === lang) return;
        localStorage.setItem('rc:offline-lang', lang);
        if (cached_lang === null) return;
        navigator.serviceWorker.ready.then(function (registration) {
          if (registration.active) registration.active.postMessage({ type: 'refresh-offline' });
        });
      }, function () {});
    });
  }

  function offerInstall() {
    var button = document.getElementById('install');
    var deferred = null;
    if (!button) return;
    window.addEventListener('beforeinstallprompt', function (event) {
      event.preventDefault();
      deferred = event;
      button.hidden = false;
    });
    button.addEventListener('click', function () {
      if (!deferred) return;
      button.hidden = true;
      deferred.prompt();
      deferred = null;
    });
  }

  /** A page that shows a balance embeds it as JSON in <script type="application/json" data-rc-balance>. */
  function rememberBalances(root) {
    var nodes = root.querySelectorAll('script[data-rc-balance]');
    for (var i = 0; i < nodes.length; i += 1) {
      try {
        var snapshot = JSON.parse(nodes[i].textContent);
        var all = readBalances().filter(function (other) { return other.line !== snapshot.line; });
        all.unshift(snapshot);
        localStorage.setItem(BALANCES_KEY, JSON.stringify(all.slice(0, BALANCES_MAX)));
      } catch { /* storage full or disabled: nothing to remember */ }
    }
  }

  function readBalances() {
    try {
      var parsed = JSON.parse(localStorage.getItem(BALANCES_KEY) || '[]');
      return Array.isArray(parsed) ? parsed : [];
    } catch {
      return [];
    }
  }

  function showLastBalances(container) {
    var balances = readBalances();
    if (balances.length === 0) return;
    var template = container.querySelector('template');
    balances.forEach(function (snapshot) {
      var item = template.content.cloneNode(true);
      item.querySelector('[data-line]').textContent = snapshot.line;
      item.querySelector('[data-at]').textContent = snapshot.at_text;
      item.querySelector('time').setAttribute('datetime', new Date(snapshot.at_ms).toISOString());
      var list = item.querySelector('ul');
      snapshot.items.forEach(function (text) {
        var li = document.createElement('li');
        li.textContent = text;
        list.appendChild(li);
      });
      container.appendChild(item);
    });
    var none = document.getElementById('no-balance');
    if (none) none.hidden = true;
  }

  /** Follows /orders/<id>/status.json and swaps in the server-rendered status until it is final. */
  function followStatus(region) {
    var url = region.getAttribute('data-status-url');
    var version = region.getAttribute('data-version');
    var started = Date.now();
    var delay = POLL_MS;
    function tick() {
      if (Date.now() - started > POLL_FOR_MS_MAX) return;
      fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store' }).then(function (response) {
        if (!response.ok) throw new Error('status ' + response.status);
        return response.json();
      }).then(function (status) {
        delay = POLL_MS;
        if (status.version !== version) {
          version = status.version;
          region.innerHTML = status.html;
          rememberBalances(region);
        }
        if (!status.final) setTimeout(tick, delay);
      }, function () {
        delay = Math.min(delay * 2, POLL_MS_MAX);
        setTimeout(tick, delay);
      });
    }
    setTimeout(tick, delay);
  }

  registerServiceWorker();
  offerInstall();
  rememberBalances(document);
  var live = document.querySelector('[data-status-url]');
  if (live && live.getAttribute('data-final') !== 'true') followStatus(live);
  var last = document.getElementById('last-balances');
  if (last) showLastBalances(last);
})();
