// polku workbench: drag and drop from the touchpoint catalogue, printing, and the CSRF header
// for API calls made from pages. No dependencies, no build step.
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]');

  // API calls from pages carry the session's CSRF token.
  window.polkuFetch = function (url, options) {
    const opts = Object.assign({ credentials: "same-origin" }, options || {});
    opts.headers = Object.assign({}, opts.headers || {}, { "X-CSRF-Token": csrf ? csrf.content : "" });
    return fetch(url, opts);
  };

  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });

  // Catalogue chips are dragged onto a stage's drop zone; each drop adds a hidden field
  // `s{i}.add` with the catalogue id, which the server turns into a touchpoint on save.
  document.querySelectorAll(".chip[draggable]").forEach(function (chip) {
    chip.addEventListener("dragstart", function (e) {
      e.dataTransfer.setData("text/plain", chip.dataset.id);
      e.dataTransfer.effectAllowed = "copy";
    });
  });
  document.querySelectorAll(".dropzone").forEach(function (zone) {
    zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      zone.classList.remove("over");
      const id = e.dataTransfer.getData("text/plain");
      const chip = document.querySelector('.chip[data-id="' + CSS.escape(id) + '"]');
      if (!id || !chip) { return; }
      const added = document.createElement("span");
      added.className = "chip";
      added.textContent = chip.textContent;
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = zone.dataset.name;
      input.value = id;
      added.appendChild(input);
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link";
      remove.textContent = " ×";
      remove.addEventListener("click", function () { added.remove(); });
      added.appendChild(remove);
      zone.appendChild(added);
    });
  });

  // Leaving an edit form with unsaved changes asks first.
  const form = document.getElementById("map-form");
  if (form) {
    let dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (e) { if (dirty) { e.preventDefault(); } });
  }
})();
