/* servicedesk: small progressive enhancements. Every page works without this file.
 * Loaded from our own origin: the Content-Security-Policy forbids inline script. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function onReady(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  // ---------------------------------------------------------------- forms that submit on change
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-autosubmit]");
    if (form && event.target.tagName === "SELECT") {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });

  // ---------------------------------------------------------------- dialogs
  function dialog(id) {
    var element = document.getElementById(id);
    return element && typeof element.showModal === "function" ? element : null;
  }

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open-dialog]");
    if (opener) {
      var box = dialog(opener.getAttribute("data-open-dialog"));
      if (box) {
        event.preventDefault();
        box.showModal();
      }
      return;
    }
    var closer = event.target.closest("[data-close-dialog]");
    if (closer) {
      closer.closest("dialog").close();
    }
  });

  // ---------------------------------------------------------------- canned responses
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-canned-for]")) return;
    var option = select.options[select.selectedIndex];
    var text = option && option.getAttribute("data-text");
    var target = document.getElementById(select.getAttribute("data-canned-for"));
    if (text && target) {
      target.value = target.value.trim() ? target.value.replace(/\s+$/, "") + "\n\n" + text : text;
      target.focus();
    }
    select.selectedIndex = 0;
  });

  // ---------------------------------------------------------------- drag and drop of attachments
  function showFiles(zone, input) {
    var list = zone.querySelector(".dropzone-files");
    if (!list) return;
    list.textContent = "";
    Array.prototype.forEach.call(input.files, function (file) {
      var item = document.createElement("li");
      item.textContent = file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " kB)";
      list.appendChild(item);
    });
  }

  function setUpDropzone(zone) {
    var input = zone.querySelector("input[type=file]");
    if (!input || zone.dataset.ready) return;
    zone.dataset.ready = "1";
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("dragover");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () {
        zone.classList.remove("dragover");
      });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      var merged = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (file) { merged.items.add(file); });
      Array.prototype.forEach.call(event.dataTransfer.files, function (file) { merged.items.add(file); });
      input.files = merged.files;
      showFiles(zone, input);
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
    input.addEventListener("change", function () { showFiles(zone, input); });
  }

  // ---------------------------------------------------------------- status form: show what a status needs
  function updateRequirements(select) {
    var form = select.form;
    var value = select.value;
    form.querySelectorAll("[data-needed-for]").forEach(function (block) {
      var needed = block.getAttribute("data-needed-for").split(" ");
      block.hidden = needed.indexOf(value) === -1 && block.getAttribute("data-optional") !== "1";
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-requirements]")) {
      updateRequirements(event.target);
    }
  });

  // ---------------------------------------------------------------- time zone of this device
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-detect-timezone]");
    if (!button) return;
    var select = document.getElementById(button.getAttribute("data-detect-timezone"));
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (select && zone) {
      select.value = zone;
      select.focus();
    }
  });

  // ---------------------------------------------------------------- queue: selection and refresh
  document.addEventListener("change", function (event) {
    var all = event.target.closest && event.target.closest("[data-select-all]");
    if (!all) return;
    document.querySelectorAll(".row-select").forEach(function (box) { box.checked = all.checked; });
  });

  // A live refresh would undo the agent's selection: skip it while rows are selected
  // or while the agent is filling in the bulk form.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var region = event.detail && event.detail.elt;
    if (!region || region.id !== "queue-region") return;
    var busy = document.querySelector(".row-select:checked") ||
      (document.activeElement && document.activeElement.closest("#bulk-form, #filters"));
    if (busy) event.preventDefault();
  });

  // ---------------------------------------------------------------- keyboard shortcuts (desk)
  var pending = "";
  var pendingTimer = null;
  var currentRow = -1;

  function typing(element) {
    if (!element) return false;
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("tr[data-row]"));
  }

  function moveRow(step) {
    var all = rows();
    if (!all.length) return;
    if (currentRow >= 0 && all[currentRow]) all[currentRow].classList.remove("current");
    currentRow = Math.min(all.length - 1, Math.max(0, currentRow + step));
    var row = all[currentRow];
    row.classList.add("current");
    var link = row.querySelector("a");
    if (link) link.focus();
  }

  // "g" sequences reach a queue from any desk page, also where its link is not shown.
  var QUEUE_KEYS = { "g m": "mine", "g u": "unassigned", "g b": "breaching",
    "g c": "waiting_customer", "g o": "open" };

  function activate(key) {
    var target = document.querySelector('[data-shortcut="' + key + '"]');
    var queueUrl = document.body.getAttribute("data-queue-url");
    if (!target && QUEUE_KEYS[key] && queueUrl) {
      window.location.href = queueUrl.replace("QUEUE", QUEUE_KEYS[key]);
      return true;
    }
    if (!target) return false;
    if (target.tagName === "A" || target.tagName === "BUTTON") {
      target.click();
    } else if (target.type === "radio" || target.type === "checkbox") {
      target.click();
      var then = document.getElementById(target.getAttribute("data-shortcut-then"));
      if (then) then.focus();
    } else {
      target.scrollIntoView({ block: "center" });
      target.focus();
    }
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (!document.body.classList.contains("desk")) return;
    var element = document.activeElement;
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && element && element.form) {
      event.preventDefault();
      element.form.requestSubmit ? element.form.requestSubmit() : element.form.submit();
      return;
    }
    if (event.key === "Escape" && typing(element)) {
      element.blur();
      return;
    }
    if (typing(element) || event.ctrlKey || event.metaKey || event.altKey) return;
    var key = event.key;
    if (key === "?") {
      var box = dialog("shortcuts");
      if (box) {
        event.preventDefault();
        box.open ? box.close() : box.showModal();
      }
      return;
    }
    if (pending) {
      var sequence = pending + " " + key;
      pending = "";
      clearTimeout(pendingTimer);
      if (activate(sequence)) event.preventDefault();
      return;
    }
    if (key === "g") {
      pending = "g";
      pendingTimer = setTimeout(function () { pending = ""; }, 1200);
      return;
    }
    if (key === "j" || key === "k") {
      if (rows().length) {
        event.preventDefault();
        moveRow(key === "j" ? 1 : -1);
      }
      return;
    }
    if (key === "x") {
      var row = rows()[currentRow];
      var box2 = row && row.querySelector(".row-select");
      if (box2) {
        event.preventDefault();
        box2.checked = !box2.checked;
      }
      return;
    }
    if (activate(key)) event.preventDefault();
  });

  // ---------------------------------------------------------------- set-up, also after HTMX swaps
  function setUp(root) {
    root.querySelectorAll(".dropzone").forEach(setUpDropzone);
    root.querySelectorAll("select[data-requirements]").forEach(updateRequirements);
  }

  onReady(function () { setUp(document); });
  document.addEventListener("htmx:load", function (event) { setUp(event.detail.elt); });
})();
