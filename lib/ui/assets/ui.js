// tend status page: live updates and actions on top of the server-rendered
// HTML. No framework and no build step: the page works without this file.
//
// Live: polls the status summary every few seconds (If-None-Match: an
// unchanged status is a 304); when it changed, fetches this page again (same URL, so the same filter and sort) and swaps <main>.
// Actions: the admin pastes the action token once; it stays in this tab's
// sessionStorage and goes out as "Authorization: Bearer" with each POST.
(function () {
  'use strict';
  var POLL_MS = 2000;
  var KEY = 'tend-action-token';
  var lastStatus = null;
  var busy = false;
  var again = false; // a reload was asked for while one ran: run one more after it
  var filterTimer = null;

  function token() {
    try { return sessionStorage.getItem(KEY) || ''; } catch (e) { return ''; }
  }

  function flash(text) {
    var el = document.createElement('div');
    el.className = 'flash';
    el.setAttribute('role', 'status');
    el.textContent = text;
    document.body.appendChild(el);
    setTimeout(function () { el.remove(); }, 4000);
  }

  function setLive(text) {
    var el = document.getElementById('live');
    if (el) el.textContent = text;
  }

  function enhance() {
    var on = document.body.getAttribute('data-actions') === 'on';
    var has = token() !== '';
    document.querySelectorAll('[data-js]').forEach(function (el) { el.hidden = !on; });
    document.querySelectorAll('button.action').forEach(function (b) {
      b.hidden = !(on && has);
    });
    var f = document.getElementById('filter');
    if (f && !f.dataset.bound) {
      f.dataset.bound = '1';
      // 'input' covers typing and the selects; 'change' would fire again on
      // blur, e.g. when a column header is clicked, and undo that sort.
      f.addEventListener('input', function () {
        clearTimeout(filterTimer);
        filterTimer = setTimeout(function () { navigate(filterURL(f)); }, 150);
      });
      f.addEventListener('submit', function (ev) {
        ev.preventDefault();
        clearTimeout(filterTimer);
        navigate(filterURL(f));
      });
    }
  }

  function filterURL(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (v, k) {
      var isDefault = v === '' || (k === 'sort' && v === 'name') || (k === 'order' && v === 'asc');
      if (!isDefault) params.set(k, v);
    });
    var s = params.toString();
    return '/' + (s ? '?' + s : '');
  }

  function navigate(url) {
    history.replaceState(null, '', url);
    reload();
  }

  // Fetches the page at the current URL and swaps in its <main>.
  function reload() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    again = false;
    return fetch(location.pathname + location.search, { cache: 'no-store' })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.getElementById('main');
        var main = document.getElementById('main');
        if (!fresh || !main) return;
        // Keep what the user is typing: the page was rendered for the URL,
        // which may lag the input by the filter's debounce.
        var active = document.activeElement;
        var activeId = active && main.contains(active) ? active.id : null;
        var typed = activeId && active.tagName === 'INPUT' ? active.value : null;
        var caret = activeId && active.selectionStart;
        main.replaceChildren.apply(main, Array.from(fresh.childNodes).map(function (n) {
          return document.importNode(n, true);
        }));
        document.title = doc.title;
        enhance();
        if (activeId) {
          var el = document.getElementById(activeId);
          if (el) {
            if (typed !== null) el.value = typed;
            el.focus();
            if (caret != null && el.setSelectionRange) el.setSelectionRange(caret, caret);
          }
        }
        setLive('live · updated ' + new Date().toLocaleTimeString());
      })
      .catch(function () { setLive('offline · retrying'); })
      .finally(function () {
        busy = false;
        if (again) reload();
      });
  }

  // Asks only whether anything changed: the summary's ETag names the
  // publish, so an unchanged status costs a 304 with no body, whatever the
  // number of projects.
  function poll() {
    var headers = lastStatus !== null ? { 'If-None-Match': lastStatus } : {};
    fetch('/api/v1/status?summary=1', { cache: 'no-store', headers: headers })
      .then(function (r) {
        if (r.status === 304) return lastStatus;
        return r.ok ? (r.headers.get('ETag') || r.text()) : Promise.reject(r.status);
      })
      .then(function (tag) {
        if (lastStatus !== null && tag !== lastStatus) reload();
        else setLive('live');
        lastStatus = tag;
      })
      .catch(function () { setLive('offline · retrying'); })
      .finally(function () { setTimeout(poll, POLL_MS); });
  }

  function act(button) {
    button.disabled = true;
    fetch(button.getAttribute('data-action'), {
      method: 'POST',
      cache: 'no-store',
      headers: { 'Authorization': 'Bearer ' + token() }
    })
      .then(function (r) {
        return r.text().then(function (t) {
          flash((r.ok ? '' : 'Refused (' + r.status + '): ') + t.trim());
        });
      })
      .catch(function () { flash('Request failed'); })
      .finally(function () { button.disabled = false; });
  }

  document.addEventListener('click', function (ev) {
    var t = ev.target;
    if (t.matches && t.matches('button.action')) {
      act(t);
      return;
    }
    if (t.id === 'token-forget') {
      try { sessionStorage.removeItem(KEY); } catch (e) { /* storage off */ }
      enhance();
      flash('Token forgotten');
      return;
    }
    var a = t.closest && t.closest('th a, .counts a');
    if (a && location.pathname === '/') {
      ev.preventDefault();
      clearTimeout(filterTimer);
      history.pushState(null, '', a.getAttribute('href'));
      reload();
    }
  });

  document.addEventListener('submit', function (ev) {
    if (ev.target.id !== 'token-form') return;
    ev.preventDefault();
    var input = document.getElementById('token');
    try { sessionStorage.setItem(KEY, input.value.trim()); } catch (e) { /* storage off */ }
    input.value = '';
    enhance();
    flash('Token kept for this tab');
  });

  window.addEventListener('popstate', reload);
  document.addEventListener('DOMContentLoaded', function () {
    enhance();
    poll();
  });
})();
