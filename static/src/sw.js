// Service worker: the board page and its bundle stay loadable when the network is gone.
// Network first, so people always get the newest page and client when online; the cache
// only answers when the network cannot. Board content itself lives in IndexedDB
// (y-indexeddb), not here. Served at /sw.js with `Service-Worker-Allowed: /`.
const CACHE = 'samsyn-pages-v1'

// Only pages and the client bundle: never the API, websockets or exports.
function cacheable (url, request) {
  if (request.method !== 'GET' || url.origin !== self.location.origin) return false
  if (url.pathname.startsWith('/static/dist/')) return true
  return request.mode === 'navigate' && /^\/b\/[^/]+(\/wall)?$/.test(url.pathname)
}

self.addEventListener('install', () => self.skipWaiting())

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name)
    await self.clients.claim()
  })())
})

// The page that registered us was loaded before we could see it: it sends its own URL and
// its bundle so that the very next reload works offline.
self.addEventListener('message', (event) => {
  const urls = event.data && event.data.type === 'cache' ? event.data.urls : []
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE)
    for (const href of urls) {
      const url = new URL(href, self.location.origin)
      const request = new Request(url, { credentials: 'same-origin' })
      if (url.origin !== self.location.origin) continue
      if (!url.pathname.startsWith('/static/dist/') && !/^\/b\/[^/]+(\/wall)?$/.test(url.pathname)) continue
      if (await cache.match(request, { ignoreVary: true })) continue
      try {
        const response = await fetch(request)
        if (response.ok && !response.redirected) await cache.put(request, response)
      } catch { /* offline already: nothing to add */ }
    }
  })())
})

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url)
  if (!cacheable(url, event.request)) return
  event.respondWith(networkFirst(event.request))
})

// Pages are stored under their path alone: a link that carries a key (`?key=…`, traded
// for a cookie by the server) must never leave that key in the device's cache storage.
function cacheKey (request) {
  const url = new URL(request.url)
  return url.search ? url.origin + url.pathname : request
}

async function networkFirst (request) {
  const cache = await caches.open(CACHE)
  try {
    const response = await fetch(request)
    // Keep good answers only: an error page must not replace a working board offline.
    if (response.ok && response.type === 'basic') await cache.put(cacheKey(request), response.clone())
    return response
  } catch (error) {
    // Gzip adds `Vary: Accept-Encoding`; the stored copy is right whatever the encoding.
    const cached = await cache.match(cacheKey(request), { ignoreVary: true })
    if (cached) return cached
    throw error
  }
}
