/* Image attachments in the thread (workspace/_message.html): a click on a thumbnail opens the
 * image large in a dialog (Esc or a click outside closes it, focus returns to the thumbnail),
 * with a link to download it. Without this script the thumbnail's link opens the image in a
 * new tab. Loaded by workspace/_conversation_pane.html; a second load does nothing.
 */
(function () {
  "use strict";
  if (window.storedeskThreadImages) return;
  window.storedeskThreadImages = true;

  var opener = null;

  function viewer() {
    var dialog = document.getElementById("image-viewer");
    if (dialog) return dialog;
    var strings = document.getElementById("conversation-strings");
    var data = (strings && strings.dataset) || {};
    dialog = document.createElement("dialog");
    dialog.id = "image-viewer";
    dialog.className = "image-viewer";
    var bar = document.createElement("div");
    bar.className = "image-viewer-bar";
    var download = document.createElement("a");
    download.dataset.viewerDownload = "";
    download.setAttribute("download", "");
    download.textContent = data.imageDownload || "Download";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = data.imageClose || "Close";
    close.addEventListener("click", function () { dialog.close(); });
    bar.appendChild(download);
    bar.appendChild(close);
    var img = document.createElement("img");
    img.dataset.viewerImage = "";
    dialog.appendChild(bar);
    dialog.appendChild(img);
    dialog.addEventListener("click", function (event) { if (event.target === dialog) dialog.close(); });
    // Esc closes it here: the page's own Esc shortcut must not see (and swallow) the key.
    dialog.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      event.preventDefault();
      event.stopPropagation();
      dialog.close();
    });
    dialog.addEventListener("close", function () {
      img.removeAttribute("src");
      if (opener && document.contains(opener)) opener.focus();
      opener = null;
    });
    document.body.appendChild(dialog);
    return dialog;
  }

  document.addEventListener("click", function (event) {
    var t = event.target;
    var link = t instanceof Element && t.closest("a[data-image-viewer]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    var dialog = viewer();
    if (typeof dialog.showModal !== "function") return; // the link opens a new tab
    event.preventDefault();
    var img = dialog.querySelector("[data-viewer-image]");
    var thumb = link.querySelector("img");
    img.src = link.href;
    img.alt = thumb ? thumb.alt : "";
    dialog.querySelector("[data-viewer-download]").href = link.dataset.download || link.href;
    opener = link;
    dialog.showModal();
  });
})();
