// khabar web UI: annotation popover, highlight-layer toggles and the home page's live list of
// the latest articles. No inline script, no eval,
// and every value shown is set with textContent, so article text is never parsed as HTML.
(function () {
  "use strict";
  function row(box, label, value) {
    if (!value) return;
    var span = document.createElement("span");
    span.className = "row";
    span.textContent = label + ": " + value;
    box.appendChild(span);
  }
  function show(el) {
    var box = document.getElementById("popover");
    if (!box) return;
    var d = el.dataset;
    box.textContent = "";
    if (d.kind === "entity") {
      row(box, "النوع", d.typeLabel + " (" + d.type + ")");
      row(box, "الاسم", d.name);
      row(box, "English", d.nameEn);
      if (d.href && d.href.charAt(0) === "/") {
        var a = document.createElement("a");
        a.href = d.href;
        a.textContent = "صفحة الكيان";
        box.appendChild(a);
      }
    } else if (d.kind === "timex") {
      row(box, "النوع", d.typeLabel + " (" + d.type + ")");
      row(box, "القيمة", d.value);
    } else if (d.kind === "event") {
      row(box, "حدث", d.typeLabel + " (" + d.type + ")");
      row(box, "CAMEO", d.cameo);
    } else if (d.kind === "quote") {
      row(box, "اقتباس", d.typeLabel);
      row(box, "المتحدث", d.speaker || "غير معروف");
      row(box, "Speaker", d.speakerEn);
    } else {
      return;
    }
    var host = box.offsetParent || document.body;
    var r = el.getBoundingClientRect(), h = host.getBoundingClientRect();
    box.style.top = (r.bottom - h.top + 6) + "px";
    box.style.right = Math.max(0, h.right - r.right) + "px";
    box.hidden = false;
  }
  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (!(t instanceof Element)) return;
    var el = t.closest("mark[data-kind], .quote[data-kind]");
    var box = document.getElementById("popover");
    if (el) { show(el); ev.stopPropagation(); }
    else if (box && !box.contains(t)) box.hidden = true;
  });
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (ev.key === "Enter" && t instanceof Element && t.matches("mark[data-kind], .quote[data-kind]")) show(t);
    if (ev.key === "Escape") { var box = document.getElementById("popover"); if (box) box.hidden = true; }
  });
  document.addEventListener("change", function (ev) {
    var t = ev.target;
    if (t instanceof HTMLInputElement && t.dataset.layer) {
      document.body.classList.toggle("hide-" + t.dataset.layer, !t.checked);
    }
  });

  // Latest articles (home page): poll /v1/articles/latest for articles ingested after the
  // newest one shown and prepend them; the server's ingestion times are the cursor, so the
  // browser's clock does not matter. Paused while the tab is hidden.
  var POLL_MS = 15000;
  function latestItem(a) {
    var li = document.createElement("li");
    li.className = "result fresh";
    var link = document.createElement("a");
    link.className = "title";
    link.href = "/articles/" + encodeURIComponent(a.id);
    link.textContent = a.title || (a.snippet || "").slice(0, 80) || a.id;
    li.appendChild(link);
    var meta = document.createElement("div");
    meta.className = "meta";
    if (a.published) {
      var t = document.createElement("time");
      t.textContent = a.published;
      meta.appendChild(t);
    }
    if (a.source) {
      if (a.published) meta.appendChild(document.createTextNode(" · "));
      var src = document.createElement("span");
      src.className = "source";
      src.textContent = a.source;
      meta.appendChild(src);
    }
    li.appendChild(meta);
    if (a.snippet) {
      var p = document.createElement("p");
      p.className = "snippet";
      p.textContent = a.snippet;
      li.appendChild(p);
    }
    return li;
  }
  function pollLatest(list) {
    if (document.hidden) return;
    var since = list.dataset.since || "0";
    fetch("/v1/articles/latest?since=" + encodeURIComponent(since), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body || !body.results || !body.results.length) return;
        var items = body.results;
        for (var i = items.length - 1; i >= 0; i--) {  // oldest first, so the newest ends on top
          var href = "/articles/" + encodeURIComponent(items[i].id);
          var old = list.querySelector('a.title[href="' + CSS.escape(href) + '"]');
          if (old && old.parentNode) old.parentNode.remove();  // re-ingested: move it to the top
          list.insertBefore(latestItem(items[i]), list.firstChild);
          if (items[i].ingested_at > Number(list.dataset.since || 0)) list.dataset.since = String(items[i].ingested_at);
        }
        var limit = Number(list.dataset.limit) || 10;
        while (list.children.length > limit) list.removeChild(list.lastChild);
        var empty = document.getElementById("latest-empty");
        if (empty) empty.remove();
      })
      .catch(function () { /* offline or server restarting: try again at the next tick */ });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var list = document.getElementById("latest");
    if (!list) return;
    setInterval(function () { pollLatest(list); }, POLL_MS);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) pollLatest(list); });
  });
})();
