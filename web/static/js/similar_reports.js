// The similar-reports panel on the centre's assessment task: fetched after the page, as HTML.
(function () {
  var box = document.getElementById("similar-reports");
  if (!box) return;
  fetch(box.dataset.src, {credentials: "same-origin"})
    .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
    .then(function (html) { box.innerHTML = html; })
    .catch(function () { box.innerHTML = '<p class="hint-box">相似报送暂时无法加载。</p>'; });
})();
