// Suggestions as the user types: fills the search box's <datalist> from /search/suggest/ (pinyin and initials too).
(function () {
  var input = document.getElementById("q");
  if (!input || !window.fetch) return;
  var list = document.getElementById("q-suggestions");
  var timer = null, last = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var value = input.value.trim();
      if (!value || value === last) return;
      last = value;
      fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(value))
        .then(function (r) { return r.json(); })
        .then(function (data) {
          list.innerHTML = "";
          data.suggestions.forEach(function (s) {
            var option = document.createElement("option");
            option.value = s.title;
            list.appendChild(option);
          });
        }).catch(function () {});
    }, 120);
  });
})();
