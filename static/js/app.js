// caseapp — small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Province → commune picker: <select data-commune-target="commune_code" data-communes-url=".../__P__">
  function bindCommunePicker(select) {
    var target = document.getElementById(select.dataset.communeTarget);
    if (!target) { return; }
    select.addEventListener("change", function () {
      var url = select.dataset.communesUrl.replace("__P__", encodeURIComponent(select.value));
      var first = target.options[0] ? target.options[0].cloneNode(true) : null;
      target.innerHTML = "";
      if (first) { target.appendChild(first); }
      if (!select.value) { return; }
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (rows) {
          rows.forEach(function (row) {
            var opt = document.createElement("option");
            opt.value = row.code; opt.textContent = row.name;
            target.appendChild(opt);
          });
        });
    });
  }

  // <form data-confirm="text">: ask before a destructive action.
  function bindConfirm(form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  }

  // Forms submit once: a double tap on a slow phone must not post twice.
  function bindSubmitOnce(form) {
    form.addEventListener("submit", function () {
      if (form.dataset.submitted) { return; }
      form.dataset.submitted = "1";
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  }

  // <button data-print>: print the page (e.g. the list of other shelters to hand over).
  function bindPrint(button) {
    button.addEventListener("click", function () { window.print(); });
  }

  // <div data-show-when="name=value1|value2">: shown only while the form control `name` has one of
  // the values (a checked radio, a select, a ticked checkbox). Without JavaScript everything shows.
  function bindShowWhen(section) {
    var rule = section.dataset.showWhen.split("=");
    var form = section.closest("form");
    var wanted = rule[1].split("|");
    if (!form) { return; }
    function current() {
      var controls = form.querySelectorAll("[name='" + rule[0] + "']");
      for (var i = 0; i < controls.length; i += 1) {
        var c = controls[i];
        if ((c.type === "radio" || c.type === "checkbox") ? c.checked : true) { return c.value; }
      }
      return "";
    }
    function update() { section.hidden = wanted.indexOf(current()) === -1; }
    form.addEventListener("change", update);
    update();
  }

  // Menu groups (header <details class="navgroup">) open without JavaScript; with it, opening one
  // closes the others, and a click elsewhere or Escape closes them (focus back on the group's name).
  function bindMenuGroups(header) {
    var groups = header.querySelectorAll("details.navgroup");
    function closeAll(except) {
      groups.forEach(function (g) { if (g !== except) { g.open = false; } });
    }
    groups.forEach(function (g) {
      g.addEventListener("toggle", function () { if (g.open) { closeAll(g); } });
    });
    document.addEventListener("click", function (event) {
      if (!header.contains(event.target)) { closeAll(null); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      groups.forEach(function (g) {
        if (g.open) { g.open = false; g.querySelector("summary").focus(); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-show-when]").forEach(bindShowWhen);
    document.querySelectorAll("header.topbar").forEach(bindMenuGroups);
    document.querySelectorAll("[data-print]").forEach(bindPrint);
    document.querySelectorAll("select[data-commune-target]").forEach(bindCommunePicker);
    document.querySelectorAll("form[data-confirm]").forEach(bindConfirm);
    document.querySelectorAll("form[method=post]").forEach(bindSubmitOnce);
  });
}());
