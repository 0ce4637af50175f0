/* citygraph static-site search: no server, no library. The index is a script
   (search-index.js sets window.CITYGRAPH_SEARCH) so it also loads from file://. */
(function () {
  "use strict";
  function fold(s) {
    return (s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var form = document.querySelector("form.search");
    var input = document.getElementById("q");
    var out = document.getElementById("search-results");
    var index = window.CITYGRAPH_SEARCH || [];
    if (!form || !input || !out) { return; }
    var suffix = form.getAttribute("data-suffix") || ".html";
    var folded = index.map(function (e) { return e.n.map(fold); });
    function run() {
      var q = fold(input.value);
      out.innerHTML = "";
      if (q.length < 2) { return; }
      var hits = [];
      for (var i = 0; i < index.length; i++) {
        var best = -1;
        for (var j = 0; j < folded[i].length; j++) {
          var at = folded[i][j].indexOf(q);
          if (at === 0) { best = 2; break; }
          if (at > 0) { best = Math.max(best, 1); }
        }
        if (best >= 0) { hits.push([best, index[i]]); }
      }
      hits.sort(function (a, b) { return b[0] - a[0] || a[1].l.localeCompare(b[1].l); });
      hits.slice(0, 25).forEach(function (h) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = h[1].u + suffix;
        a.textContent = h[1].l;
        li.appendChild(a);
        var meta = document.createElement("span");
        meta.className = "meta";
        meta.textContent = " " + h[1].t;
        li.appendChild(meta);
        out.appendChild(li);
      });
      if (!hits.length) {
        var none = document.createElement("li");
        none.className = "meta";
        none.textContent = "—";
        out.appendChild(none);
      }
    }
    input.addEventListener("input", run);
    run();
  });
})();
