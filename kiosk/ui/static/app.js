// Sapar kiosk UI: one small script, no framework, nothing from outside 127.0.0.1.
'use strict';
(function () {
  const boot = JSON.parse(document.getElementById('boot').textContent);
  const $ = (sel) => document.querySelector(sel);
  const main = $('#main');
  let I18N = {}, KB = {};
  let S = fresh();            // the session: everything one user did, wiped on reset
  let lastActivity = Date.now();
  let rotateTimer = null;

  function fresh() { return { lang: null, stack: [], query: '', shift: false, afterPrint: false, job: null }; }
  function langInfo(tag) { return boot.languages.find((l) => l.tag === tag) || boot.languages[0]; }
  function t(key, vars) {
    const table = I18N[S.lang] || I18N.en || {};
    let s = table[key] || (I18N.en || {})[key] || key;
    for (const k in vars || {}) s = s.replace('{' + k + '}', vars[k]);
    return s;
  }
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) {
      if (k === 'onclick') e.addEventListener('click', attrs[k]);
      else if (k === 'html') e.innerHTML = attrs[k];
      else if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, attrs[k]);
    }
    for (const c of kids.flat()) if (c !== null && c !== undefined) e.append(c.nodeType ? c : document.createTextNode(c));
    return e;
  }
  function icon(name) {
    const s = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    const u = document.createElementNS('http://www.w3.org/2000/svg', 'use');
    u.setAttribute('href', '#p-' + name);
    s.append(u);
    s.setAttribute('aria-hidden', 'true');
    return s;
  }
  async function api(path, opts) {
    const r = await fetch(path, opts);
    if (!r.ok && r.status !== 202) throw new Error((await r.json().catch(() => ({}))).error || r.status);
    return r.json();
  }
  const q = (o) => new URLSearchParams(o).toString();

  // ---- navigation ----
  function go(screen, params) { S.stack.push({ screen, params: params || {} }); render(); }
  function back() { if (S.stack.length > 1) { S.stack.pop(); render(); } else reset(); }
  function home() { S.stack = S.stack.slice(0, 1); if (!S.stack.length) S.stack.push({ screen: 'home', params: {} }); render(); }
  function setLang(tag) {
    S.lang = tag;
    const info = langInfo(tag);
    document.documentElement.lang = tag;
    document.documentElement.dir = info.rtl ? 'rtl' : 'ltr';
    S.stack = [{ screen: 'home', params: {} }];
    render();
  }

  function render() {
    stopRotate();
    const top = S.stack[S.stack.length - 1];
    const name = top ? top.screen : 'start';
    document.body.dataset.screen = name;
    $('#bar').hidden = name === 'start';
    for (const b of document.querySelectorAll('#bar [data-t]')) b.querySelector('span').textContent = t(b.dataset.t);
    $('#btn-lang').textContent = S.lang ? langInfo(S.lang).endonym : '';
    main.replaceChildren();
    window.scrollTo(0, 0);
    ({ start: renderStart, home: renderHome, list: renderList, guide: renderGuide, search: renderSearch }[name] || renderStart)(top ? top.params : {});
  }

  function stopRotate() { if (rotateTimer) { clearInterval(rotateTimer); rotateTimer = null; } }

  // ---- screens ----
  function renderStart() {
    document.documentElement.dir = 'ltr';
    $('#bar-title').textContent = '';
    const head = el('div', { class: 'rotating', id: 'choose' });
    let i = 0;
    const show = () => {
      const l = boot.languages[i % boot.languages.length];
      head.textContent = (I18N[l.tag] || {}).chooseLanguage || '';
      head.setAttribute('lang', l.tag); head.setAttribute('dir', l.rtl ? 'rtl' : 'ltr');
      i++;
    };
    show();
    rotateTimer = setInterval(show, 2500);
    const grid = el('div', { class: 'langs' }, boot.languages.map((l) =>
      el('button', { 'data-lang': l.tag, lang: l.tag, dir: l.rtl ? 'rtl' : 'ltr', onclick: () => setLang(l.tag) }, l.endonym)));
    main.append(el('h1', { style: 'text-align:center' }, 'Sapar'), head, grid);
  }

  function renderHome() {
    $('#bar-title').textContent = 'Sapar';
    const search = el('button', { class: 'searchbox', id: 'open-search', onclick: () => go('search') }, icon('search'), t('searchPlaceholder'));
    const tiles = el('div', { class: 'tiles' },
      boot.stages.map((s) => el('button', { class: 'tile', 'data-stage': s, onclick: () => go('list', { stage: s }) }, icon(s), t('stage.' + s))),
      el('button', { class: 'tile', 'data-stage': '', onclick: () => go('list', { stage: '' }) }, icon('all'), t('allGuides')));
    main.append(search, tiles);
  }

  function fallbackNote(lang) {
    return el('div', { class: 'fallback' }, t('shownIn', { lang: langInfo(lang).endonym }));
  }

  function itemList(items, from) {
    if (!items.length) return el('p', { id: 'no-results' }, t('noResults'));
    return el('div', { class: 'list' }, items.map((g) =>
      el('button', { class: 'item', 'data-guide': g.id, onclick: () => go('guide', { id: g.id, from: from || 'browse' }) },
        icon(g.pictogram || 'help'),
        el('span', { lang: g.lang, dir: langInfo(g.lang).rtl ? 'rtl' : 'ltr' }, el('b', {}, g.title), el('small', {}, g.summary),
          g.fallback ? fallbackNote(g.lang) : null))));
  }

  async function renderList(p) {
    $('#bar-title').textContent = p.stage ? t('stage.' + p.stage) : t('allGuides');
    const items = await api('/api/guides?' + q({ stage: p.stage || '', lang: S.lang }));
    main.append(itemList(items));
  }

  async function renderGuide(p) {
    const g = await api('/api/guides/' + encodeURIComponent(p.id) + '?' + q({ lang: S.lang, from: p.from || 'browse' }));
    $('#bar-title').textContent = g.title;
    const dir = langInfo(g.lang).rtl ? 'rtl' : 'ltr';
    const qrs = el('div', { class: 'qrs' }, (g.links || []).map((l) => qrPanel(g.id, l)));
    main.append(el('article', { class: 'guide', lang: g.lang, dir },
      el('h1', {}, g.title),
      g.fallback ? fallbackNote(g.lang) : null,
      el('div', { class: 'body', html: g.body_html }),
      qrs,
      el('button', { class: 'big', id: 'print', onclick: () => startPrint(g) }, icon('print'), t('print'))));
  }

  function qrPanel(topic, link) {
    return el('div', { class: 'qr', 'data-link': link.id },
      el('img', { alt: '', src: '/api/qr?' + q({ topic, link: link.id }) }),
      el('div', {}, link.label), el('small', {}, t('scanQR')));
  }

  function renderSearch() {
    $('#bar-title').textContent = t('search');
    const box = el('div', { class: 'query', id: 'query', dir: 'auto' }, S.query || '\u00a0');
    const results = el('div', { id: 'results' });
    let timer = null;
    const update = () => {
      box.textContent = S.query || '\u00a0';
      clearTimeout(timer);
      timer = setTimeout(async () => {
        if (!S.query.trim()) { results.replaceChildren(); return; }
        const items = await api('/api/search?' + q({ lang: S.lang, q: S.query }));
        results.replaceChildren(itemList(items, 'search'));
      }, 150);
    };
    main.append(box, keyboard((k) => {
      if (k === 'BACKSPACE') S.query = Array.from(S.query).slice(0, -1).join('');
      else if (k === 'CLEAR') S.query = '';
      else S.query += k;
      update();
    }), results);
    update();
  }

  // On-screen keyboard from data (keyboards.json): layouts per language.
  function keyboard(onKey) {
    const kb = KB[S.lang] || KB.en;
    const upper = (c) => (kb.upper && kb.upper[c]) || c.toLocaleUpperCase(S.lang);
    const rows = [kb.digits].concat(kb.rows);
    const wrap = el('div', { class: 'kbd', id: 'keyboard', dir: kb.rtl ? 'rtl' : 'ltr' });
    const draw = () => {
      wrap.replaceChildren(...rows.map((r) => el('div', { class: 'row' }, r.map((c) => {
        const ch = S.shift ? upper(c) : c;
        return el('button', { 'data-key': ch, onclick: () => { onKey(ch); if (S.shift) { S.shift = false; draw(); } } }, ch);
      }))), el('div', { class: 'row' },
        el('button', { 'data-key': 'SHIFT', onclick: () => { S.shift = !S.shift; draw(); } }, '⇧'),
        el('button', { class: 'wide', 'data-key': ' ', onclick: () => onKey(' ') }, t('space')),
        el('button', { 'data-key': 'BACKSPACE', onclick: () => onKey('BACKSPACE') }, '⌫'),
        el('button', { 'data-key': 'CLEAR', onclick: () => onKey('CLEAR') }, t('clear'))));
    };
    draw();
    return wrap;
  }

  // ---- printing ----
  async function startPrint(g) {
    const link = (g.links || [])[0];
    dialog(el('div', { id: 'print-status' }, el('div', { class: 'spinner' }), el('p', {}, t('printing'))));
    let job;
    try {
      job = (await api('/api/print', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Sapar-Token': boot.token }, body: JSON.stringify({ topic: g.id, lang: g.lang }) })).job;
    } catch (e) { return printResult(g, link, { state: 'failed', reason: 'error' }); }
    S.job = job;
    const poll = async () => {
      if (S.job !== job) return; // the session was reset
      const st = await api('/api/print/' + job).catch(() => ({ state: 'failed', reason: 'error' }));
      if (st.state === 'done' || st.state === 'failed') printResult(g, link, st);
      else setTimeout(poll, 400);
    };
    setTimeout(poll, 300);
  }

  function printResult(g, link, st) {
    const ok = st.state === 'done';
    S.afterPrint = S.afterPrint || ok;
    const reasons = { 'paper-out': 'paperOut', offline: 'offline', 'cover-open': 'coverOpen' };
    const msg = ok ? t('takeSlip') : t(reasons[st.reason] || 'generic');
    dialog(el('div', { id: 'print-status', 'data-state': st.state },
      el('h1', {}, ok ? '✓' : t('printFailed')), el('p', { id: 'print-message' }, msg),
      link ? qrPanel(g.id, link) : null,
      el('button', { class: 'big', id: 'print-close', onclick: closeDialog }, t('close'))));
  }

  // ---- dialogs, help, idle reset ----
  function dialog(content) { $('#dialog').replaceChildren(content); $('#overlay').hidden = false; }
  function closeDialog() { $('#overlay').hidden = true; $('#dialog').replaceChildren(); }

  function showHelp() {
    dialog(el('div', { id: 'help' }, el('h1', {}, t('help')), el('p', {}, t('helpBody')),
      el('div', { class: 'toggles' },
        el('button', { id: 'toggle-large', onclick: () => document.body.classList.toggle('large') }, 'A+'),
        el('button', { id: 'toggle-contrast', onclick: () => document.body.classList.toggle('contrast') }, '◐')),
      el('button', { class: 'big', onclick: closeDialog }, t('close'))));
  }

  // The warning gives 30 s on the default timeout (WCAG 2.2.1 asks for 20);
  // shorter timeouts (tests) warn for a third of the time.
  function idleLimits() {
    let idle = boot.idleSeconds;
    if (S.afterPrint) idle = Math.max(Math.ceil(idle / 2), Math.min(idle, 40));
    const warn = idle >= 60 ? 30 : Math.max(1, Math.ceil(idle / 3));
    return { idle, warn };
  }
  function idleTick() {
    if (!S.lang) return; // already on the start screen
    const { idle, warn } = idleLimits();
    const quiet = (Date.now() - lastActivity) / 1000;
    if (quiet >= idle) return reset();
    if (quiet >= idle - warn) {
      const n = Math.ceil(idle - quiet);
      const existing = document.getElementById('idle-count');
      if (existing) { existing.textContent = n; return; }
      dialog(el('div', { id: 'idle-warning' }, el('h1', {}, t('idleTitle')),
        el('div', { class: 'count', id: 'idle-count' }, String(n)), el('p', {}, t('idleBody', { n: '' }).replace(/\s+\./, '.')),
        el('button', { class: 'big', id: 'idle-continue', onclick: () => { lastActivity = Date.now(); closeDialog(); } }, t('continue'))));
    }
  }
  // reset wipes everything the user did: language, history, search text,
  // keyboard state, print confirmation, scroll, display toggles.
  function reset() {
    S = fresh();
    closeDialog();
    document.body.classList.remove('large', 'contrast');
    document.documentElement.lang = 'en';
    render();
  }
  ['pointerdown', 'keydown', 'touchstart'].forEach((ev) => document.addEventListener(ev, (e) => {
    if (document.getElementById('idle-warning') && !(e.target.closest && e.target.closest('#idle-continue'))) return;
    lastActivity = Date.now();
  }, true));
  // Lockdown inside the page: no context menu, no drag, no pinch or ctrl-zoom.
  document.addEventListener('contextmenu', (e) => e.preventDefault());
  document.addEventListener('dragstart', (e) => e.preventDefault());
  document.addEventListener('wheel', (e) => { if (e.ctrlKey) e.preventDefault(); }, { passive: false });
  document.addEventListener('gesturestart', (e) => e.preventDefault());

  async function start() {
    const [i18n, kb, sprite] = await Promise.all([
      fetch(boot.assets['i18n.json']).then((r) => r.json()),
      fetch(boot.assets['keyboards.json']).then((r) => r.json()),
      fetch(boot.assets['pictograms.svg']).then((r) => r.text())]);
    I18N = i18n; KB = kb;
    $('#sprite').innerHTML = sprite;
    $('#btn-back').onclick = back;
    $('#btn-home').onclick = home;
    $('#btn-lang').onclick = () => { S.stack = []; render(); };
    $('#btn-help').onclick = showHelp;
    if (boot.notice) { $('#notice').textContent = boot.notice; $('#notice').hidden = false; }
    setInterval(idleTick, 1000);
    render();
    document.body.dataset.ready = '1';
    if (typeof window.saparReady === 'function') window.saparReady(document.body.dataset.screen);
  }
  start();
})();
