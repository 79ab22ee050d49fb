// 答复函助手 — small vanilla helpers; every page works without them, they only make it smoother.
// Untrusted text (proposals, documents) is only ever put into the page with textContent.
(function () {
  "use strict";

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  // Forms that destroy something ask first.
  $all("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });

  // Buttons say what is happening while the server works.
  $all("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      $all("button[type=submit]", form).forEach(function (b) { b.disabled = true; b.textContent = form.getAttribute("data-busy"); });
    });
  });

  // New draft: what was pasted survives a refused submission (too large, connection lost): it is kept in
  // this tab's sessionStorage on submit and put back when the form comes back empty. Cleared once a
  // draft exists and on logout.
  var PASTED = "dfh-pasted";
  var store = null;
  try { store = window.sessionStorage; } catch (e) { store = null; }
  var pasteForm = $("#paste-form");
  var pasteArea = $("#text");
  if (store && pasteForm && pasteArea) {
    var kept = store.getItem(PASTED);
    if (kept && !pasteArea.value) {
      pasteArea.value = kept;
      var note = $("#restored");
      if (note) { note.hidden = false; }
    }
    pasteForm.addEventListener("submit", function () {
      try { store.setItem(PASTED, pasteArea.value); } catch (e) { /* too large for the tab's storage */ }
    });
  }
  if (store && document.getElementById("letter")) { store.removeItem(PASTED); }
  $all("form[action='/logout']").forEach(function (form) {
    form.addEventListener("submit", function () { if (store) { store.clear(); } });
  });

  // New draft: an overlay with the drafting steps until the draft page loads.
  var draftForm = $("#draft-form");
  var overlay = $("#overlay");
  if (draftForm && overlay) {
    draftForm.addEventListener("submit", function () {
      overlay.hidden = false;
      var steps = $all(".steps li", overlay);
      var i = 0;
      function tick() {
        steps.forEach(function (li, j) { li.className = j < i ? "done" : (j === i ? "now" : ""); });
        if (i < steps.length - 1) { i += 1; window.setTimeout(tick, 700); }
      }
      tick();
    });
  }

  // Draft page: a citation marker opens its source in the side panel.
  var panel = $("#source-panel");
  if (panel) {
    var body = $("#source-body");
    var intro = $("#source-intro");
    var decisions = {};
    $all(".src-ctx").forEach(function (ctx) { decisions[ctx.getAttribute("data-source")] = ctx.getAttribute("data-decision"); });
    $all("a.cite").forEach(function (a) {
      var d = decisions[a.getAttribute("data-source")];
      if (d) { a.classList.add("cite-" + d); a.title = d === "accepted" ? "审核：采纳" : "审核：不采纳"; }
    });

    var showSource = function (id, marker) {
      var ctx = document.getElementById("ctx-" + id);
      if (!ctx) { return; }
      $all("a.cite.active, .flagged.active").forEach(function (el) { el.classList.remove("active"); });
      $all('a.cite[data-source="' + id + '"]').forEach(function (el) { el.classList.add("active"); });
      body.textContent = "";
      var clone = ctx.cloneNode(true);
      clone.removeAttribute("id");
      clone.hidden = false;
      body.appendChild(clone);
      intro.hidden = true;
      panel.hidden = false;
      // Scroll the context box only, not the page, so the clicked marker stays where it was.
      var mark = $("mark", body);
      var box = $(".context", body);
      if (mark && box) { box.scrollTop = Math.max(0, mark.offsetTop - box.clientHeight / 3); }
      if (marker) { panel.scrollIntoView({ block: "nearest" }); }
    };

    document.addEventListener("click", function (ev) {
      var a = ev.target.closest ? ev.target.closest("a.cite") : null;
      if (a && a.closest(".paper")) {
        ev.preventDefault();
        showSource(a.getAttribute("data-source"), a);
        return;
      }
      var flagged = ev.target.closest ? ev.target.closest(".paper .flagged") : null;
      if (flagged) {
        $all("a.cite.active, .flagged.active").forEach(function (el) { el.classList.remove("active"); });
        flagged.classList.add("active");
        body.textContent = "";
        var box = document.createElement("div");
        box.className = "flag-reason";
        var h = document.createElement("strong");
        h.textContent = "此句被标记：";
        box.appendChild(h);
        box.appendChild(document.createTextNode(flagged.getAttribute("title") || ""));
        body.appendChild(box);
        var p = document.createElement("p");
        p.className = "hint";
        p.textContent = "请核对原文并修改此句，或补充可靠来源后保存为新版本。";
        body.appendChild(p);
        intro.hidden = true;
      }
    });

    // A review decision reloads the page: it comes back where the reviewer was (not at the source list),
    // with the same source open.
    var SCROLL = "dfh-scroll";
    // Delegated: the form the reviewer submits is a clone shown in the side panel.
    document.addEventListener("submit", function (ev) {
      var form = ev.target;
      if (store && form.classList && form.classList.contains("review-form")) {
        store.setItem(SCROLL, JSON.stringify({ path: window.location.pathname, y: window.scrollY }));
      }
    });
    var wanted = new URLSearchParams(window.location.search).get("src");
    if (wanted) { showSource(wanted, null); }
    var back = null;
    try { back = store ? JSON.parse(store.getItem(SCROLL) || "null") : null; } catch (e) { back = null; }
    if (back && back.path === window.location.pathname) {
      window.scrollTo(0, back.y);
      store.removeItem(SCROLL);
    }
  }

  // Knowledge-base upload: poll the ingest job until it finishes.
  var job = $("#job");
  if (job) {
    var url = job.getAttribute("data-url");
    var render = function (data) {
      $("#job-status").textContent = data.status_name;
      $("#job-stage").textContent = data.finished ? "" : data.stage_name + (data.total ? "（" + data.done + "/" + data.total + "）" : "");
      var bar = $("#job-progress");
      if (data.finished) { bar.max = 1; bar.value = 1; }
      else if (data.total) { bar.max = data.total; bar.value = data.done; }
      $("#job-error").textContent = data.error || "";
      var tbody = $("#job-files");
      tbody.textContent = "";
      data.files.forEach(function (f) {
        var tr = document.createElement("tr");
        if (f.status === "failed") { tr.className = "file-failed"; }
        var name = document.createElement("td");
        if (f.doc_id && f.status !== "failed") {
          var a = document.createElement("a");
          a.href = "/kb/docs/" + encodeURIComponent(f.doc_id);
          a.textContent = f.name;
          name.appendChild(a);
        } else { name.textContent = f.name; }
        var st = document.createElement("td"); st.textContent = f.status_name;
        var chunks = document.createElement("td"); chunks.textContent = f.chunks ? String(f.chunks) : "";
        var reason = document.createElement("td"); reason.textContent = f.reason || "";
        [name, st, chunks, reason].forEach(function (td) { tr.appendChild(td); });
        tbody.appendChild(tr);
      });
      job.setAttribute("data-finished", data.finished ? "1" : "0");
      if (data.finished) { job.setAttribute("data-status", data.status); }
    };
    var poll = function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) { render(data); if (!data.finished) { window.setTimeout(poll, 600); } })
        .catch(function () { window.setTimeout(poll, 2000); });
    };
    if (job.getAttribute("data-finished") !== "1") { poll(); }
  }

  // Document page: bring the cited passage into view.
  var passage = document.getElementById("passage");
  if (passage) { passage.scrollIntoView({ block: "center" }); }
})();
