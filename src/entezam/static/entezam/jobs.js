/*
 * Background jobs: the upload form and the live progress bar of a job page.
 *
 *   <form data-job-upload data-too-large="...">   checks the chosen file's size against the
 *     <input type="file" data-max-bytes="...">     input's data-max-bytes before uploading,
 *     <div data-job-upload-error hidden>           shows the message there, and disables the
 *     <button data-job-upload-submit>              submit button (with its spinner) once sent.
 *
 *   <div id="job-progress" hx-get=... hx-trigger="every 1s">   htmx polls the fragment; here
 *     .progress-bar[data-percent]                              the bar's width and its
 *                                                              aria-valuenow follow
 *                                                              data-percent after each swap.
 * No inline script: the Content-Security-Policy forbids it.
 */
(function () {
  "use strict";

  function fileTooLarge(form) {
    var input = form.querySelector("input[type=file][data-max-bytes]");
    if (!input || !input.files || !input.files.length) {
      return false;
    }
    return input.files[0].size > Number(input.getAttribute("data-max-bytes"));
  }

  function showUploadError(form, text) {
    var box = form.querySelector("[data-job-upload-error]");
    if (!box) {
      return;
    }
    box.textContent = text || "";
    box.hidden = !text;
  }

  function setUpUploadForm(form) {
    var input = form.querySelector("input[type=file]");
    if (input) {
      input.addEventListener("change", function () {
        showUploadError(form, fileTooLarge(form) ? form.getAttribute("data-too-large") : "");
      });
    }
    form.addEventListener("submit", function (event) {
      if (fileTooLarge(form)) {
        event.preventDefault();
        showUploadError(form, form.getAttribute("data-too-large"));
        return;
      }
      var button = form.querySelector("[data-job-upload-submit]");
      if (button) {
        // Disabled after this tick, so the button's own submission still goes through.
        window.setTimeout(function () {
          button.disabled = true;
          var spinner = button.querySelector(".spinner-border");
          if (spinner) {
            spinner.hidden = false;
          }
        }, 0);
      }
    });
  }

  function syncProgress(root) {
    if (!root || !root.querySelectorAll) {
      return;
    }
    root.querySelectorAll(".progress-bar[data-percent]").forEach(function (bar) {
      var percent = Math.max(0, Math.min(100, Number(bar.getAttribute("data-percent")) || 0));
      bar.style.width = percent + "%";
      var track = bar.closest(".progress");
      if (track) {
        track.setAttribute("aria-valuenow", String(percent));
      }
    });
  }

  function start() {
    document.querySelectorAll("form[data-job-upload]").forEach(setUpUploadForm);
    syncProgress(document);
    document.body.addEventListener("htmx:afterSwap", function (event) {
      var target = document.getElementById("job-progress") || event.detail.target;
      syncProgress(target);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
