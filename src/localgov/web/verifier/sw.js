"use strict";
// The verification page's service worker (scope /verify): it keeps the page, its scripts, its
// font and the two signed lists, so that after one visit the page verifies with the network off.
// The server fills in VERSION (a digest of the files) and SHELL (their URLs): a new deployment
// is a new worker with a new cache, and the old cache is dropped when it takes over.
//
// - the page and the lists: from the network when it answers, kept for later; otherwise the kept
//   copy. Kept lists carry the time they were downloaded (x-localgov-fetched-at), and answers
//   from the cache say so (x-localgov-from-cache), for the page to show how old its lists are.
// - scripts, style sheet, font: from the cache of this version (they change only with it).
// - the permit log's proofs (/log/...): never kept; offline, the page says the log is unreachable.

const VERSION = "__VERSION__";
const SHELL = ["__SHELL__"];
const CACHE = `localgov-verify-${VERSION}`;
const PAGE = "/verify";
const LISTS = new Set(["/verify/trust-list.cose", "/verify/revocations.cose", "/verify/root.pem", "/verify/log.pub"]);

async function stamped(response) {
  const headers = new Headers(response.headers);
  headers.set("x-localgov-fetched-at", String(Date.now()));
  return new Response(await response.arrayBuffer(), { status: response.status, statusText: response.statusText, headers });
}

async function fromCache(cache, key) {
  const kept = await cache.match(key, { ignoreSearch: true });
  if (!kept) return Response.error();
  const headers = new Headers(kept.headers);
  headers.set("x-localgov-from-cache", "1");
  return new Response(kept.body, { status: kept.status, statusText: kept.statusText, headers });
}

async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  let response;
  try {
    // By URL: a navigation request cannot be fetched again with options of its own.
    response = await fetch(request.url, { cache: "no-cache" });
  } catch {
    return fromCache(cache, key);
  }
  if (!response.ok) return response;
  const fresh = await stamped(response);
  await cache.put(key, fresh.clone());
  return fresh;
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

async function install() {
  const cache = await caches.open(CACHE);
  await cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload" })));
  // The lists too, so that the first visit already leaves them for offline use.
  await Promise.all(
    [...LISTS].map(async (url) => {
      try {
        const response = await fetch(url, { cache: "reload" });
        if (response.ok) await cache.put(url, await stamped(response));
      } catch {
        // Not configured or not reachable: the page says so; the shell still installs.
      }
    }),
  );
}

async function activate() {
  for (const name of await caches.keys()) {
    if (name.startsWith("localgov-verify-") && name !== CACHE) await caches.delete(name);
  }
  await self.clients.claim();
}

self.addEventListener("install", (event) => {
  event.waitUntil(install().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(activate());
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === PAGE) event.respondWith(networkFirst(event.request, PAGE));
  else if (LISTS.has(url.pathname)) event.respondWith(networkFirst(event.request, url.pathname));
  else if (url.pathname.startsWith("/verify/static/")) event.respondWith(cacheFirst(event.request));
});
