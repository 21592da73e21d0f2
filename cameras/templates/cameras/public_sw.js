// Service worker of the public page: the shell and the last pictures stay readable offline.
// Pages and camera data: network first (fresh when online), cache as the fallback.
const CACHE = "km-publik-v1";
const SHELL = [{% for url in shell %}"{{ url|escapejs }}", {% endfor %}"{{ offline_url|escapejs }}"];
const OFFLINE = "{{ offline_url|escapejs }}";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() =>
        caches.match(request).then((hit) => hit || (request.mode === "navigate" ? caches.match(OFFLINE) : Response.error()))
      )
  );
});
