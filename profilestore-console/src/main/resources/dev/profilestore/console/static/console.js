// The console's only script, served by the console itself: refreshes the live part of a page and shows a banner
// while the store does not answer. Pages work without it; only the refresh needs it.
(function () {
  var live = document.getElementById('live');
  var banner = document.getElementById('banner');
  if (!live) { return; }
  function refresh() {
    fetch(live.getAttribute('data-src'), { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) {
        return r.text().then(function (t) {
          if (r.ok) {
            live.innerHTML = t;
            banner.hidden = true;
          } else if (r.status === 401) {
            banner.textContent = 'Signed out: reload the page to sign in again.';
            banner.hidden = false;
          } else {
            var d = document.createElement('div');
            d.innerHTML = t;
            banner.textContent = d.textContent;
            banner.hidden = false;
          }
        });
      })
      .catch(function () {
        banner.textContent = 'The console does not answer; retrying.';
        banner.hidden = false;
      })
      .then(function () { setTimeout(refresh, 2000); });
  }
  setTimeout(refresh, 2000);
})();
