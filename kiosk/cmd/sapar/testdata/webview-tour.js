// Injected by webview_test.go (SAPAR_TEST_SCRIPT, a webviewtest build): walks the main screens,
// asking the test for a screenshot of each, then tries to leave the kiosk's
// origin three ways; the window must refuse all of them.
(function () {
  if (window.top !== window || window.__saparTour) return;
  window.__saparTour = 1;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const until = async (sel) => {
    for (let i = 0; i < 500; i++) { const e = document.querySelector(sel); if (e) return e; await sleep(20); }
    throw new Error('not found: ' + sel);
  };
  const tap = async (sel) => (await until(sel)).click();
  const shot = async (name) => { await sleep(500); window.saparReady('shot ' + name); await sleep(1300); };
  addEventListener('DOMContentLoaded', async () => {
    try {
      await until('body[data-ready="1"]');
      // WebKit's first composited frame comes a while after the first
      // layout (measured: 0.5 s was not enough under Xvfb).
      await sleep(2500);
      await shot('attract');
      await tap('#attract'); await until('button[data-lang="ur"]'); await shot('langs');
      await tap('button[data-lang="ky"]'); await until('button[data-stage="thinking"]'); await shot('home-ky');
      await tap('button[data-stage="thinking"]'); await until('button[data-guide="work-visa-vs-tourist-visa"]'); await shot('list-ky');
      await tap('button[data-guide="work-visa-vs-tourist-visa"]'); await until('#print'); await shot('guide-ky');
      await tap('.links button.link'); await until('#qr-panel img'); await shot('qr-ky'); await tap('#dialog-close');
      await tap('#btn-home'); await tap('#open-search'); await until('#keyboard');
      for (const k of ['в', 'и', 'з', 'а']) await tap('#keyboard [data-key="' + k + '"]');
      await until('#query-results .item'); await shot('search-ky');
      await tap('#btn-lang'); await tap('button[data-lang="ur"]'); await until('button[data-stage="foreigners"]'); await shot('home-ur');
      await tap('button[data-stage="foreigners"]'); await tap('button[data-guide="foreigners-working-in-kyrgyzstan"]'); await until('#print'); await shot('guide-ur');
      // Three ways out; WebKit must refuse each before loading anything.
      window.open('https://example.org/popup');
      location.href = 'https://example.org/';
      await sleep(800);
      const f = document.createElement('form'); f.action = 'http://10.0.0.1/steal'; f.method = 'get'; document.body.append(f); f.submit();
      await sleep(1200);
      window.saparReady('tour-done ' + location.origin + ' ' + document.body.dataset.screen);
    } catch (e) {
      window.saparReady('tour-failed ' + e.message);
    }
  });
})();
