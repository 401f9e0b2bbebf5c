// maintenance.js — the technician's page: first-boot setup screens, and the
// PIN-protected maintenance screen. It keeps the session token in memory
// only; leaving the page or 2 minutes without a touch locks it again.
(function () {
  'use strict';
  var boot = JSON.parse(document.getElementById('boot').textContent);
  var $ = function (s) { return document.querySelector(s); };
  var session = '';
  var IDLE_MS = 120000, idleTimer = 0;

  function headers(extra) {
    var h = { 'X-Sapar-Token': boot.token };
    if (session) h['X-Sapar-Maint'] = session;
    for (var k in extra || {}) h[k] = extra[k];
    return h;
  }
  function api(path, opts) {
    opts = opts || {};
    opts.headers = headers(opts.headers);
    return fetch(path, opts).then(function (r) {
      if (r.status === 401 && boot.mode === 'maintenance') { lock(); throw new Error('session ended'); }
      var ct = r.headers.get('Content-Type') || '';
      var body = ct.indexOf('json') >= 0 ? r.json() : r.text();
      return body.then(function (b) { return { status: r.status, body: b }; });
    });
  }
  function post(path, body) {
    return api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body || {}) });
  }
  function text(el, s) { el.textContent = s == null ? '' : String(s); }
  function dl(el, pairs) {
    el.textContent = '';
    pairs.forEach(function (p) {
      var dt = document.createElement('dt'), dd = document.createElement('dd');
      text(dt, p[0]); text(dd, p[1]);
      el.appendChild(dt); el.appendChild(dd);
    });
  }
  // Times are shown in the kiosk's provisioned zone (status clock.zone), not
  // the browser's: the session runs in UTC, the technician reads Bishkek time.
  var zone = '';
  function when(t) {
    if (!t || t.indexOf('0001-') === 0) return '—';
    try { return new Date(t).toLocaleString('en-GB', zone ? { timeZone: zone, timeZoneName: 'short' } : {}); } catch (e) { return new Date(t).toLocaleString(); }
  }
  function mib(n) { return n == null ? '—' : (n / 1048576).toFixed(0) + ' MiB'; }

  // The page is alive: the watchdog wants to hear it (POST /api/heartbeat).
  setInterval(function () { fetch('/api/heartbeat', { method: 'POST', headers: { 'X-Sapar-Token': boot.token } }).catch(function () {}); }, 10000);
  fetch('/api/heartbeat', { method: 'POST', headers: { 'X-Sapar-Token': boot.token } }).catch(function () {});

  $('#btn-exit').onclick = function () {
    if (session) post('/api/maintenance/logout').catch(function () {});
    location.href = '/';
  };

  // ---------- first boot ----------
  function showStep(n) {
    document.querySelectorAll('#setup .step').forEach(function (s) { s.hidden = s.getAttribute('data-step') !== String(n); });
  }
  function setup() {
    $('#setup').hidden = false;
    $('#btn-exit').hidden = true;
    text($('#title'), 'Sapar — first start');
    document.querySelectorAll('[data-next]').forEach(function (b) { b.onclick = function () { showStep(b.getAttribute('data-next')); }; });
    $('#btn-scan').onclick = function () { post('/api/setup/scan').then(function (r) { render(r.body); }).catch(function () {}); };
    $('#btn-start').onclick = function () { location.href = '/'; };
    var started = false;
    function render(s) {
      if (!s || !s.phase) return;
      text($('#usb-root'), s.usb_root || '(no USB directory configured)');
      var err = $('#setup-err');
      err.hidden = !s.error; text(err, s.error ? 'Refused: ' + s.error : '');
      text($('#setup-msg'), s.phase === 'provisioning' ? 'Found ' + s.file + ': ' + (s.message || 'checking…')
        : (s.file && !s.error ? 'Found ' + s.file : 'No provisioning file found yet.'));
      if (s.phase === 'starting' || s.phase === 'running') {
        showStep(3);
        text($('#kiosk-name'), s.kiosk_name); text($('#kiosk-id'), s.kiosk_id); text($('#device-id'), s.device_id);
        if (s.device_qr) $('#device-qr').src = s.device_qr;
        if (s.phase === 'running' && !started) {
          started = true;
          text($('#start-msg'), 'The kiosk is running. Write down the device id, then open the kiosk.');
          $('#btn-start').disabled = false;
          setTimeout(function () { location.href = '/'; }, 60000);
        }
      }
    }
    function poll() {
      fetch('/api/setup/state').then(function (r) { return r.json(); }).then(render).catch(function () {})
        .then(function () { setTimeout(poll, 1500); });
    }
    poll();
  }

  // ---------- maintenance ----------
  var typed = '';
  function pinScreen(msg) {
    $('#maint').hidden = true; $('#pin').hidden = false;
    typed = ''; dots();
    text($('#pin-msg'), msg || '');
    api('/api/maintenance/lock').then(function (r) {
      if (r.body.locked) text($('#pin-msg'), 'Locked until ' + when(r.body.locked_until) + ' after too many wrong PINs.');
    }).catch(function () {});
  }
  function dots() { text($('#pin-dots'), typed.replace(/./g, '●') || ' '); }
  function keypad() {
    var kp = $('#keypad');
    ['1', '2', '3', '4', '5', '6', '7', '8', '9', '⌫', '0', 'OK'].forEach(function (k) {
      var b = document.createElement('button');
      text(b, k);
      b.onclick = function () {
        if (k === '⌫') typed = typed.slice(0, -1);
        else if (k === 'OK') return unlock();
        else if (typed.length < 12) typed += k;
        dots();
      };
      kp.appendChild(b);
    });
  }
  function unlock() {
    var attempt = typed; typed = ''; dots();
    text($('#pin-msg'), 'Checking…');
    post('/api/maintenance/unlock', { pin: attempt }).then(function (r) {
      if (r.status === 200) { session = r.body.session; openMaint(); return; }
      if (r.body.locked_until) text($('#pin-msg'), 'Too many wrong PINs: locked until ' + when(r.body.locked_until) + '.');
      else if (r.status === 403) text($('#pin-msg'), 'Wrong PIN (' + r.body.failures + ' of ' + r.body.max_failures + ' before the screen locks).');
      else text($('#pin-msg'), r.body.error || 'Cannot check the PIN.');
    }).catch(function () { text($('#pin-msg'), 'The kiosk does not answer.'); });
  }
  function lock() {
    session = '';
    pinScreen('Locked.');
  }
  function touch() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(function () {
      if (session) post('/api/maintenance/logout').catch(function () {});
      location.href = '/';
    }, IDLE_MS);
  }
  function tab(name) {
    document.querySelectorAll('#tabs button').forEach(function (b) { b.className = b.getAttribute('data-tab') === name ? 'on' : ''; });
    document.querySelectorAll('.tab').forEach(function (t) { t.hidden = t.id !== 'tab-' + name; });
    if (name === 'usage') usage(7);
  }
  var status = null;
  function refresh() {
    if (!session) return;
    api('/api/maintenance/status').then(function (r) {
      status = r.body;
      zone = (r.body.clock || {}).zone || '';
      var s = r.body, c = s.content || {}, u = (s.update || {}).status || {}, run = (s.update || {}).run || {}, p = s.printer || {};
      var net = (s.network || []).map(function (i) { return i.name + (i.up ? ' up ' : ' down ') + (i.addrs || []).join(', '); }).join('; ') || 'no network interface';
      dl($('#overview'), [
        ['Kiosk', s.kiosk.name + ' (' + s.kiosk.id + ')'], ['Device id', s.kiosk.device_id], ['Place', s.kiosk.place],
        ['Printer', p.state + (p.error ? ' — ' + p.error : '')],
        ['Content', (c.version || c.error) + (c.created ? ', published ' + when(c.created) : '') +
          (c.answers && c.answers !== 'ok' ? ' — NOT ANSWERING: ' + c.answers + ' (restart the kiosk: the index is rebuilt from the verified files)' : '')],
        ['Content repairs', (c.repairs || []).length ? c.repairs.join('; ') : 'none since start'],
        ['Last update', when(u.last_success) + (u.error ? ' (last attempt failed: ' + u.error + ')' : '')],
        ['Network', net],
        ['Clock', s.clock.local + ' (' + s.clock.zone + ')' + (s.clock.behind_build ? ' — BEHIND THE BUILD TIME: set the clock' : '') + (s.clock.clock_note ? ' — ' + s.clock.clock_note : '')],
        ['Disk', s.disk ? mib(s.disk.free) + ' free of ' + mib(s.disk.total) : '—'],
        ['Uptime', s.uptime], ['Page heartbeat', s.heartbeat_age ? s.heartbeat_age + ' ago' : 'none yet']]);
      dl($('#printer'), [['Device', p.device], ['Profile', p.profile + ', ' + p.baud + ' baud'], ['State', p.state],
        ['Last checked', when(p.checked)], ['Slips printed (since start)', p.slips], ['Failed', p.failed],
        ['Paper used (estimate)', p.paper_mm != null ? (p.paper_mm / 1000).toFixed(2) + ' m' : '—'],
        ['Paper-out events', p.paper_outs], ['Port (re)opened', p.reconnects], ['Last slip', when(p.last_printed)]]);
      dl($('#updates'), [['Content version', c.version || '—'], ['Release', c.release || '—'],
        ['Last attempt', when(u.last_attempt)], ['Last success', when(u.last_success)], ['Source', u.source || '—'],
        ['Result', u.error ? 'failed: ' + u.error : (u.changed ? 'new content installed' : 'no change')],
        ['Updates succeeded / failed', (u.succeeded_total || 0) + ' / ' + (u.failed_total || 0)]]);
      if (run.running) text($('#update-msg'), 'Updating from ' + run.source + '…');
      else if (run.error) text($('#update-msg'), 'Update failed: ' + run.error);
      else if (run.result) text($('#update-msg'), run.result);
      var ol = $('#errors'); ol.textContent = '';
      (s.errors || []).forEach(function (e) {
        var li = document.createElement('li');
        text(li, when(e.time) + ' ' + e.level + ' ' + e.msg + (e.attrs ? ' ' + e.attrs : ''));
        ol.appendChild(li);
      });
      if (!(s.errors || []).length) { var li = document.createElement('li'); text(li, 'No warnings or errors since start.'); ol.appendChild(li); }
    }).catch(function () {});
  }
  function usage(days) {
    text($('#usage'), 'Loading…');
    api('/api/maintenance/usage?days=' + days).then(function (r) { text($('#usage'), typeof r.body === 'string' ? r.body : r.body.error); }).catch(function () {});
  }
  function openMaint() {
    $('#pin').hidden = true; $('#maint').hidden = false;
    tab('overview'); refresh();
  }
  function maintenance() {
    keypad();
    document.querySelectorAll('#tabs button').forEach(function (b) { b.onclick = function () { tab(b.getAttribute('data-tab')); }; });
    document.querySelectorAll('[data-days]').forEach(function (b) { b.onclick = function () { usage(b.getAttribute('data-days')); }; });
    $('#btn-charts').onclick = function () {
      post('/api/maintenance/report-link?days=30').then(function (r) {
        if (!r.body || !r.body.url) { text($('#usage'), (r.body && r.body.error) || 'The report cannot be drawn.'); return; }
        var f = $('#usage-charts'); f.src = r.body.url; f.hidden = false;
      }).catch(function () {});
    };
    $('#btn-pstatus').onclick = function () {
      text($('#printer-msg'), 'Asking the printer…');
      post('/api/maintenance/printer/status').then(function (r) { text($('#printer-msg'), r.body.state + (r.body.error ? ' — ' + r.body.error : '')); refresh(); });
    };
    $('#btn-test').onclick = function () {
      text($('#printer-msg'), 'Printing the test slip…');
      post('/api/maintenance/printer/test').then(function (r) { text($('#printer-msg'), r.body.ok ? 'Test slip printed.' : 'Failed: ' + r.body.error); refresh(); });
    };
    function update(src) {
      text($('#update-msg'), 'Starting…');
      post('/api/maintenance/update', { source: src }).then(function (r) { if (r.status !== 202) text($('#update-msg'), r.body.error); refresh(); });
    }
    $('#btn-upd-net').onclick = function () { update('network'); };
    $('#btn-upd-usb').onclick = function () { update('usb'); };
    $('#btn-doctor').onclick = function () {
      var t = $('#doctor'); t.textContent = 'Running…';
      api('/api/maintenance/doctor').then(function (r) {
        t.textContent = '';
        (r.body.results || []).forEach(function (c) {
          var tr = document.createElement('tr');
          [c.check, c.status.toUpperCase(), c.message + (c.fix ? ' → ' + c.fix : '')].forEach(function (v, i) {
            var td = document.createElement('td'); text(td, v); if (i === 1) td.className = c.status; tr.appendChild(td);
          });
          t.appendChild(tr);
        });
      });
    };
    var armed = 0;
    $('#btn-restart').onclick = function () {
      // No browser dialog on a kiosk: a second tap within 5 s confirms.
      if (!armed) { armed = setTimeout(function () { armed = 0; text($('#btn-restart'), 'Restart kiosk'); }, 5000); text($('#btn-restart'), 'Tap again to restart'); return; }
      clearTimeout(armed); armed = 0;
      post('/api/maintenance/restart').then(function () { text($('#title'), 'Restarting…'); setTimeout(function () { location.href = '/'; }, 8000); });
    };
    $('#btn-lock').onclick = function () { post('/api/maintenance/logout').catch(function () {}); lock(); };
    document.addEventListener('pointerdown', touch, true);
    touch();
    setInterval(refresh, 5000);
    pinScreen('');
  }

  if (boot.mode === 'setup') setup(); else maintenance();
})();
