"use strict";
(function () {
  var table = document.getElementById("threat-table");
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-filter]"));
  var search = document.getElementById("threat-search");
  var count = document.getElementById("threat-count");
  function apply() {
    var text = search ? search.value.toLowerCase() : "";
    var shown = 0;
    rows.forEach(function (row) {
      var ok = selects.every(function (s) {
        if (!s.value) return true;
        var have = (row.getAttribute("data-" + s.getAttribute("data-filter")) || "").split("|");
        return have.indexOf(s.value) >= 0;
      });
      if (ok && text) ok = row.textContent.toLowerCase().indexOf(text) >= 0;
      row.hidden = !ok;
      if (ok) shown++;
    });
    if (count) count.textContent = shown + " of " + rows.length + " threats";
  }
  selects.forEach(function (s) { s.addEventListener("change", apply); });
  if (search) search.addEventListener("input", apply);
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  heads.forEach(function (th, col) {
    if (!th.hasAttribute("data-sort")) return;
    th.setAttribute("tabindex", "0");
    function sort() {
      var asc = !th.classList.contains("asc");
      heads.forEach(function (h) { h.classList.remove("asc", "desc"); });
      th.classList.add(asc ? "asc" : "desc");
      var numeric = th.getAttribute("data-sort") === "number";
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute("data-value") || a.cells[col].textContent;
        var y = b.cells[col].getAttribute("data-value") || b.cells[col].textContent;
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
