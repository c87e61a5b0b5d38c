(function () {
  "use strict";
  var groups = { passed: "passed", failed: "failed", skipped: "skipped", pending: "skipped", uncovered: "skipped", unknown: "skipped" };
  function group(el) { return groups[el.getAttribute("data-state")] || "skipped"; }
  function count(selector, prefix) {
    var n = { passed: 0, failed: 0, skipped: 0, total: 0 };
    var els = document.querySelectorAll(selector);
    for (var i = 0; i !== els.length; i++) { n[group(els[i])]++; n.total++; }
    for (var k in n) {
      var out = document.getElementById(prefix + k);
      if (out) { out.textContent = String(n[k]); }
    }
  }
  count("details.spec", "count-");
  count("tr.req", "req-count-");
  var buttons = document.querySelectorAll(".filters button");
  function apply(filter) {
    if (!/^(all|failed|passed|skipped)$/.test(filter)) { filter = "all"; }
    var els = document.querySelectorAll("details.spec, tr.req, ol.failures");
    for (var i = 0; i !== els.length; i++) {
      var el = els[i];
      if (el.tagName === "OL") { el.hidden = filter === "passed" || filter === "skipped"; continue; }
      el.hidden = filter !== "all" && group(el) !== filter;
    }
    for (var j = 0; j !== buttons.length; j++) {
      buttons[j].setAttribute("aria-pressed", String(buttons[j].getAttribute("data-filter") === filter));
    }
    document.body.setAttribute("data-filter", filter);
  }
  for (var b = 0; b !== buttons.length; b++) {
    buttons[b].addEventListener("click", function (e) {
      var f = e.currentTarget.getAttribute("data-filter");
      if (history.replaceState) { history.replaceState(null, "", "#" + f); }
      apply(f);
    });
  }
  var hash = location.hash.replace(/^#/, "");
  apply(/^(all|failed|passed|skipped)$/.test(hash) ? hash : "all");
  window.addEventListener("hashchange", function () {
    var h = location.hash.replace(/^#/, "");
    if (/^(all|failed|passed|skipped)$/.test(h)) { apply(h); return; }
    var t = h ? document.getElementById(h) : null;
    if (t && t.hidden) { apply("all"); }
    if (t && t.tagName === "DETAILS") { t.open = true; }
    if (t) { t.scrollIntoView(); }
  });
  document.body.setAttribute("data-ready", "true");
})();
