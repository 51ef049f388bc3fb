// Peer for tests/integration/test_hardening.py: the stock y-websocket provider on a socket
// the server has nothing to say on. Usage: node quiet-client.mjs <serverUrl> <room> <token> <speedup> <ms>
// y-websocket reconnects when it received nothing for messageReconnectTimeout (30 s, a
// constant of the module): this peer runs its clock (Date.now, which lib0's time reads)
// <speedup> times faster, so <ms> of real time cover <ms * speedup> of the client's. It
// prints {"closes", "clientSeconds"} after <ms> and exits.
// Static imports run first and lib0 keeps `getUnixTime = Date.now` at load: the clock is
// replaced before anything is imported.
const [serverUrl, room, token, speedup, ms] = process.argv.slice(2)
const realNow = Date.now
const start = realNow()
Date.now = () => start + (realNow() - start) * Number(speedup)
const { default: WebSocket } = await import('ws')
const Y = await import('yjs')
const { WebsocketProvider } = await import('y-websocket')

const provider = new WebsocketProvider(serverUrl, room, new Y.Doc(), {
  params: { token },
  WebSocketPolyfill: WebSocket,
  disableBc: true
})
let closes = 0
provider.on('connection-close', () => { closes += 1 })
setTimeout(() => {
  console.log(JSON.stringify({ closes, clientSeconds: (Date.now() - start) / 1000 }))
  provider.destroy()
  process.exit(0)
}, Number(ms))
