// Peer for tests/integration/test_hardening.py: the stock y-websocket provider (yjs@13)
// with a big offline backlog. Usage: node offline-client.mjs <serverUrl> <room> <token> <notes> <chars>
// Writes <notes> notes of <chars> characters while offline, then connects; prints one JSON
// line {"bytes", "synced"} once synced, and {"closes"} (how often the socket closed) when
// stdin closes, then exits. Exits non-zero after 90 s.
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

const [serverUrl, room, token, count, chars] = process.argv.slice(2)
const doc = new Y.Doc()
const notes = doc.getMap('notes')
doc.transact(() => {
  for (let i = 0; i < Number(count); i++) {
    const note = new Y.Map()
    notes.set(`off${i}`, note)
    note.set('text', new Y.Text(`off${i} ${'skrivet utan nät '.repeat(Number(chars) / 17 + 1)}`.slice(0, Number(chars))))
    note.set('x', i)
    note.set('y', 0)
  }
})
let closes = 0
const provider = new WebsocketProvider(serverUrl, room, doc, {
  params: { token },
  WebSocketPolyfill: WebSocket,
  disableBc: true
})
provider.on('connection-close', () => { closes += 1 })
provider.once('sync', () => {
  console.log(JSON.stringify({ bytes: Y.encodeStateAsUpdate(doc).length, synced: true }))
})
const deadline = setTimeout(() => {
  console.error('offline-client: timed out')
  process.exit(2)
}, 90000)
process.stdin.on('end', () => {
  clearTimeout(deadline)
  console.log(JSON.stringify({ closes }))
  provider.destroy()
  process.exit(0)
})
process.stdin.resume()
