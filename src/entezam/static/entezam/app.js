/*
 * Entezam page behaviour. Loaded with `defer` after htmx, Bootstrap and the Jalali date
 * picker; the Content-Security-Policy forbids inline scripts, so pages declare behaviour
 * with data attributes only:
 *
 *   <input data-jalali-picker>            Jalali date picker, value like 1404/06/31
 *   <div class="modal" data-auto-show>    shown as soon as it appears (page load or htmx swap)
 *   <form data-confirm="Are you sure?">   asks before submitting (also on a submit button,
 *   <a data-confirm="...">                 or on a link)
 *   <span data-bs-toggle="tooltip" title="...">
 *   <select data-lookup="/lookup/institution/"   searchable choice (Tom Select): options are
 *           data-lookup-parent="province">       loaded from the scoped endpoint as the user
 *                                                types, narrowed by the form's `province`
 */
(function () {
  "use strict";

  var PICKER_SELECTOR = "input[data-jalali-picker]";
  var PERSIAN_DIGITS = /[\u06F0-\u06F9\u0660-\u0669]/g;

  function toAsciiDigits(text) {
    return text.replace(PERSIAN_DIGITS, function (digit) {
      var code = digit.charCodeAt(0);
      return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
    });
  }

  function startDatePicker() {
    if (!window.jalaliDatepicker) {
      return;
    }
    var persian = (document.documentElement.lang || "fa").indexOf("fa") === 0;
    var options = {
      selector: PICKER_SELECTOR,
      separatorChars: { date: "/" },
      // Display only: the value written into the input always uses ASCII digits.
      persianDigits: persian,
      showTodayBtn: true,
      showEmptyBtn: true,
      autoHide: true,
      hideAfterChange: true,
      zIndex: 1080,
    };
    if (!persian) {
      options.months = ["Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
        "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand"];
      options.days = ["Sa", "Su", "Mo", "Tu", "We", "Th", "Fr"];
    }
    // One delegated watcher on <body> covers inputs added later by htmx swaps.
    window.jalaliDatepicker.startWatch(options);
    // The picker only parses ASCII digits; values rendered by the server may use Persian ones.
    // Capture phase on document runs before the picker's own focus handler on <body>.
    document.addEventListener(
      "focusin",
      function (event) {
        var input = event.target;
        if (input && input.matches && input.matches(PICKER_SELECTOR) && input.value) {
          var ascii = toAsciiDigits(input.value);
          if (ascii !== input.value) {
            input.value = ascii;
          }
        }
      },
      true
    );
  }

  function enhance(root) {
    if (!root || !root.querySelectorAll) {
      return;
    }
    each(root, PICKER_SELECTOR, function (input) {
      input.setAttribute("autocomplete", "off");
      if (!input.getAttribute("placeholder")) {
        input.setAttribute("placeholder", "1404/01/01");
      }
    });
    each(root, "select[data-lookup]", startLookup);
    if (window.bootstrap) {
      each(root, ".modal[data-auto-show]", function (modal) {
        if (modal.dataset.autoShown) {
          return;
        }
        modal.dataset.autoShown = "1";
        window.bootstrap.Modal.getOrCreateInstance(modal).show();
      });
      each(root, '[data-bs-toggle="tooltip"]', function (element) {
        window.bootstrap.Tooltip.getOrCreateInstance(element);
      });
    }
  }

  function startLookup(select) {
    if (!window.TomSelect || select.tomselect) {
      return;
    }
    var parentName = select.getAttribute("data-lookup-parent");
    var form = select.form;
    var control = new window.TomSelect(select, {
      valueField: "id",
      labelField: "text",
      searchField: ["text"],
      allowEmptyOption: true,
      maxOptions: 20,
      preload: "focus",
      // Every keystroke asks the server: its search normalises Persian and Arabic letters.
      loadThrottle: 250,
      placeholder: select.getAttribute("data-placeholder") || "",
      // The server searched (with Persian normalisation): keep every row it answered.
      score: function () {
        return function () {
          return 1;
        };
      },
      load: function (query, callback) {
        var self = this;
        var params = new URLSearchParams({ q: toAsciiDigits(query || "") });
        var parent = parentName && form && form.elements[parentName];
        if (parent && parent.value) {
          params.set("parent", parent.value);
        }
        fetch(select.getAttribute("data-lookup") + "?" + params.toString(), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
          .then(function (response) {
            return response.ok ? response.json() : { results: [] };
          })
          .then(function (data) {
            if (self.inputValue() !== (query || "").trim()) {
              // An answer to an earlier text (the user typed on, or picked an option):
              // dropped, and a list the user closed is not opened again over the form.
              // Not kept as that text's answer: typed again, it asks again. (Locked while
              // Tom Select takes the empty answer, or it opens the list.)
              delete self.loadedSearches[query];
              var closed = !self.isOpen;
              if (closed) {
                self.lock();
              }
              callback();
              if (closed) {
                self.setLocked(); // back to what a disabled or read-only select asks
              }
              return;
            }
            // Only what the server found for this text (the selected option is kept).
            self.clearOptions();
            callback(data.results);
          })
          .catch(function () {
            callback();
          });
      },
    });
    var parentField = parentName && form && form.elements[parentName];
    if (parentField) {
      parentField.addEventListener("change", function () {
        control.clear();
        control.clearOptions();
        control.settings.preload = "focus";
        control.loadedSearches = {};
      });
    }
  }

  function each(root, selector, callback) {
    if (root.matches && root.matches(selector)) {
      callback(root);
    }
    Array.prototype.forEach.call(root.querySelectorAll(selector), callback);
  }

  function confirmed(element, event) {
    var message = element && element.getAttribute("data-confirm");
    if (!message || window.confirm(message)) {
      return true;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    return false;
  }

  // Capture phase: decide before htmx or any form handler sees the event.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (confirmed(event.submitter, event)) {
        confirmed(form, event);
      }
    },
    true
  );
  document.addEventListener(
    "click",
    function (event) {
      var link = event.target.closest && event.target.closest("a[data-confirm]");
      if (link) {
        confirmed(link, event);
      }
    },
    true
  );

  // A failed htmx request on a slow network should say so instead of doing nothing.
  function showRequestError() {
    var text = document.body.getAttribute("data-request-error");
    var main = document.getElementById("main");
    if (!text || !main || document.getElementById("request-error")) {
      return;
    }
    var alert = document.createElement("div");
    alert.id = "request-error";
    alert.className = "alert alert-warning alert-dismissible fade show";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", "Close");
    alert.appendChild(close);
    main.insertBefore(alert, main.firstChild);
  }
  document.addEventListener("htmx:sendError", showRequestError);
  document.addEventListener("htmx:responseError", showRequestError);
  document.addEventListener("htmx:timeout", showRequestError);

  document.addEventListener("htmx:load", function (event) {
    enhance(event.target);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    enhance(event.target);
  });

  function ready() {
    startDatePicker();
    enhance(document);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();

// A file input marked data-autosubmit sends its form as soon as a file is chosen.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (input instanceof HTMLInputElement && input.matches("input[type=file][data-autosubmit]") && input.files.length) {
    input.form.requestSubmit();
  }
});
