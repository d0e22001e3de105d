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
(function () {
  // Diagram zoom and pan: the SVG is shown at its natural size (text of 11 px
  // or more) in a scrolling box; zooming changes its width and height and keeps
  // the point under the pointer (or the centre) in place.
  var MIN = 0.2, MAX = 4, STEP = 1.25;
  Array.prototype.slice.call(document.querySelectorAll("[data-diagram]")).forEach(function (box) {
    var view = box.querySelector(".diagram-view");
    var svg = view && view.querySelector("svg");
    var tools = box.querySelector(".diagram-tools");
    if (!svg || !tools) return;
    var w0 = parseFloat(svg.getAttribute("width")), h0 = parseFloat(svg.getAttribute("height"));
    if (!(w0 > 0 && h0 > 0)) return;
    var label = tools.querySelector(".diagram-scale");
    var scale = 1;
    tools.hidden = false;
    function zoom(s, cx, cy) {
      s = Math.min(MAX, Math.max(MIN, s));
      if (cx === undefined) { cx = view.clientWidth / 2; cy = view.clientHeight / 2; }
      var px = (view.scrollLeft + cx) / scale, py = (view.scrollTop + cy) / scale;
      scale = s;
      svg.setAttribute("width", String(Math.round(w0 * s)));
      svg.setAttribute("height", String(Math.round(h0 * s)));
      view.scrollLeft = px * s - cx;
      view.scrollTop = py * s - cy;
      if (label) label.textContent = Math.round(s * 100) + "%";
      box.setAttribute("data-scale", String(s));
    }
    function act(what) {
      if (what === "in") zoom(scale * STEP);
      else if (what === "out") zoom(scale / STEP);
      else if (what === "reset") zoom(1);
      else if (what === "fit") zoom(Math.min(1, view.clientWidth / w0));
    }
    Array.prototype.slice.call(tools.querySelectorAll("button[data-zoom]")).forEach(function (b) {
      b.addEventListener("click", function () { act(b.getAttribute("data-zoom")); });
    });
    view.addEventListener("wheel", function (e) {
      if (!e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      var r = view.getBoundingClientRect();
      zoom(e.deltaY < 0 ? scale * STEP : scale / STEP, e.clientX - r.left, e.clientY - r.top);
    }, { passive: false });
    view.addEventListener("keydown", function (e) {
      var k = { "+": "in", "=": "in", "-": "out", "_": "out", "0": "reset" }[e.key];
      if (k && !e.ctrlKey && !e.metaKey && !e.altKey) { e.preventDefault(); act(k); }
    });
    var drag = null;
    view.addEventListener("pointerdown", function (e) {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, l: view.scrollLeft, t: view.scrollTop };
      view.classList.add("panning");
    });
    view.addEventListener("pointermove", function (e) {
      if (!drag) return;
      view.scrollLeft = drag.l - (e.clientX - drag.x);
      view.scrollTop = drag.t - (e.clientY - drag.y);
    });
    function stop() { drag = null; view.classList.remove("panning"); }
    view.addEventListener("pointerup", stop);
    view.addEventListener("pointerleave", stop);
  });
})();
