/* The iframe mode (/embed) tells the page that frames it how tall it is, so that
 * embed.js can size the iframe to its content (no inner scroll bar, no empty space).
 * The message carries only a height: it may go to any origin ("*"), since the partner
 * page's origin is not known here; embed.js checks that it comes from the catalog's. */
(function () {
  "use strict";
  if (window.parent === window) { return; }
  var sent = 0;
  function post() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === sent) { return; }
    sent = height;
    window.parent.postMessage({ sheaf: "embed-height", height: height }, "*");
  }
  if (window.ResizeObserver) {
    new ResizeObserver(post).observe(document.documentElement);
  }
  window.addEventListener("load", post);
  window.addEventListener("resize", post);
  post();
}());
