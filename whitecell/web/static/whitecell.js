// whitecell pages: the round clock, the odds scale buttons, clearing sent forms.
// Loaded as a file (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";

  function tick() {
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
      var left = Date.parse(el.getAttribute("data-deadline")) - Date.now();
      var out = el.querySelector(".left");
      if (!out || isNaN(left)) { return; }
      if (left <= 0) { out.textContent = "0:00"; el.classList.add("over"); return; }
      var s = Math.floor(left / 1000);
      var m = Math.floor(s / 60);
      out.textContent = m + ":" + String(s % 60).padStart(2, "0");
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);

  // estimative words set the odds field they belong to
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-set-percent]");
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-for"));
    if (field) { field.value = button.getAttribute("data-set-percent"); field.focus(); }
  });

  // matrix adjudication: the odds the arguments checked as strong come to, shown before
  // the ruling is sent (the server works them out again)
  function matrixOdds(list) {
    var base = parseFloat(list.getAttribute("data-matrix-base"));
    var step = parseFloat(list.getAttribute("data-matrix-step"));
    var lo = parseFloat(list.getAttribute("data-matrix-min"));
    var hi = parseFloat(list.getAttribute("data-matrix-max"));
    var p = base;
    list.querySelectorAll("li.argument").forEach(function (item) {
      var box = item.querySelector("input[name=strong]");
      if (box && box.checked) { p += item.classList.contains("side-for") ? step : -step; }
    });
    p = Math.min(Math.max(p, lo), hi);
    var out = list.closest("form").querySelector("output.matrix-odds");
    if (out && !isNaN(p)) { out.textContent = "→ " + Math.round(p * 100) + "%"; }
  }
  function allMatrixOdds() { document.querySelectorAll("ol[data-matrix-base]").forEach(matrixOdds); }
  document.addEventListener("change", function (event) {
    var list = event.target.closest && event.target.closest("ol[data-matrix-base]");
    if (list) { matrixOdds(list); }
  });
  document.addEventListener("DOMContentLoaded", allMatrixOdds);
  document.addEventListener("htmx:afterSwap", allMatrixOdds);

  // a form whose command went through is cleared, so text is not sent twice
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form || form.tagName !== "FORM" || !event.detail.successful) { return; }
    if (event.detail.xhr.getResponseHeader("X-Command-Ok") === "1" && form.classList.contains("clears")) {
      form.reset();
      form.querySelectorAll("textarea").forEach(function (t) { t.value = ""; });
    }
  });
  // a panel whose refresh failed (the network dropped) tries again; so does every panel
  // when the browser comes back online
  function refresh(panel) { if (window.htmx) { window.htmx.trigger(panel, "wc:refresh"); } }
  document.addEventListener("htmx:sendError", function (event) {
    var panel = event.detail.elt;
    if (panel && panel.matches && panel.matches("section.panel[hx-get]")) {
      setTimeout(function () { refresh(panel); }, 2000);
    }
  });
  window.addEventListener("online", function () {
    document.querySelectorAll("section.panel[hx-get]").forEach(refresh);
  });
})();
