{{! SPDX-License-Identifier: MIT }}
{{! board.js: optional; the member links filter in place. Without it they are pages.
    A file, not inline, so a Content-Security-Policy of default-src 'self' holds. }}
(function () {
  var nav = document.querySelector('nav');
  if (!nav || document.body.getAttribute('data-member')) return;
  nav.addEventListener('click', function (e) {
    var link = e.target.closest('a[data-member]');
    if (!link || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    var who = link.getAttribute('data-member');
    document.querySelectorAll('.card').forEach(function (card) {
      var holder = card.getAttribute('data-holder');
      var mine = holder ? holder === who : card.getAttribute('data-creator') === who;
      card.hidden = !mine;
    });
    nav.querySelectorAll('a').forEach(function (a) { a.removeAttribute('aria-current'); });
    link.setAttribute('aria-current', 'page');
  });
})();
