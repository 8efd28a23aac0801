// The console's progressive enhancement, on every page. Each page works without it:
// - a Copy button (hidden until this script shows it) puts a field's value on the clipboard, and says so;
// - a confirmation (a <details> whose panel holds the real form: "Remove" opens it, "Yes, remove" posts it)
//   closes on Cancel or Escape, with focus back on what opened it, and only one is open at a time. Without
//   script, Cancel is a link back to the page.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  // --- Copy ---------------------------------------------------------------------------------------------------

  function say(button, words) {
    var status = button.parentElement.querySelector("[data-copy-status]");
    if (status) status.textContent = words;
  }

  function selectAndCopy(field) {
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch (ignored) {
      return false;
    }
  }

  function copy(button) {
    var field = document.getElementById(button.dataset.copy);
    if (!field) return;
    var copied = function () { say(button, "Copied to the clipboard."); };
    var selected = function () {
      if (selectAndCopy(field)) copied();
      else say(button, "Selected: press Ctrl+C (⌘C on a Mac) to copy.");
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(copied, selected);
    } else {
      selected();
    }
  }

  // --- Confirmations ------------------------------------------------------------------------------------------

  function close(confirm) {
    confirm.open = false;
    confirm.querySelector("summary").focus();
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) return;
    var button = target.closest("[data-copy]");
    if (button) {
      copy(button);
      return;
    }
    var cancel = target.closest("[data-cancel]");
    if (cancel && cancel.closest("[data-confirm]")) {
      event.preventDefault();
      close(cancel.closest("[data-confirm]"));
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) return;
    var confirm = event.target.closest("[data-confirm][open]");
    if (confirm) {
      event.preventDefault();
      close(confirm);
    }
  });

  // One confirmation open at a time ("toggle" does not bubble: listen in the capture phase).
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.matches || !opened.matches("[data-confirm]") || !opened.open) return;
    document.querySelectorAll("[data-confirm][open]").forEach(function (other) {
      if (other !== opened) other.open = false;
    });
  }, true);

  ready(function () {
    document.querySelectorAll("[data-copy]").forEach(function (button) { button.hidden = false; });
  });
})();
