/* Sheaf: a list's choices (sort, results per page) apply as soon as they change; without
   JavaScript their forms' buttons do it. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("select[data-submit-on-change]"),
    function (select) {
      var form = select.form;
      if (!form) { return; }
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"),
        function (button) { button.hidden = true; });
      select.addEventListener("change", function () { form.submit(); });
    });
}());
