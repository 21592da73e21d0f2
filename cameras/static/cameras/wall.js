// Command-centre wall: full-screen toggle and live "seconds ago" labels between refreshes.
(function () {
  "use strict";
  function tick() {
    var nowSeconds = Date.now() / 1000;
    document.querySelectorAll("[data-captured]").forEach(function (el) {
      var age = Math.max(0, Math.round(nowSeconds - Number(el.dataset.captured)));
      var label = age < 120 ? age + " dtk" : Math.round(age / 60) + " mnt";
      if (document.documentElement.lang === "en") {
        label = age < 120 ? age + " s ago" : Math.round(age / 60) + " min ago";
      } else {
        label += " lalu";
      }
      el.textContent = label;
      el.classList.toggle("is-stale", age > 300);
    });
  }
  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-fullscreen]")) return;
    var wall = document.documentElement;
    if (document.fullscreenElement) document.exitFullscreen();
    else if (wall.requestFullscreen) wall.requestFullscreen();
  });
  setInterval(tick, 5000);
})();
