// The activity log page's progressive enhancement. The page works without it (plain links and a GET form);
// with it: searchable pickers with category toggles, the date menu applies when chosen (from the keyboard: on
// Enter), focus returns to what applied after the reload, empty fields stay out of the URL, the histogram is
// keyboard-navigable, loading more entries keeps focus and reports failures, and the details of an entry from
// a further batch are fetched when it is first opened; however far the admin scrolls, only the batches near
// the viewport stay in the document.
// htmx (vendored next to this file) fetches the further entries and the histogram.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  // --- Pickers (action, teammate) --------------------------------------------------------------------------

  function boxes(root) {
    return Array.prototype.slice.call(root.querySelectorAll('input[type="checkbox"][name]'));
  }

  function summarise(picker) {
    var value = picker.querySelector("[data-summary]");
    var chosen = boxes(picker).filter(function (box) { return box.checked; });
    if (chosen.length === 0) value.textContent = value.dataset.all;
    else if (chosen.length === 1) value.textContent = chosen[0].parentElement.querySelector("span").textContent;
    else value.textContent = chosen.length + " " + value.dataset.many;
    picker.querySelectorAll("[data-group]").forEach(function (group) {
      var toggle = group.querySelector("[data-group-toggle]");
      if (!toggle) return;
      var all = boxes(group);
      var on = all.filter(function (box) { return box.checked; }).length;
      toggle.checked = on === all.length && on > 0;
      toggle.indeterminate = on > 0 && on < all.length;
    });
  }

  // "sign in", "log-in", "logon": one word, as the catalog's terms spell it (see catalog/search.py).
  function normalise(text) {
    return text.toLowerCase()
      .replace(/\b(?:sign|log)[\s-]*(?:in|on)\b/g, "login")
      .replace(/\b(?:sign|log)[\s-]*(?:out|off)\b/g, "logout");
  }

  // Every word searched must begin a word of the option (its terms, or its text and group): "sign" finds
  // "sign-in" but not "Unassign".
  function search(picker, text) {
    var words = normalise(text).split(/[^a-z0-9_]+/).filter(Boolean);
    var shown = 0;
    picker.querySelectorAll("[data-option]").forEach(function (option) {
      var haystack = option.dataset.terms || option.textContent.toLowerCase();
      var group = option.closest("[data-group]");
      if (group) haystack += " " + group.querySelector("legend").textContent.toLowerCase();
      var own = (" " + haystack.replace(/[^a-z0-9_]+/g, " ") + " ");
      var match = words.every(function (word) { return own.indexOf(" " + word) !== -1; });
      option.hidden = !match;
      if (match) shown += 1;
    });
    picker.querySelectorAll("[data-group]").forEach(function (group) {
      group.hidden = !group.querySelector("[data-option]:not([hidden])");
    });
    var nothing = picker.querySelector("[data-nothing]");
    if (nothing) nothing.hidden = shown > 0;
  }

  function setUpPicker(picker) {
    var searchBox = picker.querySelector("[data-search]");
    picker.addEventListener("change", function (event) {
      var toggle = event.target.closest("[data-group-toggle]");
      if (toggle) {
        var group = toggle.closest("[data-group]");
        boxes(group).forEach(function (box) {
          if (!box.closest("[data-option]").hidden) box.checked = toggle.checked;
        });
      }
      summarise(picker);
    });
    if (searchBox) {
      searchBox.addEventListener("input", function () { search(picker, searchBox.value); });
      searchBox.addEventListener("keydown", function (event) {
        if (event.key === "Enter") event.preventDefault(); // Enter in the search box must not submit the form
      });
    }
    var clear = picker.querySelector("[data-clear]");
    if (clear) {
      clear.addEventListener("click", function () {
        boxes(picker).forEach(function (box) { box.checked = false; });
        summarise(picker);
      });
    }
    picker.addEventListener("toggle", function () {
      if (!picker.open) return;
      document.querySelectorAll("details.picker[open]").forEach(function (other) {
        if (other !== picker) other.open = false;
      });
      if (searchBox) searchBox.focus();
    });
    picker.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && picker.open) {
        picker.open = false;
        picker.querySelector("summary").focus();
      }
    });
    summarise(picker);
  }

  // --- The filter form --------------------------------------------------------------------------------------

  function setUpForm(form) {
    var range = form.querySelector("[data-range]");
    var custom = form.querySelector("[data-custom]");
    var from = form.querySelector("#from");
    var to = form.querySelector("#to");
    if (range && custom) {
      // Arrow keys on a closed select change its value at once: that is browsing, not choosing. A change made
      // from the keyboard waits for Enter (or for focus to leave); one picked from the list applies at once.
      var browsing = false;
      var pending = false;
      var apply = function () {
        pending = false;
        if (range.value === "custom") {
          custom.removeAttribute("data-idle");
          (from.value ? to : from).focus();
        } else {
          custom.setAttribute("data-idle", "");
          form.requestSubmit();
        }
      };
      range.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          if (pending) {
            event.preventDefault();
            apply();
          }
          return;
        }
        browsing = event.key.length === 1 || /^(Arrow|Home|End|Page)/.test(event.key);
      });
      range.addEventListener("change", function () {
        if (browsing) {
          browsing = false;
          pending = true;
          return;
        }
        apply();
      });
      range.addEventListener("blur", function () {
        if (pending) apply();
      });
    }
    if (from && to) {
      var bound = function () { to.min = from.value || ""; };
      from.addEventListener("change", bound);
      bound();
      [from, to].forEach(function (input) {
        input.addEventListener("change", function () {
          if (range) range.value = "custom";
        });
      });
    }
    form.addEventListener("submit", function () {
      var active = document.activeElement;
      var picker = active && active.closest && active.closest("details.picker");
      remember(picker ? picker.id : active && active.id);
      // Only what is chosen goes into the URL: no "ip=&from=&to=" in a link someone shares.
      var customOff = range && range.value !== "custom";
      form.querySelectorAll("input[name], select[name]").forEach(function (field) {
        var dated = field.name === "from" || field.name === "to";
        if ((field.type !== "checkbox" && !field.value) || (dated && customOff)) field.disabled = true;
      });
      window.setTimeout(function () {
        form.querySelectorAll("[disabled]").forEach(function (field) { field.disabled = false; });
      }, 0);
    });
    // A picker closes when the pointer goes elsewhere.
    document.addEventListener("click", function (event) {
      document.querySelectorAll("details.picker[open]").forEach(function (picker) {
        if (!picker.contains(event.target)) picker.open = false;
      });
    });
  }

  // --- Focus across an apply: the page reloads, focus comes back to what applied ---------------------------

  var FOCUS_KEY = "activitylog-focus";

  function remember(what) {
    try {
      if (what) window.sessionStorage.setItem(FOCUS_KEY, what);
    } catch (ignored) { /* storage off: focus simply starts at the top */ }
  }

  function recalled() {
    try {
      var what = window.sessionStorage.getItem(FOCUS_KEY);
      window.sessionStorage.removeItem(FOCUS_KEY);
      return what;
    } catch (ignored) {
      return null;
    }
  }

  // A long range comes with a week-per-bar chart too: show the day bars only while each is at least the
  // plot's minimum width (a phone past 90 days, a desktop past about 230), else the weeks.
  function fitBars() {
    document.querySelectorAll("#histogram .charts").forEach(function (charts) {
      var days = charts.querySelector("[data-days]");
      var weeks = charts.querySelector("[data-weeks]");
      if (!days || !weeks) return;
      var shown = days.hidden ? weeks : days;
      var width = shown.querySelector(".bars").clientWidth;
      var count = Number(days.querySelector(".bars").dataset.bars);
      var wide = width / count >= Number(charts.dataset.minBar);
      days.hidden = !wide;
      weeks.hidden = wide;
    });
  }
  window.addEventListener("resize", fitBars);

  // The bar under the keyboard or the pointer says its count where the hint was (a screen reader hears its name).
  function readout(bar) {
    var hint = document.querySelector("#histogram .chart-hint");
    if (!hint) return;
    if (!hint.dataset.hint) hint.dataset.hint = hint.textContent;
    hint.textContent = bar ? bar.getAttribute("aria-label") : hint.dataset.hint;
  }
  document.addEventListener("focusin", function (event) {
    readout(event.target.closest && event.target.closest("#histogram .bar"));
  });
  document.addEventListener("mouseover", function (event) {
    var bar = event.target.closest && event.target.closest("#histogram .bar");
    if (bar) readout(bar);
  });
  document.addEventListener("mouseout", function (event) {
    if (!(event.target.closest && event.target.closest("#histogram .bar"))) return;
    var focused = document.activeElement;
    readout(focused && focused.closest && focused.closest("#histogram .bar"));
  });

  function visibleBar(selector) {
    var found = Array.prototype.slice.call(document.querySelectorAll(selector));
    return found.filter(function (bar) { return !bar.closest("[hidden]"); })[0] || null;
  }

  function focusBar() {
    var bar = visibleBar(".bar[aria-current]") || visibleBar('.bar[tabindex="0"]');
    if (bar) bar.focus();
    return !!bar;
  }

  function restoreFocus() {
    var what = recalled();
    if (!what) return;
    if (what === "bar") {
      // The chart arrives after the page: focus its chosen bar once it is in.
      if (!focusBar()) {
        document.addEventListener("htmx:afterSettle", function settle() {
          if (focusBar()) document.removeEventListener("htmx:afterSettle", settle);
        });
      }
      return;
    }
    var target = document.getElementById(what);
    if (target && target.tagName === "DETAILS") target = target.querySelector("summary");
    if (target) target.focus();
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest(".bar")) remember("bar");
  });

  // --- The histogram: one tab stop, arrow keys between bars ------------------------------------------------

  document.addEventListener("keydown", function (event) {
    var bar = event.target.closest && event.target.closest(".bar");
    if (!bar) return;
    var bars = Array.prototype.slice.call(bar.parentElement.querySelectorAll(".bar"));
    var index = bars.indexOf(bar);
    var next = {
      ArrowLeft: index - 1, ArrowRight: index + 1, ArrowDown: index - 1, ArrowUp: index + 1,
      Home: 0, End: bars.length - 1, PageUp: index - 7, PageDown: index + 7,
    }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    next = Math.max(0, Math.min(bars.length - 1, next));
    bar.tabIndex = -1;
    bars[next].tabIndex = 0;
    bars[next].focus();
  });

  // --- A window of batches ----------------------------------------------------------------------------------
  // Chromium's style and layout work for each batch added grows with the nodes in the document, so the 100th
  // batch used to cost the browser 1.3-1.6 times the first (bench/scroll_bench.py). Once the list holds
  // `data-window-from` batches (8 by default: a short log keeps every entry in the page, for find-in-page), a
  // batch farther than `data-window-margin` (four screens) above or below the viewport is parked: an empty box
  // of its height takes its place, so nothing moves, and its nodes wait, detached and unchanged (an opened
  // row stays open), until it comes near again. A batch holding the focus is never parked.

  var parked = new Map(); // box -> the batch it stands in for
  var far = new Set(); // batches in the document, out of the window's margin
  var batches = 0; // batches in the list, parked or not
  var windowing = null;

  function listSetting(name, otherwise) {
    var list = document.getElementById("entries");
    return (list && list.dataset[name]) || otherwise;
  }

  // Watching starts with the first further batch (the first alone never needs a window).
  function watch(element) {
    if (!("IntersectionObserver" in window)) return;
    if (!windowing) {
      windowing = new IntersectionObserver(moved, { rootMargin: listSetting("windowMargin", "400%") + " 0px" });
      document.querySelectorAll("#entries > .batch").forEach(function (batch) { windowing.observe(batch); });
    }
    windowing.observe(element);
  }

  function moved(records) {
    records.forEach(function (record) {
      var element = record.target;
      if (parked.has(element)) {
        if (record.isIntersecting) unpark(element);
      } else if (record.isIntersecting) {
        far.delete(element);
      } else {
        far.add(element);
      }
    });
    parkFarBatches();
  }

  function parkFarBatches() {
    if (batches < Number(listSetting("windowFrom", "8"))) return;
    far.forEach(function (batch) {
      if (!batch.isConnected) far.delete(batch);
      else if (!batch.contains(document.activeElement)) park(batch);
    });
  }

  function park(batch) {
    var height = batch.getBoundingClientRect().height;
    if (!height) return;
    var box = document.createElement("div");
    box.className = "batch-parked";
    box.setAttribute("aria-hidden", "true");
    box.style.height = height + "px"; // the CSSOM, which the page's Content-Security-Policy allows
    far.delete(batch);
    windowing.unobserve(batch);
    parked.set(box, batch);
    batch.replaceWith(box);
    windowing.observe(box);
  }

  function unpark(box) {
    var batch = parked.get(box);
    parked.delete(box);
    windowing.unobserve(box);
    box.replaceWith(batch);
    windowing.observe(batch);
  }

  // --- Further entries: busy state, focus, failures -----------------------------------------------------------

  var focusAfterLoad = false;
  var arrived = null; // the first batch of the last swap into #more

  document.addEventListener("htmx:beforeRequest", function (event) {
    var more = event.target.closest && event.target.closest("#more");
    if (!more) return;
    more.removeAttribute("data-failed");
    var entries = document.getElementById("entries");
    if (entries) entries.setAttribute("aria-busy", "true");
    // Asked for from the keyboard (the link had focus): focus goes to the first new entry once it is in.
    var active = document.activeElement;
    focusAfterLoad = Boolean(active && more.contains(active));
    arrived = null; // set by the swap of this load: none when it brings only the end of the log
  });

  document.addEventListener("htmx:afterSettle", function () {
    var entries = document.getElementById("entries");
    if (entries) entries.setAttribute("aria-busy", "false");
    if (focusAfterLoad) {
      var first = arrived ? arrived.querySelector(".entry") : null;
      var target = first ? first.querySelector("summary") : document.getElementById("end-of-log");
      if (target) {
        if (!first) target.tabIndex = -1;
        target.focus();
      }
      focusAfterLoad = false;
    }
  });

  // "1,240 entries match · showing 250": the total is the histogram's (it follows every filter), the entries
  // shown are counted batch by batch (never by walking the whole list again).
  var shownCount = 0;
  function number(n) { return Number(n).toLocaleString("en-US"); }
  function showCount() {
    var status = document.getElementById("match-count");
    var head = document.querySelector("#histogram [data-total]");
    if (!status || !head) return;
    var total = Number(head.getAttribute("data-total"));
    status.textContent = number(total) + (total === 1 ? " entry matches" : " entries match") +
      " · showing " + number(Math.min(shownCount, total));
    status.hidden = false;
  }

  // A batch that continues the day of the entry before it: that entry is no longer the day's last.
  var before = null; // what precedes #more in the list: the last batch, or the box standing in for it
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var previous = target && target.id === "more" ? target.previousElementSibling : null;
    before = previous && (previous.classList.contains("batch") || parked.has(previous)) ? previous : null;
  });
  document.addEventListener("htmx:afterSwap", function () {
    if (!before) return;
    var lastBatch = parked.get(before) || before;
    var lastBefore = lastBatch.lastElementChild;
    var added = before.nextElementSibling;
    arrived = added && added.classList.contains("batch") ? added : null;
    var first = arrived ? arrived.firstElementChild : null;
    if (first && first.classList.contains("entry") && lastBefore) lastBefore.classList.remove("day-end");
    for (; added && added.classList.contains("batch"); added = added.nextElementSibling) {
      shownCount += added.querySelectorAll(".entry").length;
      batches += 1;
      watch(added);
    }
    before = null;
    showCount();
    parkFarBatches();
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "histogram") {
      fitBars();
      showCount();
    }
  });

  function failed(event) {
    var source = event.detail && event.detail.elt;
    if (!source || !source.closest) return;
    var pending = source.matches("details[hx-get]") && source.querySelector("[data-details-pending]");
    if (pending) pending.setAttribute("data-failed", "");
    var more = source.closest("#more");
    if (more) {
      more.setAttribute("data-failed", "");
      var entries = document.getElementById("entries");
      if (entries) entries.setAttribute("aria-busy", "false");
    }
    var chart = source.closest("#histogram");
    if (chart) {
      chart.textContent = "";
      var message = document.createElement("p");
      message.className = "muted chart-empty";
      message.setAttribute("role", "alert");
      message.textContent = "The chart could not be loaded. Reload the page to try again.";
      chart.appendChild(message);
    }
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);

  document.addEventListener("click", function (event) {
    var again = event.target.closest && event.target.closest("[data-details-retry]");
    if (!again) return;
    again.closest("[data-details-pending]").removeAttribute("data-failed");
    window.htmx.trigger(again.closest("details"), "retry");
  });

  document.addEventListener("click", function (event) {
    var retry = event.target.closest && event.target.closest("[data-retry]");
    if (!retry) return;
    var more = retry.closest("#more");
    var link = more && more.querySelector(".more-link");
    if (link) {
      more.removeAttribute("data-failed");
      link.click();
    }
  });

  ready(function () {
    shownCount = document.querySelectorAll("#entries .entry").length;
    batches = document.querySelectorAll("#entries > .batch").length;
    document.querySelectorAll("details.picker").forEach(setUpPicker);
    var form = document.getElementById("filters");
    if (form) setUpForm(form);
    restoreFocus();
  });
})();
