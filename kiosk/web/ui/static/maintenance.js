// maintenance.js — the technician's page: first-boot setup screens, and the
// PIN-protected maintenance screen with the guided printer calibration. It
// keeps the session token in memory only; leaving the page or 2 minutes
// without a touch locks it again. Every word comes from boot.strings (the
// technician catalog, provisioning/techtext/technician.json) in the
// language chosen in the header (boot.lang: the provisioning file's
// technician.language, else Russian).
(function () {
  'use strict';
  var boot = JSON.parse(document.getElementById('boot').textContent);
  var $ = function (s) { return document.querySelector(s); };
  var session = '';
  var IDLE_MS = 120000, idleTimer = 0;
  var lang = boot.lang || 'ru';
  var rerender = []; // what to draw again when the language changes

  // ---------- words ----------
  // t('key', {name: value}): value may be a message {key, args} or a list
  // of them (the doctor's), formatted in the same language.
  function t(key, args) {
    var tr = (boot.strings || {})[lang] || {};
    var s = tr[key];
    if (s == null) s = ((boot.strings || {}).en || {})[key];
    if (s == null) return key;
    if (!args) return s;
    return s.replace(/\{([a-z_]+)\}/g, function (all, name) {
      return name in args ? arg(args[name]) : all;
    });
  }
  function arg(v) {
    if (v == null) return '';
    if (Array.isArray(v)) return v.map(arg).join('; ');
    if (typeof v === 'object' && v.key) return t(v.key, v.args);
    return String(v);
  }
  // err shows a server answer's error in the technician's language when
  // the kiosk gave its key, else the English text as it came.
  function err(body) {
    if (!body) return t('page.no_answer');
    if (body.code && body.code !== 'pin.wrong' && body.code !== 'pin.locked_until') return t(body.code);
    return body.error || '';
  }
  function pstate(s) {
    if (!s) return '—';
    var k = 'pstate.' + String(s).replace(/[ ,]+/g, '_');
    var w = t(k);
    return w === k ? s : w;
  }
  function yes(b) { return b ? t('page.yes') : t('page.no'); }
  function applyWords() {
    document.documentElement.lang = lang;
    document.querySelectorAll('[data-t]').forEach(function (el) { el.textContent = t(el.getAttribute('data-t')); });
    document.querySelectorAll('[data-t-alt]').forEach(function (el) { el.alt = t(el.getAttribute('data-t-alt')); });
    document.querySelectorAll('[data-t-title]').forEach(function (el) { el.title = t(el.getAttribute('data-t-title')); });
    document.title = t(boot.mode === 'setup' ? 'page.title_setup' : 'page.title');
    text($('#title'), document.title);
    document.querySelectorAll('#langs button').forEach(function (b) { b.setAttribute('aria-pressed', String(b.getAttribute('data-lang') === lang)); });
    rerender.forEach(function (f) { f(); });
  }
  function langPicker() {
    var box = $('#langs');
    (boot.langs || ['ru', 'ky', 'uz-Latn', 'en']).forEach(function (l) {
      var b = document.createElement('button');
      b.className = 'small';
      b.setAttribute('data-lang', l);
      b.lang = l;
      text(b, ((boot.strings || {})[l] || {})['lang.name'] || l);
      b.onclick = function () { lang = l; applyWords(); };
      box.appendChild(b);
    });
  }

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
      if (r.status === 401 && boot.mode === 'maintenance') { lock(t('pin.session_ended')); throw new Error('session ended'); }
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
  // A browser without Kyrgyz or Uzbek date data would fall back to US
  // dates (12/1/2026, 3:29 PM): day.month.year and 24 h as in Russian then.
  var locales = { ru: 'ru-RU', ky: 'ky-KG', 'uz-Latn': 'uz-Latn-UZ', en: 'en-GB' };
  function locale() {
    var l = locales[lang] || 'en-GB';
    try { if (Intl.DateTimeFormat.supportedLocalesOf([l]).length) return l; } catch (e) {}
    return lang === 'en' ? 'en-GB' : 'ru-RU';
  }
  function when(ts) {
    if (!ts || ts.indexOf('0001-') === 0) return '—';
    try { return new Date(ts).toLocaleString(locale(), zone ? { timeZone: zone, timeZoneName: 'short' } : {}); } catch (e) { return new Date(ts).toLocaleString(); }
  }
  function mib(n) { return n == null ? '—' : (n / 1048576).toFixed(0); }

  // The page is alive: the watchdog wants to hear it (POST /api/heartbeat).
  // It says a technician is at the screen: no security update or reboot meanwhile.
  function beat() {
    fetch('/api/heartbeat', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Sapar-Token': boot.token },
      body: JSON.stringify({ screen: 'maintenance' }) }).catch(function () {});
  }
  setInterval(beat, 10000);
  beat();

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
    document.querySelectorAll('[data-next]').forEach(function (b) { b.onclick = function () { showStep(b.getAttribute('data-next')); }; });
    $('#btn-scan').onclick = function () { post('/api/setup/scan').then(function (r) { render(r.body); }).catch(function () {}); };
    $('#btn-start').onclick = function () { location.href = '/'; };
    var started = false, last = null;
    function render(s) {
      if (!s || !s.phase) return;
      last = s;
      text($('#setup-file'), t('setup.s1.file', { file: 'site.yaml', sig: 'site.yaml.sig' }));
      text($('#usb-watch'), t('setup.s2.watching', { dir: s.usb_root || t('setup.no_usb_dir') }));
      var e = $('#setup-err');
      e.hidden = !s.error;
      text(e, s.error ? t('setup.refused', { error: s.error_code ? t(s.error_code) : s.error }) : '');
      text($('#setup-msg'), s.phase === 'provisioning' ? t('setup.checking', { file: s.file })
        : (s.file ? t('setup.found', { file: s.file }) : t('setup.none')));
      if (s.phase === 'starting' || s.phase === 'running') {
        showStep(3);
        text($('#kiosk-name'), s.kiosk_name); text($('#kiosk-id'), s.kiosk_id); text($('#device-id'), s.device_id);
        if (s.device_qr) $('#device-qr').src = s.device_qr;
        if (s.phase === 'running') {
          text($('#start-msg'), t('setup.running'));
          $('#btn-start').disabled = false;
          if (!started) { started = true; setTimeout(function () { location.href = '/'; }, 60000); }
        }
      }
    }
    rerender.push(function () { render(last || { phase: 'waiting' }); });
    function poll() {
      fetch('/api/setup/state').then(function (r) { return r.json(); }).then(render).catch(function () {})
        .then(function () { setTimeout(poll, 1500); });
    }
    poll();
  }

  // ---------- maintenance ----------
  var typed = '', pinNote = null;
  // pinSay shows a PIN message now and again in another language.
  function pinSay(f) { pinNote = f; text($('#pin-msg'), f ? f() : ''); }
  function pinScreen(msg) {
    $('#maint').hidden = true; $('#pin').hidden = false;
    typed = ''; dots();
    pinSay(msg ? function () { return msg; } : null);
    api('/api/maintenance/lock').then(function (r) {
      if (r.body.locked) pinSay(function () { return t('pin.locked_until', { time: when(r.body.locked_until) }); });
    }).catch(function () {});
  }
  function dots() { text($('#pin-dots'), typed.replace(/./g, '●') || ' '); }
  function keypad() {
    var kp = $('#keypad');
    ['1', '2', '3', '4', '5', '6', '7', '8', '9', '⌫', '0', 'OK'].forEach(function (k) {
      var b = document.createElement('button');
      b.setAttribute('data-key', k);
      text(b, k === 'OK' ? t('pin.ok') : k);
      b.onclick = function () {
        if (k === '⌫') typed = typed.slice(0, -1);
        else if (k === 'OK') return unlock();
        else if (typed.length < 12) typed += k;
        dots();
      };
      kp.appendChild(b);
    });
    rerender.push(function () {
      text(kp.querySelector('[data-key="OK"]'), t('pin.ok'));
      kp.querySelector('[data-key="⌫"]').setAttribute('aria-label', t('pin.delete'));
      if (pinNote) text($('#pin-msg'), pinNote());
    });
  }
  function unlock() {
    var attempt = typed; typed = ''; dots();
    pinSay(function () { return t('pin.checking'); });
    post('/api/maintenance/unlock', { pin: attempt }).then(function (r) {
      if (r.status === 200) { session = r.body.session; pinSay(null); openMaint(); return; }
      var b = r.body;
      if (b.locked_until) pinSay(function () { return t('pin.locked_until', { time: when(b.locked_until) }); });
      else if (r.status === 403) pinSay(function () { return t('pin.wrong', { failures: b.failures, max: b.max_failures }); });
      else pinSay(function () { return err(b) || t('pin.cannot_check'); });
    }).catch(function () { pinSay(function () { return t('page.no_answer'); }); });
  }
  function lock(msg) {
    session = '';
    pinScreen(msg || t('pin.locked'));
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
    document.querySelectorAll('.tab').forEach(function (x) { x.hidden = x.id !== 'tab-' + name; });
    if (name === 'usage') usage(7);
  }
  var status = null;
  function profileLine(pp, p) {
    if (!pp) return p.profile;
    var base = pp.calibrated ? t('pr.profile_calibrated', { name: pp.name, base: pp.base, date: when(pp.at) }) : t('pr.profile_builtin', { name: pp.name });
    return base + (pp.file_error ? ' — ' + pp.file_error : '');
  }
  function draw() {
    var s = status;
    if (!s) return;
    var c = s.content || {}, u = (s.update || {}).status || {}, run = (s.update || {}).run || {}, p = s.printer || {}, pp = s.printer_profile;
    var net = (s.network || []).map(function (i) { return t(i.up ? 'ov.net_up' : 'ov.net_down', { name: i.name, addrs: (i.addrs || []).join(', ') }).trim(); }).join('; ') || t('ov.no_network');
    dl($('#overview'), [
      [t('ov.kiosk'), s.kiosk.name + ' (' + s.kiosk.id + ')'], [t('ov.device_id'), s.kiosk.device_id], [t('ov.place'), s.kiosk.place],
      [t('ov.printer'), pstate(p.state) + (p.error ? ' — ' + p.error : '')],
      [t('ov.content'), c.created ? t('ov.published', { version: c.version || c.error, time: when(c.created) }) : (c.version || c.error)],
      [t('ov.last_update'), u.error ? t('ov.last_failed', { time: when(u.last_success), error: u.error }) : when(u.last_success)],
      [t('ov.network'), net],
      [t('ov.clock'), s.clock.local + ' (' + s.clock.zone + ')' + (s.clock.behind_build ? ' — ' + t('ov.clock_behind') : '') + (s.clock.clock_note ? ' — ' + s.clock.clock_note : '')],
      [t('ov.disk'), s.disk ? t('ov.disk_free', { free: mib(s.disk.free), total: mib(s.disk.total) }) : '—'],
      [t('ov.uptime'), s.uptime], [t('ov.heartbeat'), s.heartbeat_age ? t('ov.ago', { age: s.heartbeat_age }) : t('ov.none_yet')]]);
    dl($('#printer'), [[t('pr.device'), p.device], [t('pr.profile'), profileLine(pp, p)],
      [t('pr.model'), pp && pp.model ? pp.model : t(pp && pp.calibrated ? 'pr.model_unknown' : 'pr.model_not_asked')],
      [t('pr.baud'), t('pr.baud_value', { baud: p.baud })], [t('pr.state'), pstate(p.state) + (p.error ? ' — ' + p.error : '')],
      [t('pr.checked'), when(p.checked)], [t('pr.slips'), p.slips], [t('pr.failed'), p.failed],
      [t('pr.paper'), p.paper_mm != null ? t('pr.metres', { m: (p.paper_mm / 1000).toFixed(2) }) : '—'],
      [t('pr.paper_outs'), p.paper_outs], [t('pr.reconnects'), p.reconnects], [t('pr.last_slip'), when(p.last_printed)]]);
    dl($('#updates'), [[t('up.version'), c.version || '—'], [t('up.release'), c.release || '—'],
      [t('up.last_attempt'), when(u.last_attempt)], [t('up.last_success'), when(u.last_success)], [t('up.source'), u.source ? (u.source === 'usb' || u.source === 'network' ? t('up.src.' + u.source) : u.source) : '—'],
      [t('up.result'), u.error ? t('up.result_failed', { error: u.error }) : (u.changed ? t('up.result_new') : t('up.result_same'))],
      [t('up.counts'), (u.succeeded_total || 0) + ' / ' + (u.failed_total || 0)]]);
    // Firmware, phased rollouts and the night's security updates: rows of catalog messages from the kiosk.
    dl($('#firmware'), (s.firmware || []).map(function (r) { return [t(r.label), t(r.value.key, r.value.args)]; }));
    if (run.running) text($('#update-msg'), t(run.source === 'usb' ? 'up.running_usb' : 'up.running_network'));
    else if (run.error) text($('#update-msg'), t('up.failed', { error: run.error }));
    else if (run.result) {
      // The kiosk's sentence is English; the recorded status has the facts.
      var src = u.source === 'usb' || run.source === 'usb' ? t('up.src.usb') : (u.source || t('up.src.network'));
      text($('#update-msg'), u.version ? t(u.changed ? 'up.done_changed' : 'up.done_same', { version: u.version, source: src, kb: Math.round((u.bytes_fetched || 0) / 1024) }) : run.result);
      $('#update-msg').title = run.result;
    }
    var ol = $('#errors'); ol.textContent = '';
    (s.errors || []).forEach(function (e) {
      var li = document.createElement('li');
      text(li, when(e.time) + ' ' + e.level + ' ' + e.msg + (e.attrs ? ' ' + e.attrs : ''));
      ol.appendChild(li);
    });
    if (!(s.errors || []).length) { var li = document.createElement('li'); text(li, t('er.none')); ol.appendChild(li); }
  }
  function refresh() {
    if (!session) return;
    api('/api/maintenance/status').then(function (r) {
      status = r.body;
      zone = (r.body.clock || {}).zone || '';
      draw();
    }).catch(function () {});
  }
  function usage(days) {
    text($('#usage'), t('page.loading'));
    api('/api/maintenance/usage?days=' + days).then(function (r) { text($('#usage'), typeof r.body === 'string' ? r.body : err(r.body)); }).catch(function () {});
  }
  function openMaint() {
    $('#pin').hidden = true; $('#maint').hidden = false;
    tab('overview'); refresh();
  }

  // ---------- printer calibration ----------
  // The slip's numbered lines, each a big toggle: the technician taps the
  // ones that printed exactly as shown here.
  var cal = null, chosen = {}, calNote = null, calErr = null, calResult = null;
  function calSay(f) { calNote = f; text($('#cal-msg'), f ? f() : ''); }
  function calError(f) { calErr = f; text($('#cal-err'), f ? f() : ''); }
  function lineWhat(l) {
    switch (l.kind) {
      case 'table': return t('cal.kind.table', { n: l.table, enc: l.encoding });
      case 'ruler': return t('cal.kind.ruler', { cols: l.columns });
      default: return t('cal.kind.' + l.kind);
    }
  }
  function drawCal() {
    var box = $('#cal-lines');
    box.textContent = '';
    $('#cal-step').hidden = !cal;
    if (!cal) return;
    text($('#cal-model'), cal.model ? t('cal.model', { model: cal.model }) : t('cal.no_model'));
    cal.lines.forEach(function (l) {
      var b = document.createElement('button');
      b.className = 'calline';
      b.setAttribute('data-n', l.n);
      b.setAttribute('data-kind', l.kind);
      b.setAttribute('aria-pressed', String(!!chosen[l.n]));
      var num = document.createElement('span'); num.className = 'num'; text(num, l.n);
      var want = document.createElement('span'); want.className = 'want'; text(want, l.want);
      var what = document.createElement('span'); what.className = 'what'; text(what, lineWhat(l));
      b.appendChild(num); b.appendChild(want); b.appendChild(what);
      b.onclick = function () {
        chosen[l.n] = !chosen[l.n];
        b.setAttribute('aria-pressed', String(chosen[l.n]));
        drawChosen();
      };
      box.appendChild(b);
    });
    drawChosen();
  }
  function answers() { return Object.keys(chosen).filter(function (n) { return chosen[n]; }).map(Number).sort(function (a, b) { return a - b; }); }
  function drawChosen() {
    var a = answers();
    text($('#cal-chosen'), a.length ? t('cal.chosen', { list: a.join(', ') }) : t('cal.chosen_none'));
    $('#btn-cal-save').disabled = !a.length;
  }
  function drawResult() {
    var res = $('#cal-result');
    res.hidden = !calResult;
    if (!calResult) return;
    var p = calResult.profile;
    dl(res, [[t('pr.profile'), p.name], [t('pr.model'), p.model || t('pr.model_unknown')], [t('cal.tables'), (p.tables || []).join('  ')],
      [t('cal.udc'), yes(p.user_chars)], [t('cal.native_qr'), yes(p.native_qr)], [t('cal.raster'), yes(p.raster)],
      [t('cal.utf8'), yes(p.utf8)], [t('cal.cutter'), yes(p.cutter)], [t('cal.width'), t('cal.width_value', { cols: p.columns, dots: p.dots })]]);
  }
  function printCalSlip() {
    cal = null; chosen = {}; calResult = null;
    drawCal(); drawResult(); calError(null);
    calSay(function () { return t('cal.printing'); });
    $('#btn-cal-print').disabled = true;
    post('/api/maintenance/printer/calibration/slip').then(function (r) {
      $('#btn-cal-print').disabled = false;
      if (r.status !== 200 || !r.body.ok) {
        calSay(null);
        calError(function () { return t('page.failed', { error: err(r.body) }); });
        return;
      }
      cal = r.body.slip;
      calSay(function () { return t('cal.printed', { n: cal.lines.length }); });
      drawCal();
      refresh();
    }).catch(function () { $('#btn-cal-print').disabled = false; calError(function () { return t('page.no_answer'); }); });
  }
  function saveCal() {
    calError(null);
    calSay(function () { return t('cal.saving'); });
    $('#btn-cal-save').disabled = true;
    post('/api/maintenance/printer/calibration/answers', { answers: answers(), lang: lang }).then(function (r) {
      var b = r.body;
      if (r.status !== 200 || !b.ok) {
        $('#btn-cal-save').disabled = false;
        calSay(null);
        calError(function () { return b.code === 'cal.err.answer' ? t('cal.err.answer', { error: b.error }) : err(b); });
        return;
      }
      cal = null; chosen = {}; calResult = b;
      drawCal(); drawResult();
      var name = b.profile.name;
      calSay(function () {
        var s = t(b.switched ? 'cal.saved' : 'cal.restart', { name: name }) + ' ';
        s += b.test_printed ? t('cal.test_printed') : t('cal.test_failed', { error: b.test_error });
        if (b.no_udc_raster) s += ' ' + t('cal.no_udc_raster');
        return s;
      });
      $('#cal').setAttribute('data-state', 'saved');
      refresh();
    }).catch(function () { $('#btn-cal-save').disabled = false; calError(function () { return t('page.no_answer'); }); });
  }

  function maintenance() {
    keypad();
    document.querySelectorAll('#tabs button').forEach(function (b) { b.onclick = function () { tab(b.getAttribute('data-tab')); }; });
    document.querySelectorAll('[data-days]').forEach(function (b) { b.onclick = function () { usage(b.getAttribute('data-days')); }; });
    $('#btn-charts').onclick = function () {
      post('/api/maintenance/report-link?days=30').then(function (r) {
        if (!r.body || !r.body.url) { text($('#usage'), (r.body && err(r.body)) || t('us.cannot')); return; }
        var f = $('#usage-charts'); f.src = r.body.url; f.hidden = false;
      }).catch(function () {});
    };
    var printerNote = null;
    function printerSay(f) { printerNote = f; text($('#printer-msg'), f ? f() : ''); }
    $('#btn-pstatus').onclick = function () {
      printerSay(function () { return t('pr.asking'); });
      post('/api/maintenance/printer/status').then(function (r) {
        var b = r.body;
        printerSay(function () { return r.status === 200 ? pstate(b.state) + (b.error ? ' — ' + b.error : '') : err(b); });
        refresh();
      });
    };
    $('#btn-test').onclick = function () {
      printerSay(function () { return t('pr.printing_test'); });
      post('/api/maintenance/printer/test', { lang: lang }).then(function (r) {
        var b = r.body;
        printerSay(function () { return b.ok ? t('pr.test_ok') : t('page.failed', { error: err(b) }); });
        refresh();
      });
    };
    $('#btn-cal-print').onclick = printCalSlip;
    $('#btn-cal-again').onclick = printCalSlip;
    $('#btn-cal-save').onclick = saveCal;
    $('#btn-cal-cancel').onclick = function () { cal = null; chosen = {}; calSay(null); calError(null); drawCal(); };
    function update(src) {
      text($('#update-msg'), t('up.starting'));
      post('/api/maintenance/update', { source: src }).then(function (r) { if (r.status !== 202) text($('#update-msg'), err(r.body)); refresh(); });
    }
    $('#btn-upd-net').onclick = function () { update('network'); };
    $('#btn-upd-usb').onclick = function () { update('usb'); };
    var doctorRep = null;
    function drawDoctor() {
      var tb = $('#doctor');
      if (!doctorRep) return;
      tb.textContent = '';
      (doctorRep.results || []).forEach(function (c) {
        var msg = c.text && c.text.key ? t(c.text.key, c.text.args) : c.message;
        var fix = c.hint && c.hint.key ? t(c.hint.key, c.hint.args) : c.fix;
        var tr = document.createElement('tr');
        [t('check.' + c.check), t('status.' + c.status), msg + (fix ? ' → ' + fix : '')].forEach(function (v, i) {
          var td = document.createElement('td'); text(td, v); if (i === 1) td.className = c.status; tr.appendChild(td);
        });
        tb.appendChild(tr);
      });
    }
    $('#btn-doctor').onclick = function () {
      var tb = $('#doctor'); tb.textContent = t('doc.running');
      api('/api/maintenance/doctor').then(function (r) {
        if (r.status !== 200) { tb.textContent = err(r.body); return; }
        doctorRep = r.body; drawDoctor();
      });
    };
    var armed = 0;
    $('#btn-restart').onclick = function () {
      // No browser dialog on a kiosk: a second tap within 5 s confirms.
      if (!armed) { armed = setTimeout(function () { armed = 0; text($('#btn-restart'), t('ft.restart')); }, 5000); text($('#btn-restart'), t('ft.restart_confirm')); return; }
      clearTimeout(armed); armed = 0;
      post('/api/maintenance/restart').then(function () { text($('#title'), t('page.restarting')); setTimeout(function () { location.href = '/'; }, 8000); });
    };
    $('#btn-lock').onclick = function () { post('/api/maintenance/logout').catch(function () {}); lock(); };
    rerender.push(draw, drawCal, drawResult, drawDoctor, function () {
      if (calNote) text($('#cal-msg'), calNote());
      if (calErr) text($('#cal-err'), calErr());
      if (printerNote) text($('#printer-msg'), printerNote());
    });
    document.addEventListener('pointerdown', touch, true);
    touch();
    setInterval(refresh, 5000);
    pinScreen('');
  }

  langPicker();
  if (boot.mode === 'setup') setup(); else maintenance();
  applyWords();
})();
