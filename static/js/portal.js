// Small behaviours for the shell. No framework: htmx does the rest.
(function () {
  "use strict";
  // Close an open menu when the user clicks elsewhere or presses Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
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
