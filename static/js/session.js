// caseapp — nothing typed is lost to the idle timeout.
//
// 1. The idle warning (templates/_session_guard.html): a countdown before the server ends an idle
//    session, with a button that keeps it (a POST with the CSRF token to auth.keep_alive).
// 2. Drafts of long text: every <textarea> of a posted form is copied, as it is typed, into this tab's
//    sessionStorage under the user's id, the page's path and the field's name; after signing in again
//    the page offers it back ("Restore the draft" / "Discard the draft"); a save that went through
//    clears it. Never sent to the server.
//
// Why sessionStorage and not localStorage: a draft is personal data of a vulnerable person, and the
// computers of a centre are shared. sessionStorage belongs to one tab and dies with it, so the next
// person at the computer never finds it; signing out clears the drafts as well (and the server asks the
// browser to clear the site's storage then, Clear-Site-Data). Only the session's end time, no personal
// data, goes to localStorage, so that tabs of the same session keep one countdown.
(function () {
  "use strict";

  var DRAFT_PREFIX = "caseapp.draft:";
  var SUBMITTED_KEY = "caseapp.draft-submitted";
  var DEADLINE_KEY = "caseapp.session-deadline";

  function store() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  function sharedStore() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  // --- drafts --------------------------------------------------------------------------------------

  function draftKey(user, field) {
    return DRAFT_PREFIX + user + ":" + window.location.pathname + ":" + field.name;
  }

  function draftFields() {
    return Array.prototype.filter.call(
      document.querySelectorAll("form[method=post] textarea[name]"),
      function (field) { return !field.hasAttribute("data-no-draft"); }
    );
  }

  function clearAllDrafts(storage) {
    var keys = [];
    for (var i = 0; i < storage.length; i += 1) {
      var key = storage.key(i);
      if (key && (key.indexOf(DRAFT_PREFIX) === 0 || key === SUBMITTED_KEY)) { keys.push(key); }
    }
    keys.forEach(function (key) { storage.removeItem(key); });
  }

  // The form posted last time: if this page shows its text again (the form came back with an error),
  // the draft stays; otherwise the save went through and the draft goes. A page without a signed-in
  // user (the sign-in page after an expired session) leaves the drafts for after signing in.
  function settleSubmitted(storage, user) {
    var submitted = storage.getItem(SUBMITTED_KEY);
    if (!submitted) { return; }
    storage.removeItem(SUBMITTED_KEY);
    if (!user) { return; }
    var shown = {};
    draftFields().forEach(function (field) { shown[draftKey(user, field)] = field.value; });
    JSON.parse(submitted).forEach(function (key) {
      if (shown[key] !== storage.getItem(key)) { storage.removeItem(key); }
    });
  }

  function offerDraft(field, key, storage) {
    var template = document.getElementById("draft-offer");
    if (!template) { return; }
    var offer = template.content.firstElementChild.cloneNode(true);
    offer.querySelector("[data-draft-restore]").addEventListener("click", function () {
      field.value = storage.getItem(key) || field.value;
      offer.remove();
      field.focus();
    });
    offer.querySelector("[data-draft-discard]").addEventListener("click", function () {
      storage.removeItem(key);
      offer.remove();
      field.focus();
    });
    field.parentNode.insertBefore(offer, field);
    var folded = field.closest("details");
    if (folded) { folded.open = true; }  // the note form is folded away on the case page
  }

  function bindDrafts(storage, user) {
    draftFields().forEach(function (field) {
      var key = draftKey(user, field);
      var draft = storage.getItem(key);
      if (draft && draft !== field.value) { offerDraft(field, key, storage); }
      field.addEventListener("input", function () {
        if (field.value) { storage.setItem(key, field.value); } else { storage.removeItem(key); }
      });
      field.form.addEventListener("submit", function () {
        var keys = JSON.parse(storage.getItem(SUBMITTED_KEY) || "[]");
        if (keys.indexOf(key) === -1) { keys.push(key); }
        storage.setItem(SUBMITTED_KEY, JSON.stringify(keys));
      });
    });
  }

  function bindSignOut(guard, storage) {
    document.querySelectorAll("form[method=post]").forEach(function (form) {
      if (form.getAttribute("action") === guard.dataset.logoutUrl) {
        form.addEventListener("submit", function () { clearAllDrafts(storage); });
      }
    });
  }

  // --- the idle warning ----------------------------------------------------------------------------

  function twoDigits(n) { return (n < 10 ? "0" : "") + n; }

  function bindIdleWarning(guard) {
    var shared = sharedStore();
    var live = guard.querySelector(".session-guard-live");
    var ended = guard.querySelector(".session-guard-ended");
    var countdown = guard.querySelector("[data-countdown]");
    var button = live.querySelector("button");
    var warnMs = Number(guard.dataset.warnSeconds) * 1000;
    var deadline = Date.now() + Number(guard.dataset.secondsLeft) * 1000;
    var showing = false;
    var over = false;

    function setDeadline(value, share) {
      deadline = value;
      if (share && shared) { shared.setItem(DEADLINE_KEY, String(value)); }
    }

    function show(focus) {
      guard.hidden = false;
      if (focus && !showing) { button.focus(); }
      showing = true;
    }

    function hide() {
      guard.hidden = true;
      showing = false;
    }

    function end() {
      over = true;
      live.hidden = true;
      ended.hidden = false;
      guard.setAttribute("aria-labelledby", "session-guard-ended-title");
      guard.setAttribute("aria-describedby", "session-guard-ended-text");
      var signIn = ended.querySelector("[data-sign-in]");
      signIn.href = signIn.getAttribute("href") + "?next=" +
        encodeURIComponent(window.location.pathname + window.location.search);
      guard.hidden = false;
      signIn.focus();
    }

    function tick() {
      var left = deadline - Date.now();
      if (left <= 0) { end(); return; }
      if (left <= warnMs) {
        var seconds = Math.ceil(left / 1000);
        countdown.textContent = Math.floor(seconds / 60) + ":" + twoDigits(seconds % 60);
        show(true);
      } else if (showing) {
        hide();
      }
      window.setTimeout(tick, 1000);
    }

    live.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(live.action, {
        method: "POST",
        body: new FormData(live),
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      })
        .then(function (response) {
          // Sent to the sign-in page, or refused: the session is over. (No answer at all, the network
          // failed: the countdown goes on, and the button may be pressed again.)
          if (!response.ok || response.redirected) { setDeadline(Date.now(), false); return; }
          return response.json().then(function (data) {
            setDeadline(Date.now() + data.seconds_left * 1000, true);
            hide();
          });
        })
        .catch(function () { return null; });
    });

    // Another tab of the same session was used: its end time is this tab's too.
    window.addEventListener("storage", function (event) {
      if (event.key !== DEADLINE_KEY || !event.newValue || over) { return; }
      setDeadline(Number(event.newValue), false);
    });
    setDeadline(deadline, true);
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var guard = document.getElementById("session-guard");
    var user = guard ? guard.dataset.user : "";
    var storage = store();
    if (storage) {
      settleSubmitted(storage, user);
      if (user) {
        bindDrafts(storage, user);
        bindSignOut(guard, storage);
      }
    }
    if (guard) { bindIdleWarning(guard); }
  });
}());
