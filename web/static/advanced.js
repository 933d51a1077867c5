/* Sheaf: rows added to and removed from the advanced search form. Without JavaScript the
   form has its fixed rows (four, or as many as the search it came from); this adds a row
   (up to the server's limit, data-max-rows) and a remove button on every row but the
   first, and renumbers the rows' ids and labels so that each label still names its row. */
(function () {
  "use strict";
  var rows = document.querySelector("form.advanced fieldset.rows");
  var removeTool = document.getElementById("row-tools");
  var addTool = document.getElementById("add-row-tool");
  if (!rows || !removeTool || !addTool) { return; }
  var max = parseInt(rows.getAttribute("data-max-rows"), 10) || 10;
  var all = function () { return rows.querySelectorAll(".row"); };
  if (all().length < 2) { return; }
  var prototype = all()[1].cloneNode(true);   // a row with its operator, before any change
  var removeText = removeTool.content.textContent;
  var add = addTool.content.firstElementChild.cloneNode(true);

  function renumber() {
    Array.prototype.forEach.call(all(), function (row, i) {
      Array.prototype.forEach.call(row.querySelectorAll("select, input[id]"), function (el) {
        var label = row.querySelector('label[for="' + el.id + '"]');
        el.id = el.id.replace(/\d+$/, String(i));
        if (label) {
          label.htmlFor = el.id;
          label.textContent = label.textContent.replace(/\d+/, String(i + 1));
        }
      });
      var button = row.querySelector("button.remove-row");
      if (button) { button.textContent = removeText.replace("#", String(i + 1)); }
    });
    add.disabled = all().length >= max;
  }

  function withRemove(row) {
    var button = removeTool.content.firstElementChild.cloneNode(true);
    button.addEventListener("click", function () {
      var next = row.nextElementSibling && row.nextElementSibling.querySelector("input");
      row.remove();
      renumber();
      (next || add).focus();
    });
    row.appendChild(button);
    return row;
  }

  Array.prototype.forEach.call(all(), function (row, i) { if (i) { withRemove(row); } });
  add.addEventListener("click", function () {
    if (all().length >= max) { return; }
    var row = withRemove(prototype.cloneNode(true));
    row.querySelector("input").value = "";
    row.querySelector("select").selectedIndex = 0;
    rows.insertBefore(row, add);
    renumber();
    row.querySelector("input").focus();
  });
  rows.appendChild(add);
  rows.classList.add("editable");
  renumber();
}());
