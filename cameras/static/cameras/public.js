// Public page: refresh pictures every 30-60 s while visible; register the service worker.
(function () {
  "use strict";
  var script = document.currentScript;
  if ("serviceWorker" in navigator && script) {
    navigator.serviceWorker.register(script.dataset.sw, { scope: script.dataset.scope }).catch(function () {});
  }
  function refresh(list) {
    if (document.hidden) return;  // a phone in a pocket spends no data
    fetch(list.dataset.feed, { credentials: "omit" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        var updated = document.getElementById("updated");
        if (updated) updated.textContent = data.updated;
        data.cameras.forEach(function (camera) {
          var item = document.getElementById("kamera-" + camera.id);
          if (!item) return;
          var img = item.querySelector("img");
          if (img && camera.picture && img.getAttribute("src") !== camera.picture) img.setAttribute("src", camera.picture);
          var crowd = item.querySelector("[data-crowd]");
          if (crowd) { crowd.textContent = camera.crowd_label; crowd.className = "crowd crowd-" + (camera.crowd || "unknown"); }
          var status = item.querySelector("[data-status]");
          if (status && camera.status) { status.textContent = camera.status; status.className = camera.status_class; }
        });
      })
      .catch(function () {});
  }
  document.addEventListener("DOMContentLoaded", function () {
    var list = document.getElementById("public-cameras");
    if (!list) return;
    var seconds = Math.min(60, Math.max(30, Number(list.dataset.refresh) || 45));
    setInterval(function () { refresh(list); }, seconds * 1000);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(list); });
  });
})();
