// Peer for bench/reliability.py: many stock y-websocket providers (yjs@13) in one process,
// each reconnecting by itself, with the provider's own backoff, when the server goes away.
// Usage: node reliability-client.mjs <serverUrl> <room> <token> <writers> <readers>
//                                    <editsPerSecond> <maxBackoffMs>
// Writers keep editing (online or not): a new note, or " +k" appended to one of their
// last notes. Readers only read. Prints one JSON line per event:
//   {"ev":"sync","c":i,"n":k}   provider i holds the server's state for the k-th time
// and answers each command line on stdin with one JSON line:
//   down    {"ev":"down","connected":n}  once no provider is connected (n: still
//           connected after 15 s)
//   seen    {"ev":"seen","notes":{id:text}}  what the readers hold, merged (the
//           longest text of each note): everything they received from the server
//   state   {"ev":"state","digests":[...],"notes":[...]}  per provider, a digest of its
//           notes (sha1 of the sorted [id, text] pairs as JSON) and their number
//   stop    {"ev":"stopped","edits":n}  writers stop editing; n: edits they made
// Closing stdin destroys every provider and exits 0. Exits 2 after an hour.
import { createHash } from 'node:crypto'
import { createInterface } from 'node:readline'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

const [serverUrl, room, token, writerCount, readerCount, rate, maxBackoff] = process.argv.slice(2)
const PADDING = ' idé på lappen'.repeat(6)
const out = (value) => process.stdout.write(JSON.stringify(value) + '\n')

// Every provider listens for the process's exit: hundreds of them are expected here.
process.setMaxListeners(0)
const clients = []
const open = (index, role) => {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(serverUrl, room, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket,
    disableBc: true,
    maxBackoffTime: Number(maxBackoff)
  })
  const client = { index, role, doc, provider, syncs: 0 }
  provider.on('sync', (synced) => {
    if (synced) {
      client.syncs += 1
      out({ ev: 'sync', c: index, n: client.syncs })
    }
  })
  clients.push(client)
  return client
}

const notesOf = (doc) => {
  const texts = {}
  for (const [id, note] of doc.getMap('notes').entries()) {
    const text = note instanceof Y.Map ? note.get('text') : undefined
    texts[id] = text === undefined ? '' : text.toString()
  }
  return texts
}

const digest = (texts) => {
  const pairs = Object.entries(texts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return createHash('sha1').update(JSON.stringify(pairs)).digest('hex')
}

let editing = true
let edits = 0
const write = (client, writer) => {
  const notes = client.doc.getMap('notes')
  const own = client.own
  if (own.length > 0 && Math.random() < 0.5) {
    const id = own[Math.floor(Math.random() * own.length)]
    const text = notes.get(id).get('text')
    client.appends += 1
    text.insert(text.length, ` +${client.appends}`)
  } else {
    client.made += 1
    const id = `w${writer}-${client.made}`
    const note = new Y.Map()
    client.doc.transact(() => {
      notes.set(id, note)
      note.set('text', new Y.Text(`${id}:${PADDING}`))
      note.set('x', 40 * writer)
      note.set('y', 10 * client.made)
      note.set('color', 'yellow')
    })
    own.push(id)
    if (own.length > 5) own.splice(0, own.length - 5)
  }
  edits += 1
}

for (let w = 0; w < Number(writerCount); w++) {
  const client = open(clients.length, 'writer')
  client.own = []
  client.appends = 0
  client.made = 0
  const tick = () => {
    if (!editing) return
    write(client, w)
    // Jittered around the rate, so the writers do not edit in lockstep.
    setTimeout(tick, (1000 / Number(rate)) * (0.5 + Math.random()))
  }
  client.provider.once('sync', () => tick())
}
for (let r = 0; r < Number(readerCount); r++) open(clients.length, 'reader')

const whenDown = (deadline) => {
  const connected = clients.filter((c) => c.provider.wsconnected).length
  if (connected === 0 || Date.now() > deadline) {
    out({ ev: 'down', connected })
  } else {
    setTimeout(() => whenDown(deadline), 10)
  }
}

const commands = {
  down: () => whenDown(Date.now() + 15000),
  seen: () => {
    const merged = {}
    for (const client of clients.filter((c) => c.role === 'reader')) {
      for (const [id, text] of Object.entries(notesOf(client.doc))) {
        if (!(id in merged) || text.length > merged[id].length) merged[id] = text
      }
    }
    out({ ev: 'seen', notes: merged })
  },
  state: () => {
    const all = clients.map((c) => notesOf(c.doc))
    out({ ev: 'state', digests: all.map(digest), notes: all.map((t) => Object.keys(t).length) })
  },
  stop: () => {
    editing = false
    out({ ev: 'stopped', edits })
  }
}

const deadline = setTimeout(() => {
  console.error('reliability-client: still running after an hour')
  process.exit(2)
}, 3600000)
const lines = createInterface({ input: process.stdin })
lines.on('line', (line) => {
  const command = commands[line.trim()]
  if (command === undefined) {
    console.error(`reliability-client: unknown command ${JSON.stringify(line)}`)
  } else {
    command()
  }
})
lines.on('close', () => {
  clearTimeout(deadline)
  editing = false
  for (const client of clients) client.provider.destroy()
  process.exit(0)
})
