// Search and filters for the catalogue page. It reads the rendered cards, so
// it carries no catalogue data of its own; without it every card shows.
(function () {
  'use strict';
  // The subsystem filter's value for the metrics without one (html.rs).
  var NO_SUBSYSTEM = '(none)';
  var form = document.getElementById('filters');
  var search = document.getElementById('search');
  var subsystem = document.getElementById('subsystem');
  var kind = document.getElementById('type');
  var count = document.getElementById('count');
  var empty = document.getElementById('empty');
  var sections = Array.prototype.slice.call(document.querySelectorAll('section[data-section]'));
  // What the search box matches: the name, the help, and every label name
  // and declared value, lowercased once.
  var rows = Array.prototype.map.call(document.querySelectorAll('[data-metric]'), function (el) {
    var parts = [el.getAttribute('data-metric')];
    Array.prototype.forEach.call(el.querySelectorAll('.help, .label-name, .label-value'), function (node) {
      parts.push(node.textContent);
    });
    return {
      el: el,
      text: parts.join('\n').toLowerCase(),
      subsystem: el.getAttribute('data-subsystem'),
      kind: el.getAttribute('data-type')
    };
  });

  function apply() {
    // Every word of the query must occur somewhere in the metric.
    var terms = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var wanted = subsystem.value;
    var type = kind.value;
    var shown = 0;
    rows.forEach(function (row) {
      var visible = (wanted === '' || row.subsystem === (wanted === NO_SUBSYSTEM ? '' : wanted)) &&
        (type === '' || row.kind === type) &&
        terms.every(function (term) { return row.text.indexOf(term) !== -1; });
      row.el.hidden = !visible;
      if (visible) {
        shown += 1;
      }
    });
    sections.forEach(function (section) {
      section.hidden = !section.querySelector('[data-metric]:not([hidden])');
    });
    count.textContent = String(shown);
    empty.hidden = shown !== 0;
  }

  form.hidden = false;
  form.addEventListener('submit', function (event) { event.preventDefault(); });
  form.addEventListener('input', apply);
  form.addEventListener('change', apply);
  search.addEventListener('search', apply);
  // `reset` fires before the fields are cleared.
  form.addEventListener('reset', function () { window.setTimeout(apply, 0); });
  // `/` jumps to the search box, as on many documentation sites.
  document.addEventListener('keydown', function (event) {
    var active = document.activeElement;
    var typing = active && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName);
    if (event.key === '/' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      search.focus();
    }
  });
  // A link to a metric the filters hide (a deprecated metric's replacement)
  // clears the filters so that the target shows.
  window.addEventListener('hashchange', function () {
    var target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    if (target && target.closest('[hidden]')) {
      form.reset();
      apply();
      target.scrollIntoView();
    }
  });
  // The browser may restore the fields of a reloaded page.
  apply();
}());
