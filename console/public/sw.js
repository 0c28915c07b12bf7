/*
 * Adds the signed-in token to the console's media requests (<img>, <video>, <audio>, <iframe> of
 * /api/v1/storage/stream/…), which a page cannot give headers to: the token stays out of every URL,
 * and Range requests pass through unchanged, so video seeking works.
 */
let token = null;

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'token') token = event.data.token || null;
});

async function askClient(clientId) {
  const client = clientId ? await self.clients.get(clientId) : null;
  const candidates = client ? [client] : await self.clients.matchAll({ type: 'window' });
  for (const c of candidates) {
    const answer = await new Promise((resolve) => {
      const channel = new MessageChannel();
      const timer = setTimeout(() => resolve(null), 1000);
      channel.port1.onmessage = (e) => {
        clearTimeout(timer);
        resolve(e.data && e.data.token);
      };
      c.postMessage({ type: 'token?' }, [channel.port2]);
    });
    if (answer) return answer;
  }
  return null;
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin || event.request.method !== 'GET') return;
  if (!url.pathname.startsWith('/api/v1/storage/stream/')) return;
  if (event.request.headers.has('authorization')) return;
  event.respondWith(
    (async () => {
      token = token || (await askClient(event.clientId || event.resultingClientId));
      const headers = new Headers(event.request.headers);
      if (token) headers.set('Authorization', `Bearer ${token}`);
      return fetch(url.href, { headers, credentials: 'omit', cache: 'no-store' });
    })(),
  );
});
