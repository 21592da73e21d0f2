// Service worker of the public page: the shell and the last pictures stay readable offline.
// Pages and camera data: network first (fresh when online), cache as the fallback.
const CACHE = "km-publik-v2";
const SHELL = [{% for url in shell %}"{{ url|escapejs }}", {% endfor %}"{{ offline_url|escapejs }}"];
const OFFLINE = "{{ offline_url|escapejs }}";
// A camera's stills have one URL each; keep only its newest so a phone left on the page does
// not fill up with pictures.
const STILL = /\/kamera\/\d+\/\d+\.jpg$/;

async function keep(request, response) {
  const cache = await caches.open(CACHE);
  await cache.put(request, response);
  const path = new URL(request.url).pathname;
  if (!STILL.test(path)) return;
  const camera = path.replace(/\d+\.jpg$/, "");
  for (const key of await cache.keys()) {
    const other = new URL(key.url).pathname;
    if (other !== path && other.startsWith(camera)) await cache.delete(key);
  }
}

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
        if (response.ok) event.waitUntil(keep(request, response.clone()));
        return response;
      })
      .catch(() =>
        caches.match(request).then((hit) => hit || (request.mode === "navigate" ? caches.match(OFFLINE) : Response.error()))
      )
  );
});
