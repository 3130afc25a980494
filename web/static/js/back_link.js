// "返回上一页" on error pages: go back in history when there is a page to go back to (else the link's home).
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-history-back]");
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
