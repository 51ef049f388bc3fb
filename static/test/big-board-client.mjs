// Peer for tests/integration/test_big_frames.py: the stock y-websocket provider joins a
// big board. Usage: node big-board-client.mjs <serverUrl> <room> <token>
// Prints {"notes", "chars"} (the notes and the characters of their texts) once synced,
// and exits. Exits non-zero after 20 s.
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

const [serverUrl, room, token] = process.argv.slice(2)
const doc = new Y.Doc()
const provider = new WebsocketProvider(serverUrl, room, doc, {
  params: { token },
  WebSocketPolyfill: WebSocket,
  disableBc: true
})
const deadline = setTimeout(() => {
  console.error('big-board-client: timed out')
  process.exit(2)
}, 20000)
provider.once('sync', () => {
  clearTimeout(deadline)
  let chars = 0
  const notes = doc.getMap('notes')
  for (const note of notes.values()) chars += note.get('text').toString().length
  console.log(JSON.stringify({ notes: notes.size, chars }))
  provider.destroy()
  process.exit(0)
})
