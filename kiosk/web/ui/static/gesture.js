// gesture.js — the technician's hidden way in: five taps in the top-left
// corner within three seconds open the PIN-protected maintenance page.
// Nothing is shown and nothing else on the page is affected.
(function () {
  'use strict';
  var CORNER = 90, TAPS = 5, WINDOW_MS = 3000;
  var times = [];
  document.addEventListener('pointerdown', function (e) {
    var rtl = document.documentElement.dir === 'rtl';
    var x = rtl ? window.innerWidth - e.clientX : e.clientX;
    if (x > CORNER || e.clientY > CORNER) { times = []; return; }
    var now = Date.now();
    times.push(now);
    while (times.length && now - times[0] > WINDOW_MS) times.shift();
    if (times.length >= TAPS) { times = []; location.href = '/maintenance'; }
  }, true);
})();
