// trustpress: progressive enhancement only; every page works without this script.
// Adds a filter box above long tables (the SoA, registers) so readers can find a row fast.
(function () {
  "use strict";
  // The page's language gives the words (data-t-* on <body>); English when a page has none.
  var words = document.body.dataset;
  var tables = document.querySelectorAll("main table.list");
  tables.forEach(function (table, n) {
    var rows = table.tBodies[0] ? table.tBodies[0].rows : [];
    if (rows.length < 8) return;
    var input = document.createElement("input");
    input.type = "search";
    input.className = "filter";
    input.placeholder = words.tFilter || "Filter rows…";
    input.setAttribute("aria-label", words.tFilterLabel || "Filter table rows");
    input.id = "filter-" + n;
    var wrap = table.closest(".table-wrap") || table;
    wrap.parentNode.insertBefore(input, wrap);
    input.addEventListener("input", function () {
      var q = input.value.toLowerCase();
      Array.prototype.forEach.call(rows, function (row) {
        row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) === -1;
      });
    });
  });

  // Site search over search-index.json (titles, ids, summaries of what this edition holds).
  var box = document.querySelector(".search");
  if (box && window.fetch) {
    box.hidden = false;
    var input = box.querySelector("input");
    var list = box.querySelector(".search-results");
    var index = null;
    var load = function () {
      if (index) return Promise.resolve(index);
      return fetch(box.getAttribute("data-index"))
        .then(function (r) { return r.json(); })
        .then(function (data) { index = data; return data; });
    };
    var show = function () {
      var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      list.textContent = "";
      if (!terms.length) { list.hidden = true; return; }
      load().then(function (data) {
        var hits = data.filter(function (e) {
          var text = (e.t + " " + e.k + " " + e.s).toLowerCase();
          return terms.every(function (t) { return text.indexOf(t) !== -1; });
        }).slice(0, 12);
        list.textContent = "";
        hits.forEach(function (e) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = box.getAttribute("data-root") + e.u;
          a.textContent = e.t;
          var kind = document.createElement("span");
          kind.className = "muted small";
          kind.textContent = " " + e.k;
          li.appendChild(a);
          li.appendChild(kind);
          list.appendChild(li);
        });
        if (!hits.length) {
          var none = document.createElement("li");
          none.className = "muted";
          none.textContent = words.tNoMatches || "No matches";
          list.appendChild(none);
        }
        list.hidden = false;
      }).catch(function () { list.hidden = true; });
    };
    input.addEventListener("input", show);
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { input.value = ""; show(); }
    });
  }
})();
