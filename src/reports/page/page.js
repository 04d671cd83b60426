(function () {
  "use strict";
  function setup(section) {
    var table = section.querySelector("table.data");
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var input = section.querySelector("input[type=search]");
    var size = section.querySelector("select");
    var status = section.querySelector(".pager .status");
    var prev = section.querySelector(".pager .prev");
    var next = section.querySelector(".pager .next");
    var state = { filter: "", page: 0, size: Number(size.value), col: -1, dir: 1 };
    var order = rows.map(function (_, i) { return i; });
    function value(i, col) {
      var t = rows[i].cells[col].textContent;
      if (heads[col].getAttribute("data-type") !== "num") return t;
      var v = parseFloat(t.replace(/,/g, ""));
      return isNaN(v) ? -Infinity : v;
    }
    function sort(col) {
      state.dir = state.col === col ? -state.dir : 1;
      state.col = col;
      order.sort(function (a, b) {
        var x = value(a, col), y = value(b, col);
        return (x < y ? -1 : x > y ? 1 : a - b) * state.dir || a - b;
      });
      heads.forEach(function (h, k) {
        if (k === col) h.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
        else h.removeAttribute("aria-sort");
      });
      state.page = 0;
      render();
    }
    function render() {
      var list = order.filter(function (i) { return texts[i].indexOf(state.filter) >= 0; });
      var pages = Math.max(1, Math.ceil(list.length / state.size));
      state.page = Math.min(state.page, pages - 1);
      var start = state.page * state.size;
      var shown = list.slice(start, start + state.size);
      var frag = document.createDocumentFragment();
      shown.forEach(function (i) { frag.appendChild(rows[i]); });
      tbody.replaceChildren(frag);
      status.textContent = list.length
        ? "Rows " + (start + 1) + "\u2013" + (start + shown.length) + " of " + list.length +
          (list.length < rows.length ? " (filtered from " + rows.length + ")" : "") +
          ", page " + (state.page + 1) + " of " + pages
        : "No rows match the filter";
      prev.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
    }
    heads.forEach(function (h, k) {
      h.querySelector("button").addEventListener("click", function () { sort(k); });
    });
    input.addEventListener("input", function () {
      state.filter = input.value.trim().toLowerCase();
      state.page = 0;
      render();
    });
    size.addEventListener("change", function () {
      state.size = Number(size.value);
      state.page = 0;
      render();
    });
    prev.addEventListener("click", function () { state.page -= 1; render(); });
    next.addEventListener("click", function () { state.page += 1; render(); });
    window.addEventListener("beforeprint", function () {
      state.printing = state.size;
      state.size = Math.max(rows.length, 1);
      state.page = 0;
      render();
    });
    window.addEventListener("afterprint", function () {
      state.size = state.printing || state.size;
      render();
    });
    render();
  }
  Array.prototype.forEach.call(document.querySelectorAll("section.table"), setup);
  document.documentElement.setAttribute("data-ready", "true");
})();
