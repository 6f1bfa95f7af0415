// trustpress: progressive enhancement only; every page works without this script.
// Adds a filter box above long tables (the SoA, registers) so readers can find a row fast.
(function () {
  "use strict";
  var tables = document.querySelectorAll("main table.list");
  tables.forEach(function (table, n) {
    var rows = table.tBodies[0] ? table.tBodies[0].rows : [];
    if (rows.length < 8) return;
    var input = document.createElement("input");
    input.type = "search";
    input.className = "filter";
    input.placeholder = "Filter rows…";
    input.setAttribute("aria-label", "Filter table rows");
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
})();
