"use strict";
// Keeps the app and the scripts it imports, so the tablet opens and takes requests offline.
// The bundle, enrolment and sync always go to the network (the app keeps what they return).

const CACHE = "localgov-mobile-v2";
const SHELL = [
  "index.html", "app.js", "tablet.js", "forms.js", "fees.js", "qrcodegen.js", "store.js", "cbor-encode.js", "manifest.webmanifest", "app.css", "root.der",
  "../../verify/static/cbor.js", "../../verify/static/cose.js", "../../verify/static/x509.js",
  "../../verify/static/bytes.js", "../../verify/static/der.js",
  "../../assets/IBMPlexSansArabic-Regular.ttf", "../../assets/IBMPlexSansArabic-Bold.ttf",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)))).then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || /\/mobile\/(bundle|sync|enrol)/.test(new URL(request.url).pathname)) return;
  // Network first, so a new release is picked up online; the cache when offline.
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() => caches.match(request).then((hit) => hit ?? Response.error())),
  );
});
