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

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url)
  if (!cacheable(url, event.request)) return
  event.respondWith(networkFirst(event.request))
})

async function networkFirst (request) {
  const cache = await caches.open(CACHE)
  try {
    const response = await fetch(request)
    // Keep good answers only: an error page must not replace a working board offline.
    if (response.ok && response.type === 'basic') await cache.put(request, response.clone())
    return response
  } catch (error) {
    const cached = await cache.match(request)
    if (cached) return cached
    throw error
  }
}
