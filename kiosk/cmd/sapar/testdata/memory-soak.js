// Injected by memory_test.go (SAPAR_TEST_SCRIPT): once the kiosk has settled
// it reports, waits for the first measurement, then reloads with #soak=N so
// app.js taps through N screens by itself and reports soak-done.
(function () {
  if (window.top !== window || location.hash.startsWith('#soak')) return;
  addEventListener('DOMContentLoaded', () => {
    const wait = setInterval(() => {
      if (document.body.dataset.ready !== '1') return;
      clearInterval(wait);
      window.saparReady('settled');
      setTimeout(() => { location.href = location.origin + '/?soak#soak=1000,100'; }, 9000);
    }, 50);
  });
})();
