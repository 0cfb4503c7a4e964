// The help center's composer tool: "Insert link" / "Insert excerpt" put text into the reply
// composer's textarea at the cursor. One delegated listener for the whole page.
(function () {
  if (window.__storedeskHelpTool) return;
  window.__storedeskHelpTool = true;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-hc-insert]");
    if (!button) return;
    event.preventDefault();
    var textarea = document.getElementById("composer-text") || document.querySelector("textarea[name=text]");
    if (!textarea) return;
    var text = button.getAttribute("data-hc-insert");
    var start = textarea.selectionStart || textarea.value.length;
    var end = textarea.selectionEnd || start;
    var before = textarea.value.slice(0, start);
    var spacer = before && !/\s$/.test(before) ? "\n" : "";
    textarea.value = before + spacer + text + textarea.value.slice(end);
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
