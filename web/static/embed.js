/* Sheaf search widget for partner sites. No build step, no globals.
 *
 *   <div data-sheaf-search></div>
 *   <script src="https://CATALOG/embed.js" data-sheaf-library="hust nlv" async></script>
 *
 * Options (data-sheaf-* on the script, or on the element to override):
 *   target    CSS selector of the element(s) (default [data-sheaf-search])
 *   library   library codes to search, space separated (default: all)
 *   language  MARC language codes (vie, chi, eng ...) to keep
 *   format    formats to keep (book, serial ...)
 *   lang      interface language en, zh, zh-Hant or vi (default: the page's lang;
 *             zh-TW, zh-HK and zh-MO are zh-Hant)
 *   limit     results per page (default 5)
 *   mode      "iframe" to embed the catalog's /embed page in an iframe instead; it then
 *             sizes itself to its content (the height /embed posts, from its origin only)
 *   height    the iframe's height until /embed has posted its own (default 420)
 * The widget lives in a shadow root: the page's CSS does not reach it.
 * Record data is put in as text (textContent), never as HTML.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var base = script.src.replace(/embed\.js(\?.*)?$/, "");
  var origin = new URL(base).origin;

  var TEXT = {
    en: { label: "Search the catalog", button: "Search", none: "Nothing found.",
          one: "1 result", many: "{n} results", held: "Held by", all: "All results",
          prev: "Previous", next: "Next", error: "The catalog could not be reached.",
          page: "Page {p} of {n}", loading: "Searching…", series: "Series:", online: "Online" },
    zh: { label: "检索馆藏目录", button: "检索", none: "没有找到结果。",
          one: "1 条结果", many: "{n} 条结果", held: "馆藏", all: "全部结果",
          prev: "上一页", next: "下一页", error: "无法连接目录。",
          page: "第 {p} 页，共 {n} 页", loading: "正在检索…", series: "丛编：", online: "在线资源" },
    "zh-Hant": { label: "檢索館藏目錄", button: "檢索", none: "沒有找到結果。",
          one: "1 筆結果", many: "{n} 筆結果", held: "館藏", all: "全部結果",
          prev: "上一頁", next: "下一頁", error: "無法連線到目錄。",
          page: "第 {p} 頁，共 {n} 頁", loading: "正在檢索…", series: "叢編：", online: "線上資源" },
    vi: { label: "Tìm trong mục lục", button: "Tìm", none: "Không tìm thấy kết quả.",
          one: "1 kết quả", many: "{n} kết quả", held: "Có tại", all: "Tất cả kết quả",
          prev: "Trang trước", next: "Trang sau", error: "Không kết nối được mục lục.",
          page: "Trang {p}/{n}", loading: "Đang tìm…", series: "Tùng thư:", online: "Trực tuyến" }
  };

  var CSS = ":host{all:initial;display:block;contain:content}" +
    ".w{font:15px/1.45 system-ui,'Noto Sans','Noto Sans CJK SC',sans-serif;color:#1b1b1b;" +
    "background:#fff;border:1px solid #d0d0d0;border-radius:6px;padding:.75rem;text-align:left}" +
    "label{display:block;font-weight:600;margin:0 0 .25rem}" +
    ".row{display:flex;gap:.4rem}" +
    "input{flex:1;min-width:0;font:inherit;color:inherit;background:#fff;padding:.4rem .5rem;" +
    "border:1px solid #767676;border-radius:4px;margin:0}" +
    "button{font:inherit;padding:.4rem .9rem;background:#0b5394;color:#fff;border:1px solid #0b5394;" +
    "border-radius:4px;cursor:pointer;margin:0}" +
    "button[disabled]{opacity:.5;cursor:default}" +
    ":focus-visible{outline:3px solid #c25e00;outline-offset:2px}" +
    "a{color:#0b5394}" +
    ".status{margin:.5rem 0;font-weight:600}" +
    "ol{margin:0;padding:0 0 0 1.4rem}" +
    "li{margin:0 0 .6rem}" +
    "li a{font-weight:600}" +
    ".v{display:block;font-weight:500}" +
    ".m{display:block;color:#4f4f4f;font-size:.9em}" +
    ".o{display:inline-block;padding:0 .4rem;border-radius:3px;background:#0b5394;color:#fff;" +
    "font-size:.85em;text-decoration:none;font-weight:400}" +
    "mark{background:#ffe680;color:inherit}" +
    ".nav{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap;margin-top:.5rem}" +
    ".nav a{margin-left:auto}" +
    "[hidden]{display:none!important}";

  var sheet = null;
  function style(root) {
    try {
      if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); }
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      var el = document.createElement("style");
      el.textContent = CSS;
      root.appendChild(el);
    }
  }

  function option(el, name) {
    var key = "data-sheaf-" + name;
    return el.getAttribute(key) || script.getAttribute(key) || "";
  }

  function words(text) { return text.split(/[\s,]+/).filter(Boolean); }

  function pageLang(el) {
    var holder = el.closest("[lang]");
    var lang = (option(el, "lang") || (holder && holder.getAttribute("lang")) ||
                document.documentElement.lang || "en").toLowerCase();
    // Chinese in traditional script (zh-Hant, or a Taiwan, Hong Kong or Macau tag) gets
    // the traditional texts, as the catalog's own pages do (web/i18n.py)
    var parts = lang.split(/[-_]/);
    if (parts[0] === "zh") {
      if (parts.indexOf("hant") > 0) { return "zh-Hant"; }
      if (parts.indexOf("hans") > 0) { return "zh"; }
      return parts.slice(1).some(function (p) { return /^(tw|hk|mo)$/.test(p); })
        ? "zh-Hant" : "zh";
    }
    return TEXT[parts[0]] ? parts[0] : "en";
  }

  function make(tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) { el.className = cls; }
    if (text !== undefined) { el.textContent = text; }
    return el;
  }

  function highlighted(text, spans) {
    var frag = document.createDocumentFragment();
    var pos = 0;
    (spans || []).slice().sort(function (a, b) { return a[0] - b[0]; }).forEach(function (s) {
      var start = Math.max(s[0], pos), end = Math.min(s[1], text.length);
      if (start >= end) { return; }
      frag.appendChild(document.createTextNode(text.slice(pos, start)));
      frag.appendChild(make("mark", "", text.slice(start, end)));
      pos = end;
    });
    frag.appendChild(document.createTextNode(text.slice(pos)));
    return frag;
  }

  // records whose language is not written in Latin script lead with their 880 form, as the
  // results page does (web/parallel.py); in Chinese the 880 form always leads
  var NON_LATIN = " chi jpn kor rus ukr bel bul mac srp heb yid ara per urd gre tha hin ben" +
    " tam arm geo amh mon bur khm lao tib ";

  function beside(p, hit, lang) {
    var span = make("span");
    var own = [p.text, p.highlights], other = [p.vernacular, p.vernacular_highlights];
    var lead = lang.slice(0, 2) === "zh" || NON_LATIN.indexOf(" " + (hit.languages[0] || "") + " ") >= 0;
    (p.vernacular ? (lead ? [other, own] : [own, other]) : [own]).forEach(function (f, i) {
      if (i) { span.appendChild(document.createTextNode(" = ")); }
      span.appendChild(highlighted(f[0], f[1]));
    });
    return span;
  }

  // a result line's authors, place : publisher, edition and series, each in both scripts
  function details(hit, lang, t) {
    var d = hit.details || {}, out = [];
    function joined(name, sep) {
      var span = make("span");
      (d[name] || []).forEach(function (p, i) {
        if (i) { span.appendChild(document.createTextNode(sep)); }
        span.appendChild(beside(p, hit, lang));
      });
      return (d[name] || []).length ? span : null;
    }
    var authors = joined("authors", "; ");
    if (!authors && hit.authors.length) { authors = make("span", "", hit.authors.join("; ")); }
    var places = joined("places", " ; "), publishers = joined("publishers", " ; ");
    var imprint = places && publishers ? make("span") : places || publishers;
    if (places && publishers) {
      imprint.appendChild(places);
      imprint.appendChild(document.createTextNode(" : "));
      imprint.appendChild(publishers);
    }
    var series = joined("series", " ; ");
    if (series) { series.insertBefore(document.createTextNode(t.series + " "), series.firstChild); }
    [authors, imprint, joined("edition", " "), series].forEach(function (part, i) {
      if (part) { part.className = ["a", "i", "e", "s"][i]; out.push(part); }
    });
    return out;
  }

  function scope(el) {
    var params = [];
    [["library", "library"], ["language", "language"], ["format", "format"]].forEach(function (p) {
      words(option(el, p[0])).forEach(function (v) { params.push(["filter", p[1] + ":" + v]); });
    });
    return params;
  }

  function query(params) {
    return params.map(function (p) {
      return encodeURIComponent(p[0]) + "=" + encodeURIComponent(p[1]);
    }).join("&");
  }

  function iframe(el, lang) {
    var frame = document.createElement("iframe");
    frame.src = base + "embed?" + query(scope(el).concat([["lang", lang]]));
    frame.title = TEXT[lang].label;
    frame.setAttribute("width", "100%");
    frame.setAttribute("height", option(el, "height") || "420");
    frame.setAttribute("loading", "lazy");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    frame.style.border = "0";
    frame.style.display = "block";
    el.appendChild(frame);
    // /embed posts its height (frame.js): only a message from the catalog's origin and from
    // this very frame resizes it, and only to a sane height
    window.addEventListener("message", function (e) {
      var data = e.data;
      if (e.origin !== origin || e.source !== frame.contentWindow || !data ||
          data.sheaf !== "embed-height" || typeof data.height !== "number") { return; }
      frame.setAttribute("height", String(Math.round(Math.min(Math.max(data.height, 60), 4000))));
    });
  }

  var count = 0;
  function widget(el) {
    var lang = pageLang(el);
    var t = TEXT[lang];
    if (option(el, "mode") === "iframe") { iframe(el, lang); return; }
    var limit = Math.min(Math.max(parseInt(option(el, "limit"), 10) || 5, 1), 50);
    var root = el.attachShadow({ mode: "open" });
    style(root);
    var id = "sheaf-q-" + (++count);
    var box = make("div", "w");
    var form = make("form");
    var label = make("label", "", t.label);
    var row = make("div", "row");
    var input = make("input");
    var button = make("button", "", t.button);
    var status = make("p", "status");
    var list = make("ol");
    var nav = make("div", "nav");
    var prev = make("button", "", t.prev);
    var next = make("button", "", t.next);
    var where = make("span");
    var all = make("a", "", t.all + " ›");
    var page = 1, asked = 0;
    form.setAttribute("role", "search");
    label.htmlFor = id;
    input.id = id;
    input.type = "search";
    input.name = "q";
    input.setAttribute("autocomplete", "off");
    button.type = "submit";
    prev.type = next.type = "button";
    status.setAttribute("role", "status");
    all.target = "_blank";
    all.rel = "noopener";
    nav.hidden = true;
    row.appendChild(input);
    row.appendChild(button);
    form.appendChild(label);
    form.appendChild(row);
    nav.appendChild(prev);
    nav.appendChild(where);
    nav.appendChild(next);
    nav.appendChild(all);
    box.appendChild(form);
    box.appendChild(status);
    box.appendChild(list);
    box.appendChild(nav);
    root.appendChild(box);

    function show(data) {
      list.textContent = "";
      var n = data.total;
      status.textContent = n === 0 ? t.none : (n === 1 ? t.one : t.many.replace("{n}", n));
      data.results.forEach(function (hit) {
        var li = make("li");
        var a = make("a");
        a.href = base + "record/" + encodeURIComponent(hit.id);
        a.target = "_blank";
        a.rel = "noopener";
        a.appendChild(highlighted(hit.title, hit.highlights.title));
        if (hit.title_vernacular) {
          var v = make("span", "v");
          v.appendChild(highlighted(hit.title_vernacular, hit.highlights.title_vernacular));
          a.appendChild(v);
        }
        li.appendChild(a);
        // the authors (both scripts) and the year, the parts that are there joined: no
        // dangling " · " for a record without author; then imprint, edition, series lines
        var parts = details(hit, lang, t);
        var meta = make("span", "m");
        if (parts.length && parts[0].className === "a") { meta.appendChild(parts.shift()); }
        if (hit.year) {
          meta.appendChild(document.createTextNode((meta.firstChild ? " · " : "") + hit.year));
        }
        if (meta.firstChild) { li.appendChild(meta); }
        parts.forEach(function (part) {
          part.className = "m " + part.className;
          li.appendChild(part);
        });
        var url = (hit.links || []).map(function (l) { return l.url; }).filter(function (u) {
          return /^https?:\/\//i.test(u || "");
        })[0];
        if (url) {
          var o = make("a", "o", t.online);
          o.href = url;
          o.target = "_blank";
          o.rel = "noopener noreferrer nofollow";
          li.appendChild(o);
        }
        var libs = [];
        hit.holdings.forEach(function (h) { if (libs.indexOf(h.name) < 0) { libs.push(h.name); } });
        if (libs.length) { li.appendChild(make("span", "m", t.held + ": " + libs.join(", "))); }
        list.appendChild(li);
      });
      var pages = Math.max(1, Math.ceil(n / limit));
      nav.hidden = n === 0;
      prev.disabled = page <= 1;
      next.disabled = page >= pages;
      where.textContent = t.page.replace("{p}", page).replace("{n}", pages);
      all.href = base + "?" + query([["q", data.query]].concat(scope(el)));
    }

    function search() {
      var text = input.value.trim();
      if (!text) { return; }
      var mine = ++asked;
      status.textContent = t.loading;
      var params = [["q", text], ["page", page], ["limit", limit], ["facets", ""], ["lang", lang]];
      fetch(base + "api/search?" + query(params.concat(scope(el))), { credentials: "omit" })
        .then(function (r) {
          if (!r.ok) { throw new Error(r.status); }
          return r.json();
        })
        .then(function (data) { if (mine === asked) { show(data); } })
        .catch(function () { if (mine === asked) { status.textContent = t.error; } });
    }

    form.addEventListener("submit", function (e) { e.preventDefault(); page = 1; search(); });
    prev.addEventListener("click", function () { page--; search(); });
    next.addEventListener("click", function () { page++; search(); });
  }

  function start() {
    var selector = script.getAttribute("data-sheaf-target") || "[data-sheaf-search]";
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (el) {
      if (el.shadowRoot || el.hasAttribute("data-sheaf-ready")) { return; }
      el.setAttribute("data-sheaf-ready", "");
      widget(el);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
