// Fields that only one choice needs: <fieldset data-show-when="schedule:at every"> shows while
// the form's "schedule" choice is "at" or "every", and is hidden and disabled otherwise (so what
// it holds is not sent). Without JavaScript every fieldset shows, and the server uses only the
// fields the choices need. Loaded by the pages that use it; no inline script (CSP).
(function () {
  "use strict";

  function chosen(form, name) {
    var field = form.elements.namedItem(name);
    return field ? field.value : "";
  }

  function update(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (group) {
      var rule = group.getAttribute("data-show-when").split(":");
      var values = (rule[1] || "").split(/\s+/);
      var shown = values.indexOf(chosen(form, rule[0])) !== -1;
      group.hidden = !shown;
      group.disabled = !shown;
    });
  }

  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("[data-show-when]")) return;
    update(form);
    form.addEventListener("change", function () {
      update(form);
    });
  });
})();
