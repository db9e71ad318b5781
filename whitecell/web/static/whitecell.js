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
