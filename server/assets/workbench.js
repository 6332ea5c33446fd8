// The workbench's item form, made easier with JavaScript (it works without): rows of a list are
// added, moved and removed in place, and a legal basis's article is picked from the stored law,
// its text filled in. Field names keep the server's numbering (`legal_bases[2].law`), so what is
// posted is exactly what the form without JavaScript would post.
(function () {
  'use strict';

  // Renumbers the rows of a list: names, ids, label targets and error ids follow the order.
  function renumber(fieldset) {
    var key = fieldset.getAttribute('data-section');
    fieldset.querySelectorAll('.row').forEach(function (row, i) {
      var label = row.getAttribute('aria-label');
      if (label) row.setAttribute('aria-label', label.replace(/第\d+行$/, '第' + (i + 1) + '行'));
      row.querySelectorAll('[name]').forEach(function (el) {
        el.name = el.name.replace(new RegExp('^' + key + '\\[\\d+\\]'), key + '[' + i + ']');
      });
      row.querySelectorAll('[id]').forEach(function (el) {
        el.id = el.id.replace(new RegExp('^f-' + key + '-\\d+'), 'f-' + key + '-' + i);
      });
      row.querySelectorAll('label[for]').forEach(function (el) {
        el.htmlFor = el.htmlFor.replace(new RegExp('^f-' + key + '-\\d+'), 'f-' + key + '-' + i);
      });
      row.querySelectorAll('[aria-describedby]').forEach(function (el) {
        el.setAttribute('aria-describedby', el.getAttribute('aria-describedby')
          .replace(new RegExp('^f-' + key + '-\\d+'), 'f-' + key + '-' + i));
      });
    });
  }

  function moveButtons(row) {
    if (row.querySelector('.move')) return;
    var bar = document.createElement('p');
    bar.className = 'move';
    [['上移', -1], ['下移', 1]].forEach(function (spec) {
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'secondary';
      b.textContent = spec[0];
      b.addEventListener('click', function () {
        var fieldset = row.closest('fieldset.rows');
        var sibling = spec[1] < 0 ? row.previousElementSibling : row.nextElementSibling;
        if (!sibling || !sibling.classList.contains('row')) return;
        if (spec[1] < 0) fieldset.insertBefore(row, sibling);
        else fieldset.insertBefore(sibling, row);
        renumber(fieldset);
        b.focus();
      });
      bar.appendChild(b);
    });
    row.appendChild(bar);
  }

  function enhanceRows(fieldset) {
    fieldset.querySelectorAll('.row').forEach(moveButtons);
    // A removed row is dimmed at once (it leaves when the form is saved).
    fieldset.addEventListener('change', function (e) {
      if (e.target.name && /\._remove$/.test(e.target.name)) {
        e.target.closest('.row').classList.toggle('removed', e.target.checked);
      }
    });
    var add = fieldset.querySelector('button[name=add_row]');
    if (!add) return;
    add.addEventListener('click', function (e) {
      e.preventDefault();
      var rows = fieldset.querySelectorAll('.row');
      var last = rows[rows.length - 1];
      var copy = last.cloneNode(true);
      copy.classList.remove('removed');
      copy.querySelectorAll('input, textarea, select').forEach(function (el) {
        if (el.type === 'checkbox') el.checked = false;
        else el.value = '';
        el.removeAttribute('aria-invalid');
        el.removeAttribute('aria-describedby');
      });
      copy.querySelectorAll('.field-error, .remove, .move, datalist').forEach(function (el) { el.remove(); });
      fieldset.insertBefore(copy, add);
      renumber(fieldset);
      var first = copy.querySelector('input, textarea, select');
      if (first) first.focus();
    });
  }

  // Legal bases: the articles of the law named, offered as a list; the chosen one's text
  // filled in when the text is still empty.
  var lawCache = {};
  function articlesOf(title) {
    if (!lawCache[title]) {
      lawCache[title] = fetch('/api/v1/laws?per_page=20&q=' + encodeURIComponent(title))
        .then(function (r) { return r.ok ? r.json() : { laws: [] }; })
        .then(function (page) {
          var law = (page.laws || []).filter(function (l) {
            return l.title === title || l.short_title === title;
          })[0];
          if (!law) return [];
          return fetch('/api/v1/laws/' + law.id)
            .then(function (r) { return r.ok ? r.json() : { articles: [] }; })
            .then(function (l) { return l.articles || []; });
        })
        .catch(function () { return []; });
    }
    return lawCache[title];
  }

  function enhanceBasis(row) {
    var law = row.querySelector('[name$=".law"]');
    var article = row.querySelector('[name$=".article"]');
    var text = row.querySelector('[name$=".text"]');
    if (!law || !article || !text) return;
    var list = document.createElement('datalist');
    list.id = 'articles-' + Math.random().toString(36).slice(2);
    row.appendChild(list);
    article.setAttribute('list', list.id);
    function offer() {
      var title = law.value.trim();
      if (!title) return;
      articlesOf(title).then(function (articles) {
        list.textContent = '';
        articles.forEach(function (a) {
          var o = document.createElement('option');
          o.value = a.label;
          list.appendChild(o);
        });
        fill(articles);
      });
    }
    function fill(articles) {
      var label = article.value.trim();
      if (!label || text.value.trim()) return;
      var match = articles.filter(function (a) { return label.indexOf(a.label) === 0; })
        .sort(function (a, b) { return b.label.length - a.label.length; })[0];
      if (match) {
        text.value = match.text;
        text.dispatchEvent(new Event('input'));
      }
    }
    law.addEventListener('change', offer);
    article.addEventListener('change', offer);
    article.addEventListener('focus', offer, { once: true });
  }

  document.querySelectorAll('form.item-form fieldset.rows').forEach(function (fieldset) {
    var bases = fieldset.getAttribute('data-section') === 'legal_bases';
    enhanceRows(fieldset);
    if (bases) fieldset.querySelectorAll('.row').forEach(enhanceBasis);
    var add = fieldset.querySelector('button[name=add_row]');
    if (!add) return;
    // After enhanceRows has added the row: give it the same help as the others.
    add.addEventListener('click', function () {
      var rows = fieldset.querySelectorAll('.row');
      var row = rows[rows.length - 1];
      moveButtons(row);
      if (bases) enhanceBasis(row);
    });
  });
})();
