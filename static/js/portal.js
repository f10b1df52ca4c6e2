// Small behaviours for the shell. No framework: htmx does the rest.
(function () {
  "use strict";
  // On a phone the main navigation folds behind a "Menu" button (portal.css, max-width 720px);
  // without this script the list shows whole, wrapping.
  var navToggle = document.querySelector(".mainnav .nav-toggle");
  function foldNav(focus) {
    if (!navToggle || navToggle.getAttribute("aria-expanded") !== "true") return;
    navToggle.setAttribute("aria-expanded", "false");
    if (focus) navToggle.focus();
  }
  if (navToggle) {
    navToggle.hidden = false;
    navToggle.parentElement.classList.add("mainnav-folds");
    navToggle.addEventListener("click", function () {
      var open = navToggle.getAttribute("aria-expanded") === "true";
      navToggle.setAttribute("aria-expanded", open ? "false" : "true");
    });
  }
  // Close an open menu when the user clicks elsewhere or presses Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
    if (navToggle && !navToggle.parentElement.contains(event.target)) foldNav(false);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    foldNav(true);
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary) summary.focus();
    });
  });
  // A colour picker beside its text box (accounts.forms.ColorInput): each follows the other.
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.matches("input[type=color][data-color-for]")) {
      var text = document.getElementById(target.getAttribute("data-color-for"));
      if (text) text.value = target.value;
    } else if (target.id) {
      var picker = document.querySelector('input[type=color][data-color-for="' + target.id + '"]');
      if (picker && /^#[0-9a-fA-F]{6}$/.test(target.value.trim())) picker.value = target.value.trim().toLowerCase();
    }
  });
  // Forms marked data-confirm ask before they submit (deactivation, removal).
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
