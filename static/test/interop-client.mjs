// Interop peer for tests/integration/test_interop.py: the stock y-websocket provider with yjs@13.
// Usage: node interop-client.mjs <serverUrl> <room> <token>
// Joins the room, adds a note, sets awareness, waits for the Python peer's note "py",
// then prints every note's text as JSON and exits. Exits non-zero after 20 s.
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
  console.error('interop-client: timed out')
  process.exit(2)
}, 20000)

const notes = doc.getMap('notes')
const texts = () => Object.fromEntries([...notes.entries()].map(([id, n]) => [id, n.get('text').toString()]))

provider.once('sync', () => {
  const note = new Y.Map()
  doc.transact(() => {
    notes.set('node', note)
    note.set('text', new Y.Text('från node'))
    note.set('x', 100)
    note.set('y', 200)
    note.set('color', 'pink')
  })
  note.get('text').insert(0, 'Hej ')
  provider.awareness.setLocalStateField('user', { name: 'Node', color: '#123456' })
  const check = () => {
    if (notes.has('py') && notes.get('py').get('text').toString().endsWith('!')) {
      clearTimeout(deadline)
      console.log(JSON.stringify({ notes: texts(), title: doc.getMap('meta').get('title') }))
      provider.destroy()
      process.exit(0)
    }
  }
  notes.observeDeep(check)
  check()
})
