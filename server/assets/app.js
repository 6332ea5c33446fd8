// Progressive enhancement of the search box: name completions from /api/v1/suggest in a
// <datalist>. The page works the same without this file.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("suggestions");
  if (!input || !list || !window.fetch) { return; }
  var timer = null;
  var last = "";
  input.addEventListener("input", function () {
    var prefix = input.value.trim();
    if (prefix === last) { return; }
    last = prefix;
    clearTimeout(timer);
    if (prefix.length === 0) { list.textContent = ""; return; }
    timer = setTimeout(function () {
      fetch("/api/v1/suggest?limit=8&q=" + encodeURIComponent(prefix))
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (body) {
          list.textContent = "";
          body.suggestions.forEach(function (s) {
            var option = document.createElement("option");
            option.value = s.name;
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }, 150);
  });
})();
