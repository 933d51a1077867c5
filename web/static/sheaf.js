/* Sheaf: enhancements of pages that work without JavaScript.
   Autocomplete on the search box (the ARIA 1.2 combobox pattern: arrow keys,
   Enter, Escape; suggestions from /api/suggest, each searched in its own field), and the
   permanent link selected on focus. Suggestions are put in the page as text, never as HTML. */
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function autocomplete(input) {
    var url = input.getAttribute("data-suggest");
    var box = input.parentNode;
    var list = document.createElement("ul");
    var labels = JSON.parse(document.documentElement.getAttribute("data-kinds") || "{}");
    var items = [];
    var active = -1;
    var asked = 0;
    list.id = input.id + "-suggestions";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    box.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function mark(i) {
      items.forEach(function (li, n) { li.setAttribute("aria-selected", n === i ? "true" : "false"); });
      active = i;
      if (i >= 0) { input.setAttribute("aria-activedescendant", items[i].id); }
      else { input.removeAttribute("aria-activedescendant"); }
    }

    function choose(i) {
      // a suggestion searches the field it came from (title, author, subject), not all
      var field = input.form && input.form.elements.namedItem("field");
      var kind = items[i].getAttribute("data-kind");
      if (field && field.tagName === "SELECT" &&
          Array.prototype.some.call(field.options, function (o) { return o.value === kind; })) {
        field.value = kind;
      }
      input.value = items[i].getAttribute("data-text");
      close();
      if (input.form) { input.form.submit(); }
    }

    function show(suggestions, typed) {
      list.textContent = "";
      list.setAttribute("data-for", typed);   // what the shown suggestions answer
      items = suggestions.map(function (s, n) {
        var li = document.createElement("li");
        var text = document.createElement("span");
        var kind = document.createElement("span");
        li.id = list.id + "-" + n;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-text", s.text);
        li.setAttribute("data-kind", s.kind);
        text.textContent = s.text;
        kind.className = "kind";
        kind.textContent = labels[s.kind] || s.kind;
        li.appendChild(text);
        li.appendChild(kind);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(n); });
        list.appendChild(li);
        return li;
      });
      active = -1;
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
    }

    var ask = debounce(function (text) {
      var mine = ++asked;
      fetch(url + "?limit=8&q=" + encodeURIComponent(text), { credentials: "omit" })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) {
          if (mine === asked && input.value.trim() === text) { show(data.suggestions || [], text); }
        })
        .catch(function () { close(); });
    }, 150);

    input.addEventListener("input", function () {
      var text = input.value.trim();
      if (!text) { asked++; close(); return; }
      ask(text);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden || !items.length) { return; }
      if (e.key === "ArrowDown") { e.preventDefault(); mark((active + 1) % items.length); }
      else if (e.key === "ArrowUp") { e.preventDefault(); mark(active <= 0 ? items.length - 1 : active - 1); }
      else if (e.key === "Escape") { e.preventDefault(); close(); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(active); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  document.documentElement.classList.add("js");
  Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), autocomplete);
  Array.prototype.forEach.call(document.querySelectorAll("input.permalink"), function (el) {
    el.addEventListener("focus", function () { el.select(); });
  });
}());
