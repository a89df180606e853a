// khabar web UI: annotation popover and highlight-layer toggles. No inline script, no eval,
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
})();
