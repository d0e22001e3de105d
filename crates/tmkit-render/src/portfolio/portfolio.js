"use strict";
(function () {
  var table = document.getElementById("portfolio-table");
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var filters = document.getElementById("portfolio-filters");
  var search = document.getElementById("portfolio-search");
  var count = document.getElementById("portfolio-count");
  function apply() {
    var text = search.value.toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var ok = !text || row.textContent.toLowerCase().indexOf(text) >= 0;
      row.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown + " of " + rows.length + " models";
  }
  filters.hidden = false;
  search.addEventListener("input", apply);
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  heads.forEach(function (th, col) {
    if (!th.hasAttribute("data-sort")) return;
    th.setAttribute("tabindex", "0");
    function value(row) {
      var cell = row.cells[col];
      return cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent;
    }
    function sort() {
      var asc = !th.classList.contains("asc");
      heads.forEach(function (h) { h.classList.remove("asc", "desc"); });
      th.classList.add(asc ? "asc" : "desc");
      var numeric = th.getAttribute("data-sort") === "number";
      rows.sort(function (a, b) {
        var x = value(a), y = value(b);
        var r = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y);
        if (r === 0) r = parseInt(a.getAttribute("data-order"), 10) - parseInt(b.getAttribute("data-order"), 10);
        return asc ? r : -r;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
  });
  apply();
})();
