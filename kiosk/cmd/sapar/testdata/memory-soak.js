// The memory soak, injected by memory_test.go; the shipped page has no soak
// code. window.saparSoak(n, warm) taps through `warm` screens, marks
// body[data-soak="warm"] and reports soak-warm, rests 8 s (a measurement),
// taps through n more screens, then marks body[data-soak=N] and reports
// soak-done. In the webview (SAPAR_TEST_SCRIPT, a webviewtest build) it also
// starts itself: once the kiosk has settled it reports "settled", waits 9 s
// for the first measurement, then runs saparSoak(1000, 100). Chromium
// (chromedp) evaluates this file and calls saparSoak itself.
(function () {
  if (window.top !== window || window.saparSoak) return;
  const report = (what) => { if (typeof window.saparReady === 'function') window.saparReady(what); };
  const rest = (ms) => new Promise((r) => setTimeout(r, ms));
  const until = async (sel) => {
    for (let i = 0; i < 400 && !document.querySelector(sel); i++) await rest(10);
    return document.querySelector(sel);
  };
  // The screens a visitor goes through; the loop comes back through the
  // language screen (the page's own reset is not reachable from outside).
  const first = ['#attract', 'button[data-lang="ky"]'];
  const loop = ['button[data-stage="thinking"]', 'button[data-guide]', '#btn-back', '#btn-home', '#open-search',
    'button[data-key]', '#btn-home', '#btn-lang', 'button[data-lang="ky"]'];
  let started = false;
  async function steps(n) {
    let done = 0;
    const path = started ? loop : first.concat(loop);
    started = true;
    while (done < n) {
      for (const sel of (done === 0 ? path : loop)) {
        const b = await until(sel);
        if (b) b.click();
        await rest(0);
        if (++done >= n) break;
      }
    }
    return done;
  }
  window.saparSoak = async function (n, warm) {
    if (warm) {
      await steps(warm);
      document.body.dataset.soak = 'warm';
      report('soak-warm');
      await rest(8000);
    }
    const done = await steps(n);
    document.body.dataset.soak = String(done);
    report('soak-done');
  };
  if (typeof window.saparReady !== 'function') return;
  addEventListener('DOMContentLoaded', () => {
    const wait = setInterval(() => {
      if (document.body.dataset.ready !== '1') return;
      clearInterval(wait);
      report('settled');
      setTimeout(() => window.saparSoak(1000, 100), 9000);
    }, 50);
  });
})();
