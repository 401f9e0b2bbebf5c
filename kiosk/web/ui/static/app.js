// Sapar kiosk UI: one small script, no framework, nothing from outside 127.0.0.1.
'use strict';
(function () {
  const boot = JSON.parse(document.getElementById('boot').textContent);
  const $ = (sel) => document.querySelector(sel);
  const main = $('#main');
  const DEFAULT_VOLUME = 0.8;
  let I18N = {}, KB = {};
  let S = fresh();            // the session: everything one user did, wiped on reset
  let lastActivity = Date.now();
  let renderGen = 0;          // a screen drawn late (slow fetch) never replaces a newer one
  let tapAt = 0;              // performance.now() of the last tap, for tap-to-paint measures
  const timers = { rotate: null, search: null };
  const audio = new Audio();
  audio.preload = 'none';

  function fresh() {
    return { lang: null, origin: null, stack: [], query: '', agencyQuery: '', shift: false, afterPrint: false, job: null, volume: DEFAULT_VOLUME };
  }
  function langInfo(tag) { return boot.languages.find((l) => l.tag === tag) || boot.languages[0]; }
  function isRTL(tag) { return !!langInfo(tag).rtl; }
  function t(key, vars, lang) {
    const table = I18N[lang || S.lang] || I18N.en || {};
    let s = table[key] || (I18N.en || {})[key] || key;
    for (const k in vars || {}) s = s.replace('{' + k + '}', vars[k]);
    return s;
  }
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) {
      if (k === 'onclick') e.addEventListener('click', attrs[k]);
      else if (k === 'html') e.innerHTML = attrs[k];
      else if (attrs[k] !== undefined && attrs[k] !== null && attrs[k] !== false) e.setAttribute(k, attrs[k]);
    }
    for (const c of kids.flat()) if (c !== null && c !== undefined && c !== false) e.append(c.nodeType ? c : document.createTextNode(c));
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
    if (!r.ok && r.status !== 202) {
      const e = new Error((await r.json().catch(() => ({}))).error || String(r.status));
      e.status = r.status;
      throw e;
    }
    return r.status === 204 ? null : r.json();
  }
  const q = (o) => new URLSearchParams(o).toString();
  // Session events are counted anonymously; they never hold what was typed.
  function event(ev, lang) {
    fetch('/api/session', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Sapar-Token': boot.token },
      body: JSON.stringify(lang ? { event: ev, lang } : { event: ev }) }).catch(() => {});
  }

  // ---- navigation ----
  function go(screen, params) { S.stack.push({ screen, params: params || {} }); render(); }
  // Back at the root: from Home to the language picker, from the picker to
  // the attract screen (which ends the session).
  function back() {
    if (S.stack.length > 1) { S.stack.pop(); render(); } else if (S.stack[0] && S.stack[0].screen === 'home') { S.stack = [{ screen: 'langs', params: {} }]; render(); } else reset();
  }
  function home() { S.stack = [{ screen: S.lang ? 'home' : 'langs', params: {} }]; render(); }
  function applyDir() {
    const tag = S.lang || 'en';
    document.documentElement.lang = tag;
    document.documentElement.dir = S.lang && isRTL(tag) ? 'rtl' : 'ltr';
  }
  function setLang(tag) {
    if (S.lang !== tag) event('language', tag);
    S.lang = tag;
    S.shift = false;
    applyDir();
    S.stack = [{ screen: 'home', params: {} }];
    render();
  }

  const screens = { attract: renderAttract, langs: renderLangs, home: renderHome, list: renderList, guide: renderGuide,
    search: renderSearch, countries: renderCountries, country: renderCountry, contacts: renderContacts, agency: renderAgency };

  async function render() {
    const gen = ++renderGen;
    stopRotate();
    stopSpeech();
    clearTimeout(timers.search);
    const top = S.stack[S.stack.length - 1];
    const name = top && screens[top.screen] ? top.screen : 'attract';
    applyDir();
    $('#bar').hidden = name === 'attract';
    for (const b of document.querySelectorAll('#bar [data-t]')) b.querySelector('span').textContent = t(b.dataset.t);
    $('#btn-lang').textContent = S.lang ? langInfo(S.lang).endonym : '';
    $('#btn-lang').hidden = !S.lang || name === 'langs';
    $('#btn-home').hidden = !S.lang;
    // Sample content says so in the reader's language once they chose one.
    if (boot.sampleContent) { $('#notice').textContent = S.lang ? t('sampleContent') : boot.notice; $('#notice').hidden = false; }
    let nodes;
    try {
      nodes = await screens[name](top ? top.params : {});
    } catch (e) {
      nodes = [el('p', { class: 'error', id: 'load-error' }, t('loadError')),
        el('button', { class: 'big', onclick: () => render() }, t('continue'))];
    }
    if (gen !== renderGen) return; // a newer screen is on its way
    document.body.dataset.screen = name;
    main.className = 'screen-' + name;
    main.replaceChildren(...[].concat(nodes));
    main.scrollTop = 0;
    window.scrollTo(0, 0);
    painted(name);
    showUrgent(gen);
  }

  // Urgent notices from the content: a banner above every screen while they
  // are valid (the server stops answering an expired one), never a takeover.
  async function showUrgent(gen) {
    let list = [];
    try { list = await api('/api/notices?' + q({ lang: S.lang || (boot.languages[0] || {}).tag || 'en' })); } catch (e) { list = []; }
    if (gen !== renderGen) return;
    let box = document.getElementById('urgent');
    if (!box) { box = el('div', { id: 'urgent', role: 'status' }); main.parentNode.insertBefore(box, main); }
    box.replaceChildren(...(list || []).map((n) => el('p', { lang: n.lang, dir: isRTL(n.lang) ? 'rtl' : 'ltr', 'data-notice': n.id }, n.text)));
    box.hidden = !(list || []).length;
  }

  // painted records "tap → next screen on the glass" with the Performance API
  // (the paint follows the next animation frame).
  function painted(name) {
    const from = tapAt;
    if (!from) return;
    requestAnimationFrame(() => setTimeout(() => {
      try {
        if (performance.getEntriesByType('measure').length > 200) performance.clearMeasures();
        performance.measure('tap-to-paint:' + name, { start: from, end: performance.now() });
      } catch (e) { /* old engines: no measure with options */ }
    }, 0));
    tapAt = 0;
  }

  function stopRotate() { if (timers.rotate) { clearInterval(timers.rotate); timers.rotate = null; } }
  function bar(title) { $('#bar-title').textContent = title || ''; }

  // ---- screens ----
  // Attract: key safety messages in every language in turn, "touch to start"
  // in all of them at once. The whole screen is one button.
  function renderAttract() {
    bar('');
    const msg = el('p', { class: 'safety', id: 'safety' });
    const langs = boot.languages;
    let i = 0;
    const show = () => {
      const l = langs[i % langs.length];
      const k = 'safety' + (1 + (i % 3));
      msg.textContent = t(k, null, l.tag);
      msg.setAttribute('lang', l.tag); msg.setAttribute('dir', l.rtl ? 'rtl' : 'ltr');
      msg.dataset.msg = k;
      i++;
    };
    show();
    timers.rotate = setInterval(show, 4000);
    const touch = el('div', { class: 'touch-all' }, langs.map((l) =>
      el('span', { lang: l.tag, dir: l.rtl ? 'rtl' : 'ltr' }, t('touchToStart', null, l.tag))));
    return el('button', { id: 'attract', onclick: () => { event('start'); S.stack = [{ screen: 'langs', params: {} }]; render(); } },
      el('span', { class: 'logo' }, icon('thinking'), 'Sapar'), msg, el('span', { class: 'hand' }, icon('touch')), touch);
  }

  function renderLangs() {
    bar('');
    const head = el('div', { class: 'rotating', id: 'choose' });
    let i = 0;
    const show = () => {
      const l = boot.languages[i % boot.languages.length];
      head.textContent = t('chooseLanguage', null, l.tag);
      head.setAttribute('lang', l.tag); head.setAttribute('dir', l.rtl ? 'rtl' : 'ltr');
      i++;
    };
    show();
    timers.rotate = setInterval(show, 2500);
    const grid = el('div', { class: 'langs' }, boot.languages.map((l) =>
      el('button', { 'data-lang': l.tag, lang: l.tag, dir: l.rtl ? 'rtl' : 'ltr', onclick: () => setLang(l.tag) }, l.endonym)));
    return [head, grid];
  }

  // stageTiles: a guide list per stage of the journey, and all guides.
  function stageTiles() {
    return el('div', { class: 'tiles' },
      boot.stages.map((s) => el('button', { class: 'tile', 'data-stage': s, onclick: () => go('list', { stage: s }) }, icon(s), el('span', {}, t('stage.' + s)))),
      el('button', { class: 'tile', 'data-stage': '', onclick: () => go('list', { stage: '' }) }, icon('all'), el('span', {}, t('allGuides'))));
  }

  function renderHome() {
    bar('Sapar');
    const search = el('button', { class: 'searchbox', id: 'open-search', onclick: () => go('search') }, icon('search'), t('searchPlaceholder'));
    const tiles = stageTiles();
    const more = el('div', { class: 'tiles more' },
      el('button', { class: 'tile', id: 'open-agency', onclick: () => go('agency') }, icon('agency'), el('span', {}, t('agency'))),
      el('button', { class: 'tile', id: 'open-countries', onclick: () => go('countries') }, icon('country'), el('span', {}, t('countries'))),
      el('button', { class: 'tile', id: 'open-contacts', onclick: () => go('contacts') }, icon('phone'), el('span', {}, t('contacts'))));
    return [search, tiles, more];
  }

  // ui: attributes for words in the reader's language inside text that may
  // be in another (a fallback guide in English on the Urdu screen).
  function ui() { return { lang: S.lang, dir: isRTL(S.lang) ? 'rtl' : 'ltr' }; }
  function fallbackNote(lang) {
    return el('div', Object.assign({ class: 'fallback' }, ui()), t('shownIn', { lang: langInfo(lang).endonym }));
  }

  function itemList(items, from) {
    if (!items || !items.length) return el('p', { id: 'no-results', class: 'empty' }, t('noResults'));
    return el('div', { class: 'list' }, items.map((g) =>
      el('button', { class: 'item', 'data-guide': g.id, onclick: () => go('guide', { id: g.id, from: from || 'browse' }) },
        icon(g.pictogram || 'all'),
        el('span', { lang: g.lang, dir: isRTL(g.lang) ? 'rtl' : 'ltr' }, el('b', {}, g.title), el('small', {}, g.summary),
          g.fallback ? fallbackNote(g.lang) : null))));
  }

  async function renderList(p) {
    bar(p.stage ? t('stage.' + p.stage) : t('allGuides'));
    const items = await api('/api/guides?' + q({ stage: p.stage || '', lang: S.lang }));
    return itemList(items);
  }

  // Guide: title, the numbered steps in large type, Print, read-aloud, the
  // outside links as QR panels, then the full text.
  async function renderGuide(p) {
    const g = await api('/api/guides/' + encodeURIComponent(p.id) + '?' + q({ lang: S.lang, from: p.from || 'browse', origin: origin() }));
    bar(g.title);
    const dir = isRTL(g.lang) ? 'rtl' : 'ltr';
    const tools = el('div', { class: 'tools' },
      el('button', { class: 'big print', id: 'print', onclick: () => startPrint(g) }, icon('print'), t('print')),
      (boot.speech || []).includes(g.lang) ? speechTools(g) : null);
    const steps = (g.print || []).length ? el('section', { class: 'steps' }, el('h2', ui(), t('steps')),
      el('ol', {}, g.print.map((s) => el('li', {}, s)))) : null;
    const links = (g.links || []).length ? el('section', { class: 'links' }, (g.links || []).map((l) =>
      el('button', { class: 'link', 'data-link': l.id, onclick: () => showQR(g.id, l) }, icon('qr'),
        el('span', {}, el('b', {}, l.label), el('small', ui(), t('scanQR')))))) : null;
    const body = el('div', { class: 'body', html: g.body_html });
    // Links inside the text never navigate: a known one becomes its QR panel.
    body.addEventListener('click', (e) => {
      const a = e.target.closest('a[href]');
      if (!a) return;
      e.preventDefault();
      const l = (g.links || []).find((x) => x.url === a.getAttribute('href'));
      if (l) showQR(g.id, l); else dialog(el('div', { id: 'qr-panel' }, el('p', {}, t('linkNotAllowed')), closeButton()));
    });
    const desk = helpDeskCard();
    const contacts = (g.contacts || []).length || desk ? el('section', { class: 'contacts' }, el('h2', ui(), t('contacts')),
      el('div', { class: 'list' }, desk, (g.contacts || []).map(contactCard))) : null;
    const unchecked = g.reviewed ? null : el('p', Object.assign({ class: 'unreviewed', id: 'not-reviewed' }, ui()), t('notReviewed'));
    return el('article', { class: 'guide', lang: g.lang, dir },
      el('h1', {}, g.title), g.fallback ? fallbackNote(g.lang) : null, unchecked, g.origin_matters ? originPicker() : null,
      steps, tools, links, contacts, el('h2', ui(), t('moreInfo')), body);
  }

  // Whose rules apply: the reader's citizenship, asked on the guides where
  // links or contacts differ by it; until they choose, a guess from the
  // language. Kept for the session (wiped on reset).
  const ORIGINS = ['KG', 'UZ', 'TJ', 'other'];
  function origin() {
    if (S.origin) return S.origin;
    const l = S.lang || '';
    return l === 'ky' ? 'KG' : l.startsWith('uz') || l === 'kaa' ? 'UZ' : l === 'tg' ? 'TJ' : (boot.country || 'other');
  }
  function originPicker() {
    const cur = origin();
    return el('div', Object.assign({ class: 'origin', id: 'origin', 'data-chosen': S.origin ? '1' : '0' }, ui()), el('span', {}, t('originAsk')),
      ORIGINS.map((o) => el('button', { class: 'chip' + (o === cur ? ' on' : ''), 'data-origin': o, 'aria-pressed': String(o === cur),
        onclick: () => { S.origin = o; render(); } }, t(o === 'other' ? 'originOther' : 'origin' + o))));
  }

  function qrImg(src) { return el('img', { alt: '', src, width: 260, height: 260 }); }
  function qrPanel(topic, link) {
    return el('div', { class: 'qr', 'data-link': link.id },
      qrImg('/api/qr?' + q({ topic, link: link.id })), el('div', {}, link.label), el('small', {}, t('scanQR')));
  }
  function showQR(topic, link) {
    dialog(el('div', { id: 'qr-panel', 'data-link': link.id }, qrPanel(topic, link), closeButton()));
  }
  // qrButton: an outside address as a button that opens its QR panel.
  function qrButton(label, address, src, id) {
    return el('button', { class: 'link', 'data-qr': id, onclick: () =>
      dialog(el('div', { id: 'qr-panel', 'data-qr': id },
        el('div', { class: 'qr' }, qrImg(src), el('div', { dir: 'ltr' }, address), el('small', {}, t('scanQR'))), closeButton())) },
    icon('qr'), el('span', {}, el('b', {}, label), el('small', {}, t('scanQR'))));
  }
  function closeButton() { return el('button', { class: 'big', id: 'dialog-close', onclick: closeDialog }, t('close')); }

  // ---- read-aloud: audio never blocks the page; it stops on every screen change and on reset ----
  function speechTools(g) {
    const btn = el('button', { class: 'speak', id: 'speak', onclick: () => {
      if (!audio.paused) { stopSpeech(); return; }
      audio.src = '/api/speak?' + q({ topic: g.id, lang: g.lang });
      audio.volume = S.volume;
      document.body.dataset.speaking = '1';
      btn.lastChild.textContent = t('stopListening');
      audio.play().catch(() => stopSpeech());
    } }, icon('speaker'), el('span', {}, t('listen')));
    // Volume in five steps, shown as bars; back to the default for each session.
    const level = el('span', { class: 'level', id: 'volume', 'aria-hidden': 'true' });
    const show = () => {
      const n = Math.round(S.volume * 5);
      level.dataset.level = String(n);
      level.replaceChildren(...[1, 2, 3, 4, 5].map((i) => el('i', { class: i <= n ? 'on' : '' })));
    };
    const vol = (d) => () => { S.volume = Math.min(1, Math.max(0.2, Math.round((S.volume + d) * 5) / 5)); audio.volume = S.volume; show(); };
    show();
    return el('div', { class: 'speech' }, btn,
      el('button', { class: 'vol', id: 'quieter', 'aria-label': t('quieter'), onclick: vol(-0.2) }, '−'), level,
      el('button', { class: 'vol', id: 'louder', 'aria-label': t('louder'), onclick: vol(0.2) }, '+'));
  }
  function stopSpeech() {
    audio.pause();
    if (audio.getAttribute('src')) { audio.removeAttribute('src'); audio.load(); }
    delete document.body.dataset.speaking;
    const b = document.getElementById('speak');
    if (b) b.lastChild.textContent = t('listen');
  }
  audio.addEventListener('ended', stopSpeech);
  // Someone listening without touching is still there: the idle clock
  // starts when the speech ends (a guide is a few minutes at most).
  audio.addEventListener('timeupdate', () => { if (!audio.paused) lastActivity = Date.now(); });

  // ---- typing screens: a query line, results, and the on-screen keyboard at the bottom ----
  // whenEmpty (optional) fills the results when nothing is typed yet.
  function typingScreen(field, fetcher, id, whenEmpty) {
    const box = el('div', { class: 'query', id, dir: 'auto' });
    const results = el('div', { class: 'results', id: id + '-results' });
    const update = () => {
      box.textContent = S[field] || '\u00a0';
      clearTimeout(timers.search);
      const gen = renderGen;
      timers.search = setTimeout(async () => {
        const text = S[field];
        if (!text.trim()) {
          let nodes = [];
          if (whenEmpty) { try { nodes = await whenEmpty(); } catch (e) { nodes = [stageTiles()]; } }
          if (gen === renderGen && !S[field].trim()) results.replaceChildren(...[].concat(nodes));
          return;
        }
        let nodes;
        try { nodes = await fetcher(text); } catch (e) { nodes = el('p', { class: 'error' }, t('loadError')); }
        if (gen === renderGen && text === S[field]) results.replaceChildren(...[].concat(nodes));
      }, 150);
    };
    const kbd = keyboard((k) => {
      if (k === 'BACKSPACE') S[field] = Array.from(S[field]).slice(0, -1).join('');
      else if (k === 'CLEAR') S[field] = '';
      else if (Array.from(S[field]).length < 60) S[field] += k;
      update();
    });
    update();
    // Small screens: touching the results folds the keyboard away so they
    // can be read; touching the query line brings it back.
    results.addEventListener('pointerdown', () => kbd.classList.add('folded'));
    box.addEventListener('click', () => kbd.classList.remove('folded'));
    return [box, results, kbd];
  }

  // Search never leaves a blank area for someone who cannot spell: with
  // nothing typed, nothing found or a failed search it offers the guides
  // most read at this kiosk and the stage tiles.
  async function offered() {
    let offer = { counted: false, guides: [] };
    try { offer = await api('/api/popular?' + q({ lang: S.lang })); } catch (e) { /* the stage tiles still show */ }
    const popular = offer.guides || [];
    return el('section', { id: 'offered' },
      popular.length ? el('h2', { id: 'popular-here' }, t(offer.counted ? 'popularHere' : 'startWith')) : null,
      popular.length ? itemList(popular) : null, stageTiles());
  }

  function renderSearch() {
    bar(t('search'));
    return typingScreen('query', async (text) => {
      let items;
      try { items = await api('/api/search?' + q({ lang: S.lang, q: text })); } catch (e) { return [el('p', { class: 'error' }, t('loadError'))].concat(await offered()); }
      if (items && items.length) return itemList(items, 'search');
      return [el('p', { id: 'no-results', class: 'empty' }, t('noResults'))].concat(await offered());
    }, 'query', offered);
  }

  // The agency check: a verdict only for an exact name or licence number;
  // candidates (beginnings, misspellings) are listed without any status or
  // colour; sample data says so in the verdict itself; a kiosk without a
  // real registry says it cannot check and points to the help desk.
  function renderAgency() {
    bar(t('agency'));
    const words = { licensed: 'agencyLicensed', suspended: 'agencySuspended', revoked: 'agencyRevoked', expired: 'agencyExpired',
      not_found: 'agencyNotFound', too_short: 'agencyTooShort', similar: 'agencySimilar', cannot_check: 'agencyCannotCheck' };
    const exact = (m) => m.match === 'licence' || m.match === 'name';
    return [el('p', { class: 'prompt' }, t('agencyPrompt'))].concat(typingScreen('agencyQuery', async (text) => {
      const r = await api('/api/agency?' + q({ lang: S.lang, q: text }));
      const tone = r.status === 'licensed' ? (r.sample ? 'neutral' : 'good') : ['similar', 'cannot_check', 'too_short'].includes(r.status) || r.sample ? 'neutral' : 'bad';
      const head = el('p', { class: 'verdict ' + tone, id: 'agency-verdict', 'data-status': r.status, 'data-sample': r.sample ? '1' : '0' },
        t(words[r.status] || 'agencyNotFound'),
        r.sample ? el('span', { class: 'sample-check', id: 'agency-sample' }, t('agencySampleCheck')) : null);
      const name = (m) => [el('b', {}, m.name), m.name_translit ? el('div', {}, m.name_translit) : null,
        el('div', {}, t('licenceNo') + ': ', el('span', { dir: 'ltr' }, m.licence_no), ' · ', m.country)];
      return el('div', {}, head, (r.matches || []).map((m) => exact(m)
        ? el('div', { class: 'card agency ' + m.effective, 'data-status': m.effective, 'data-match': m.match }, ...name(m),
          el('div', { class: 'status' }, t(words[m.effective] || 'agencyNotFound'),
            m.valid_until ? ' (' + t('validUntil', { date: m.valid_until }) + ')' : ''),
          m.sample ? el('small', {}, t('sampleData')) : null)
        : el('div', { class: 'card agency candidate', 'data-match': m.match }, ...name(m), m.sample ? el('small', {}, t('sampleData')) : null)),
      r.status === 'cannot_check' ? helpDeskCard() : null,
      r.next && (r.next.steps || []).length ? el('section', { class: 'steps', lang: r.next.lang, dir: isRTL(r.next.lang) ? 'rtl' : 'ltr' },
        el('h2', {}, t('steps')), el('ol', {}, r.next.steps.map((x) => el('li', {}, x)))) : null,
      (r.registries || []).map((g) => qrButton(g.name, g.url, g.qr, 'registry-' + g.country)));
    }, 'agency-query'));
  }

  // helpDeskCard: the kiosk site's own help desk (provisioning help_desk);
  // the demo's says it is a sample, not a real number.
  function helpDeskCard() {
    const h = boot.helpDesk || {};
    if (!h.name && !h.phone && !h.address) return null;
    return el('div', { class: 'card contact helpdesk', id: 'help-desk' },
      el('b', {}, t('helpDesk')), h.name ? el('div', {}, h.name) : null,
      h.phone ? el('div', {}, t('phone') + ': ', el('span', { dir: 'ltr', class: 'phone' }, h.phone)) : null,
      h.hours ? el('div', {}, t('hours') + ': ' + h.hours) : null,
      h.address ? el('div', {}, h.address) : null,
      h.sample ? el('small', { class: 'sample-check' }, t('helpDeskSample')) : null);
  }

  async function renderCountries() {
    bar(t('countries'));
    const list = await api('/api/countries?' + q({ lang: S.lang }));
    if (!list || !list.length) return el('p', { class: 'empty' }, t('noResults'));
    return el('div', { class: 'tiles' }, list.map((c) =>
      el('button', { class: 'tile', 'data-country': c.code, onclick: () => go('country', { code: c.code, name: c.name, guides: c.guides }) },
        el('span', { class: 'code' }, c.code), el('span', {}, c.name))));
  }

  function renderCountry(p) {
    bar(p.name);
    return itemList(p.guides || []);
  }

  async function renderContacts() {
    bar(t('contacts'));
    const list = await api('/api/contacts?' + q({ lang: S.lang }));
    if (!list || !list.length) return el('p', { class: 'empty' }, t('noResults'));
    return el('div', { class: 'list' }, list.map(contactCard));
  }

  // contactCard: a contact's name, phone and hours, and its website and
  // Telegram as QR buttons (only what the content holds).
  function contactCard(c) {
    let qr = c.qr;
    if (!qr) {
      qr = {};
      for (const field of ['website', 'telegram']) if (c[field]) qr[field] = '/api/contacts/qr?' + q({ id: c.id, field });
    }
    return el('div', { class: 'card contact', 'data-contact': c.id },
      el('b', { lang: c.lang, dir: isRTL(c.lang) ? 'rtl' : 'ltr' }, c.name),
      c.phone ? el('div', {}, t('phone') + ': ', el('span', { dir: 'ltr', class: 'phone' }, c.phone)) : null,
      c.hours ? el('div', {}, t('hours') + ': ' + c.hours) : null,
      Object.keys(qr).map((field) => qrButton(field === 'website' ? t('website') : 'Telegram', c[field], qr[field], c.id + '-' + field)));
  }

  // On-screen keyboard from data (keyboards.json): layouts per language,
  // keys may be several letters (Uzbek oʻ), capitals from the layout's map
  // where toLocaleUpperCase is wrong (Karakalpak ı → Í).
  function keyboard(onKey) {
    const kb = KB[S.lang] || KB.en;
    const upper = (c) => (kb.upper && kb.upper[c]) || c.toLocaleUpperCase(S.lang);
    const rows = [kb.digits].concat(kb.rows);
    const wrap = el('div', { class: 'kbd', id: 'keyboard', dir: kb.rtl ? 'rtl' : 'ltr', lang: S.lang });
    const unfold = el('button', { class: 'unfold', id: 'keyboard-unfold', 'aria-label': t('search'), onclick: () => wrap.classList.remove('folded') }, '⌨');
    const draw = () => {
      wrap.replaceChildren(unfold, ...rows.map((r, i) => el('div', { class: i === 0 ? 'row digits' : 'row letters', dir: i === 0 ? 'ltr' : null }, r.map((c) => {
        const ch = S.shift ? upper(c) : c;
        return el('button', { 'data-key': ch, onclick: () => { onKey(ch); if (S.shift) { S.shift = false; draw(); } } }, ch);
      }))), el('div', { class: 'row' },
        // Small screens show digits as a layer (CSS hides this key elsewhere).
        el('button', { 'data-key': 'DIGITS', class: 'layer', 'aria-pressed': String(wrap.classList.contains('show-digits')),
          onclick: () => { wrap.classList.toggle('show-digits'); draw(); } }, wrap.classList.contains('show-digits') ? kb.rows[0].slice(0, 3).join('') : '123'),
        kb.noShift ? null : el('button', { 'data-key': 'SHIFT', class: S.shift ? 'on' : '', 'aria-pressed': String(S.shift), onclick: () => { S.shift = !S.shift; draw(); } }, '⇧'),
        el('button', { class: 'wide', 'data-key': ' ', onclick: () => onKey(' ') }, t('space')),
        el('button', { 'data-key': 'BACKSPACE', 'aria-label': '⌫', onclick: () => onKey('BACKSPACE') }, '⌫'),
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
      job = (await api('/api/print', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Sapar-Token': boot.token }, body: JSON.stringify({ topic: g.id, lang: g.lang, origin: g.origin || '' }) })).job;
    } catch (e) { return printResult(g, link, { state: 'failed', reason: e.status === 429 ? 'too-many' : e.status === 503 ? 'busy' : 'error' }); }
    S.job = job;
    const asked = Date.now();
    const poll = async () => {
      if (S.job !== job) return; // the session was reset
      // No answer: the kiosk may be restarting (then the job answers
      // "interrupted" with a reprint offer); give up after a minute.
      const st = await api('/api/print/' + job).catch(() => (Date.now() - asked < 60000 ? { state: 'unknown' } : { state: 'failed', reason: 'error' }));
      if (S.job !== job) return;
      if (st.state === 'done' || st.state === 'failed') printResult(g, link, st);
      else setTimeout(poll, 400);
    };
    setTimeout(poll, 300);
  }

  // Every reason the server gives (jobs.go failureReason) has words in every language.
  const printReasons = { 'paper-out': 'paperOut', 'cover-open': 'coverOpen', offline: 'offline', timeout: 'printTimeout', busy: 'printBusy',
    interrupted: 'printInterrupted', 'too-many': 'printTooMany', expired: 'generic', error: 'generic' };
  function printResult(g, link, st) {
    const ok = st.state === 'done';
    S.afterPrint = S.afterPrint || ok;
    S.job = null;
    const msg = ok ? t('takeSlip') : t(printReasons[st.reason] || 'generic');
    dialog(el('div', { id: 'print-status', 'data-state': st.state, 'data-reason': st.reason || '' },
      el('h1', { class: ok ? 'ok' : 'failed' }, ok ? '✓' : t('printFailed')), el('p', { id: 'print-message' }, msg),
      link ? qrPanel(g.id, link) : null,
      st.reason === 'interrupted' ? el('button', { class: 'big', id: 'print-again', onclick: () => startPrint(g) }, t('printAgain')) : null,
      el('button', { class: 'big', id: 'print-close', onclick: closeDialog }, t('close'))));
  }
  // A restart cut a slip short a moment ago (boot.reprint): its reader may
  // still be here. Back in their language, the page says what happened and
  // offers to print it again; nothing prints on its own (at most once).
  async function offerReprint(r) {
    const g = await api('/api/guides/' + encodeURIComponent(r.topic) + '?' + q({ lang: r.lang })).catch(() => null);
    if (!g) return;
    S.lang = g.lang;
    applyDir();
    S.stack = [{ screen: 'home', params: {} }];
    await render();
    printResult(g, (g.links || [])[0], { state: 'failed', reason: 'interrupted', reprint: true });
  }

  // ---- dialogs, help, idle reset ----
  function dialog(content) { $('#dialog').replaceChildren(content); $('#overlay').hidden = false; $('#dialog').scrollTop = 0; }
  function closeDialog() { $('#overlay').hidden = true; $('#dialog').replaceChildren(); }

  function showHelp() {
    const toggle = (cls, id, label, sym) => el('button', { id, class: 'toggle', 'aria-pressed': String(document.body.classList.contains(cls)),
      onclick: (e) => { const on = document.body.classList.toggle(cls); e.currentTarget.setAttribute('aria-pressed', String(on)); } },
    el('span', { class: 'sym' }, sym), el('span', {}, label));
    dialog(el('div', { id: 'help' }, el('h1', {}, t('help')), el('p', {}, t('helpBody')),
      el('div', { class: 'toggles' }, toggle('large', 'toggle-large', t('largeText'), 'A+'), toggle('contrast', 'toggle-contrast', t('contrast'), '◐')),
      closeButton()));
  }

  // The warning gives at least 20 s (WCAG 2.2.1): 30 s on the default 90 s
  // timeout. After a print the whole timeout halves (the user has their slip
  // and may walk away), but never below 45 s, so the warning keeps 30 s.
  // Timeouts under 30 s exist only for tests; they warn for a third.
  function idleLimits() {
    let idle = boot.idleSeconds;
    if (S.afterPrint) idle = idle >= 90 ? Math.ceil(idle / 2) : idle >= 45 ? 45 : Math.max(3, Math.ceil(idle * 2 / 3));
    const warn = idle >= 30 ? Math.min(30, idle - 10) : Math.max(1, Math.ceil(idle / 3));
    return { idle, warn };
  }
  function idleTick() {
    if (!S.stack.length) return; // already on the attract screen
    const { idle, warn } = idleLimits();
    document.body.dataset.idleLimit = String(idle); // shown for tests: shorter after a print
    const quiet = (Date.now() - lastActivity) / 1000;
    if (quiet >= idle) { event('idle-reset'); return reset(); }
    if (quiet >= idle - warn) {
      const n = Math.ceil(idle - quiet);
      const existing = document.getElementById('idle-count');
      if (existing) { existing.textContent = n; $('#idle-body').textContent = t('idleBody', { n }); return; }
      dialog(el('div', { id: 'idle-warning' }, el('h1', {}, t('idleTitle')),
        el('div', { class: 'count', id: 'idle-count' }, String(n)), el('p', { id: 'idle-body' }, t('idleBody', { n })),
        el('button', { class: 'big', id: 'idle-continue', onclick: () => { lastActivity = Date.now(); closeDialog(); } }, t('continue'))));
    }
  }
  // reset wipes everything the user did: language, history, search and
  // agency text, keyboard shift, print confirmation and job, scroll, the
  // large-text and contrast toggles, speech and its volume.
  function reset() {
    stopSpeech();
    S = fresh();
    delete document.body.dataset.idleLimit;
    audio.volume = DEFAULT_VOLUME;
    clearTimeout(timers.search);
    closeDialog();
    document.body.classList.remove('large', 'contrast');
    main.scrollTop = 0;
    render();
  }
  ['pointerdown', 'keydown', 'touchstart'].forEach((ev) => document.addEventListener(ev, (e) => {
    if (document.getElementById('idle-warning') && !(e.target.closest && e.target.closest('#idle-continue'))) return;
    lastActivity = Date.now();
    tapAt = performance.now();
  }, true));

  // Lockdown inside the page: no context menu, selection, drag, pinch or
  // ctrl-zoom, no browser shortcuts; links never navigate.
  document.addEventListener('contextmenu', (e) => e.preventDefault());
  document.addEventListener('selectstart', (e) => e.preventDefault());
  document.addEventListener('dragstart', (e) => e.preventDefault());
  document.addEventListener('drop', (e) => e.preventDefault());
  document.addEventListener('dragover', (e) => e.preventDefault());
  document.addEventListener('wheel', (e) => { if (e.ctrlKey) e.preventDefault(); }, { passive: false });
  document.addEventListener('touchmove', (e) => { if (e.touches && e.touches.length > 1) e.preventDefault(); }, { passive: false });
  document.addEventListener('gesturestart', (e) => e.preventDefault());
  document.addEventListener('keydown', (e) => { if (e.ctrlKey || e.altKey || e.metaKey || /^F\d+$/.test(e.key)) e.preventDefault(); }, true);
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a[href]');
    if (a && !e.defaultPrevented) e.preventDefault();
  });

  async function start() {
    const [i18n, kb, sprite] = await Promise.all([
      fetch(boot.assets['i18n.json']).then((r) => r.json()),
      fetch(boot.assets['keyboards.json']).then((r) => r.json()),
      fetch(boot.assets['pictograms.svg']).then((r) => r.text())]);
    I18N = i18n; KB = kb;
    $('#sprite').innerHTML = sprite;
    $('#btn-back').onclick = back;
    $('#btn-home').onclick = home;
    $('#btn-lang').onclick = () => go('langs');
    $('#btn-help').onclick = showHelp;
    if (boot.notice) { $('#notice').textContent = boot.notice; $('#notice').dir = 'auto'; $('#notice').hidden = false; }
    audio.volume = DEFAULT_VOLUME;
    setInterval(idleTick, 1000);
    // The page is alive: the watchdog (sapar run, RequireHeartbeat) restarts a
    // kiosk whose page stops beating, e.g. a frozen or crashed web process.
    // It also says whether someone is at the screen (attract screen or a session):
    // security updates and their reboot wait for the attract screen.
    const beat = () => fetch('/api/heartbeat', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Sapar-Token': boot.token },
      body: JSON.stringify({ screen: S.stack.length ? 'session' : 'attract' }) }).catch(() => {});
    beat();
    setInterval(beat, 10000);
    await render();
    if (boot.reprint) await offerReprint(boot.reprint);
    document.body.dataset.ready = '1';
    if (typeof window.saparReady === 'function') window.saparReady(document.body.dataset.screen);
  }
  start();
})();
