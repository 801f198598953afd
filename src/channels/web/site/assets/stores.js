/* roamcard store finder: the "Near me" button. The page works without it (a city picker). The
   browser is asked for the location only when the button is pressed, never on load; the position
   goes nowhere but into this page's own address, rounded to three decimals (about 100 m), which
   is enough to sort stores and no more precise than a street. ES5, like site.js, for the older
   phones travellers carry. */
/* global window, document */
(function () {
  'use strict';
  var DECIMALS = 3;
  var TIMEOUT_MS = 20000;
  /** A position up to five minutes old is good enough to sort shops, and answers at once. */
  var MAXIMUM_AGE_MS = 5 * 60 * 1000;
  var PERMISSION_DENIED = 1;

  var box = document.getElementById('near-me-box');
  var button = document.getElementById('near-me');
  var status = document.getElementById('near-me-status');
  if (!box || !button || !status || !('geolocation' in navigator)) return;
  box.hidden = false;

  function say(message, is_error) {
    status.textContent = message;
    status.className = is_error ? 'error-text' : 'hint';
  }

  /** Keeps a one-page language (?lang=) the visitor came with. */
  function languageParameter() {
    var match = /[?&]lang=([^&#]*)/.exec(window.location.search);
    return match ? '&lang=' + match[1] : '';
  }

  button.addEventListener('click', function () {
    button.disabled = true;
    say(button.getAttribute('data-locating'), false);
    navigator.geolocation.getCurrentPosition(function (position) {
      var lat = position.coords.latitude.toFixed(DECIMALS);
      var lon = position.coords.longitude.toFixed(DECIMALS);
      window.location.assign('/stores?lat=' + lat + '&lon=' + lon + languageParameter());
    }, function (error) {
      button.disabled = false;
      say(button.getAttribute(error.code === PERMISSION_DENIED ? 'data-denied' : 'data-unavailable'), true);
    }, { enableHighAccuracy: false, timeout: TIMEOUT_MS, maximumAge: MAXIMUM_AGE_MS });
  });
})();
