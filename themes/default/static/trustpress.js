// trustpress: progressive enhancement only; every page works without this script.
// The controls it drives (search box, SoA filter) are in the HTML, so nothing moves when it
// runs; without it a <noscript> style hides them.
(function () {
  "use strict";
  // The page's language gives the words (data-t-* on <body>); English when a page has none.
  var words = document.body.dataset;
  var fill = function (template, values) {
    var i = 0;
    return template.replace(/\{\}/g, function () { return String(values[i++]); });
  };

  // The filter box above a long register table (in the HTML: data-filter names the table).
  document.querySelectorAll("main input[data-filter]").forEach(function (input) {
    var table = document.getElementById(input.getAttribute("data-filter"));
    if (!table || !table.tBodies[0]) return;
    var rows = table.tBodies[0].rows;
    var status = document.getElementById(input.id + "-status");
    var filterRows = function () {
      var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      Array.prototype.forEach.call(rows, function (row) {
        var text = row.textContent.toLowerCase();
        row.hidden = !terms.every(function (t) { return text.indexOf(t) !== -1; });
        if (!row.hidden) shown++;
      });
      if (status) {
        status.textContent = terms.length ? fill(status.dataset.template, [shown, rows.length]) : "";
      }
    };
    input.addEventListener("input", filterRows);
    if (input.value) filterRows();
  });

  // The SoA: one filter for the tables of all themes; each theme's count follows it.
  var soa = document.getElementById("soa-filter");
  if (soa) {
    var status = document.getElementById("soa-filter-status");
    var none = document.getElementById("soa-no-match");
    var sections = document.querySelectorAll("main .soa-theme");
    var filterSoa = function () {
      var terms = soa.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0, total = 0;
      sections.forEach(function (section) {
        var rows = section.querySelectorAll("tbody tr");
        var visible = 0;
        rows.forEach(function (row) {
          var text = row.textContent.toLowerCase();
          var hit = terms.every(function (t) { return text.indexOf(t) !== -1; });
          row.hidden = !hit;
          if (hit) visible++;
        });
        var count = section.querySelector(".soa-count");
        if (count) {
          count.textContent = terms.length ? visible + " / " + count.dataset.total : count.dataset.total;
        }
        section.hidden = visible === 0;
        shown += visible;
        total += rows.length;
      });
      none.hidden = shown !== 0;
      status.textContent = terms.length ? fill(status.dataset.template, [shown, total]) : "";
    };
    soa.addEventListener("input", filterSoa);
    if (soa.value) filterSoa();
  }

  // Site search over search-index.json (what this edition holds: titles, fields, text), as
  // an ARIA combobox: arrows move through the results, Enter opens one (the first when none
  // is chosen), Escape or a click elsewhere closes the list.
  var box = document.querySelector(".search");
  if (!box || !window.fetch) return;
  var input = box.querySelector("input");
  var popup = box.querySelector(".search-popup");
  var list = box.querySelector("[role=listbox]");
  var more = box.querySelector(".search-more");
  var live = box.querySelector("[role=status]");
  var root = box.getAttribute("data-root");
  var LIMIT = 10;
  var index = null;
  var active = -1;
  var load = function () {
    if (index) return Promise.resolve(index);
    return fetch(box.getAttribute("data-index"))
      .then(function (r) { return r.json(); })
      .then(function (data) { index = data; return data; });
  };
  var options = function () { return list.querySelectorAll("[role=option]"); };
  var setActive = function (n) {
    var all = options();
    if (!all.length) return;
    active = (n + all.length) % all.length;
    all.forEach(function (o, i) { o.setAttribute("aria-selected", i === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  };
  var close = function () {
    popup.hidden = true;
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  };
  var open = function (option) {
    if (option && option.dataset.href) window.location.href = option.dataset.href;
  };
  // Title matches first, then matches in the other fields, then in the text.
  var rank = function (e, terms) {
    var title = (e.t + " " + e.k).toLowerCase();
    var fields = (e.s || "").toLowerCase();
    var body = (e.b || "").toLowerCase();
    var score = 0;
    for (var i = 0; i < terms.length; i++) {
      var t = terms[i];
      if (title.indexOf(t) !== -1) score += 3;
      else if (fields.indexOf(t) !== -1) score += 2;
      else if (body.indexOf(t) !== -1) score += 1;
      else return 0;
    }
    return score;
  };
  var show = function () {
    var query = input.value.toLowerCase().trim();
    if (!query) { list.textContent = ""; live.textContent = ""; close(); return; }
    // A phrase such as "SOC 2" must match as typed as well as word by word.
    var terms = [query];
    load().then(function (data) {
      if (input.value.toLowerCase().trim() !== query) return;
      var hits = [];
      data.forEach(function (e, i) {
        var s = rank(e, terms);
        if (!s) s = rank(e, query.split(/\s+/)) / 2;
        if (s) hits.push({ e: e, s: s, i: i });
      });
      hits.sort(function (a, b) { return b.s - a.s || a.i - b.i; });
      list.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      hits.slice(0, LIMIT).forEach(function (h, n) {
        var li = document.createElement("li");
        li.id = "search-option-" + n;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.href = root + h.e.u;
        var title = document.createElement("span");
        title.className = "search-title";
        title.textContent = h.e.t;
        var kind = document.createElement("span");
        kind.className = "muted small";
        kind.textContent = " " + h.e.k;
        li.appendChild(title);
        li.appendChild(kind);
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
        li.addEventListener("click", function () { open(li); });
        list.appendChild(li);
      });
      var rest = hits.length - LIMIT;
      more.hidden = rest <= 0;
      more.textContent = rest > 0 ? fill(words.tSearchMore || "{} more results: refine the search", [rest]) : "";
      list.hidden = hits.length === 0;
      var count = hits.length === 0 ? (words.tNoMatches || "No matches")
        : hits.length === 1 ? (words.tSearchOne || "1 result")
        : fill(words.tSearchMany || "{} results", [hits.length]);
      box.querySelector(".search-none").textContent = hits.length ? "" : count;
      live.textContent = count;
      popup.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }).catch(close);
  };
  input.addEventListener("input", show);
  input.addEventListener("focus", function () { if (input.value.trim()) show(); });
  input.addEventListener("keydown", function (ev) {
    var all = options();
    if (ev.key === "ArrowDown") {
      ev.preventDefault();
      if (popup.hidden) { show(); return; }
      setActive(active + 1);
    } else if (ev.key === "ArrowUp") {
      ev.preventDefault();
      setActive(active < 0 ? -1 : active - 1);
    } else if (ev.key === "Enter") {
      if (all.length) { ev.preventDefault(); open(all[active < 0 ? 0 : active]); }
    } else if (ev.key === "Escape") {
      if (!popup.hidden) { ev.preventDefault(); close(); } else { input.value = ""; }
    }
  });
  document.addEventListener("click", function (ev) {
    if (!box.contains(ev.target)) close();
  });
  box.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var all = options();
    if (all.length) open(all[active < 0 ? 0 : active]);
  });
})();
