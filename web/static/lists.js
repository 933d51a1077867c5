/* Sheaf: lists without accounts (web/lists.py). The ids of the records a reader
   marks are kept in this browser (localStorage, key "sheaf.list"), never on the
   server; /list?id=...&id=... shows them, so its URL is the list, to keep or share.
   Every page: the mark boxes show and change the list, the header link counts it.
   The list page: a bare /list goes on to the URL of the reader's own marks; the
   print and clear buttons work. Ids are put in the page as values, never as HTML. */
(function () {
  "use strict";

  var KEY = "sheaf.list";
  var link = document.querySelector("a.my-list");
  if (!link) { return; }
  var base = link.getAttribute("href");
  var max = parseInt(link.getAttribute("data-max"), 10) || 100;
  var full = document.querySelector(".list-full");

  function load() {
    try {
      var ids = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      if (!Array.isArray(ids)) { return []; }
      return ids.filter(function (i) { return typeof i === "string" && i; });
    } catch (e) {
      return [];
    }
  }

  function save(ids) {
    try { window.localStorage.setItem(KEY, JSON.stringify(ids)); } catch (e) { /* private mode */ }
  }

  function listUrl(ids) {
    return base + (ids.length ? "?" + ids.map(function (i) {
      return "id=" + encodeURIComponent(i);
    }).join("&") : "");
  }

  function boxes() { return document.querySelectorAll("input.mark-record"); }

  function show(ids) {
    link.href = listUrl(ids);
    link.querySelector(".list-size").textContent = String(ids.length);
    link.hidden = false;
    Array.prototype.forEach.call(boxes(), function (box) {
      box.checked = ids.indexOf(box.value) >= 0;
    });
  }

  function toggle(box) {
    var ids = load();
    var at = ids.indexOf(box.value);
    full.hidden = true;
    if (box.checked && at < 0) {
      if (ids.length >= max) {
        box.checked = false;
        full.textContent = link.getAttribute("data-full");
        full.hidden = false;
        return;
      }
      ids.push(box.value);
    } else if (!box.checked && at >= 0) {
      ids.splice(at, 1);
    }
    save(ids);
    show(ids);
  }

  Array.prototype.forEach.call(boxes(), function (box) {
    box.addEventListener("change", function () { toggle(box); });
  });
  window.addEventListener("storage", function (e) { if (e.key === KEY) { show(load()); } });
  // the page as the browser's back button brings it back: the list may have changed since
  window.addEventListener("pageshow", function () { show(load()); });

  var page = document.querySelector("[data-list-page]");
  if (page) {
    var mine = load();
    if (mine.length && !/[?&]id=/.test(window.location.search)) {
      window.location.replace(listUrl(mine));
      return;
    }
    var print = page.querySelector("button.print-list");
    var clear = page.querySelector("button.clear-list");
    if (print) {
      print.hidden = false;
      print.addEventListener("click", function () { window.print(); });
    }
    if (clear && mine.length) {
      clear.hidden = false;
      clear.addEventListener("click", function () {
        save([]);
        window.location.href = base;
      });
    }
  }
  show(load());
}());
