// The session doc (DESIGN.md: phase, timer, voting, tallies, lock, follow, board, drafts,
// participants, formulera),
// read live through its own y-websocket provider. The server alone writes it; this client
// only listens. Also the server clock offset; the phase rules are core/capabilities.js.
import * as Y from 'yjs'
import { connectDoc } from '../net/connect.js'
import { capabilities } from '../core/capabilities.js'

export { capabilities }

export const PHASES = Object.freeze(['brainstorm', 'cluster', 'vote', 'discuss', 'closed'])

const DEFAULTS = Object.freeze({
  phase: { name: 'brainstorm', since: 0 },
  timer: { ends_at: null, duration_s: 0, paused_left_s: null },
  voting: { open: false, budget: 5, target: 'clusters', tallies_visible: false, round: 0, max_per_item: 0, voted: 0 },
  lock: { content: false },
  follow: { active: false, x: 0, y: 0, zoom: 1 },
  board: { anonymous: false, notes_while_voting: false, question: null },
  // The facilitator's round of drafting the themes' statements (cluster null: every theme).
  formulera: { open: false, cluster: null, started: 0 }
})

/** The session doc as plain data, with defaults for anything not (yet) there. */
export function readSession (doc) {
  const state = {}
  for (const [name, defaults] of Object.entries(DEFAULTS)) {
    state[name] = { ...defaults, ...doc.getMap(name).toJSON() }
  }
  state.voting.round = Number(state.voting.round) || 0
  if (!PHASES.includes(state.phase.name)) state.phase.name = DEFAULTS.phase.name
  state.tallies = {}
  for (const [id, count] of Object.entries(doc.getMap('tallies').toJSON())) {
    const n = Number(count)
    if (Number.isFinite(n) && n > 0) state.tallies[id] = n
  }
  state.drafts = {}
  for (const [pid, entry] of Object.entries(doc.getMap('drafts').toJSON())) {
    if (entry && typeof entry === 'object') {
      state.drafts[pid] = { name: String(entry.name || ''), count: Math.max(0, Number(entry.count) || 0) }
    }
  }
  // Who joined (participants only: not the facilitator, not the wall), and who is here now.
  state.participants = {}
  for (const [pid, entry] of Object.entries(doc.getMap('participants').toJSON())) {
    if (entry && typeof entry === 'object') {
      state.participants[pid] = { name: String(entry.name || ''), online: Boolean(entry.online) }
    }
  }
  // Whom the facilitator removed (participant id -> when): left out of every list.
  state.removed = {}
  for (const [pid, at] of Object.entries(doc.getMap('removed').toJSON())) {
    state.removed[pid] = Number(at) || 0
  }
  return state
}

/** The capabilities of `role` under a session state. */
export function capabilitiesFor (state, role) {
  return capabilities(state.phase.name, {
    locked: Boolean(state.lock.content),
    notesWhileVoting: Boolean(state.board.notes_while_voting),
    formuleraOpen: Boolean(state.formulera.open),
    facilitator: role === 'facilitator'
  })
}

/** Server clock minus local clock, from one round trip: the server read its clock halfway. */
export function clockOffset (sentAt, receivedAt, serverNow) {
  return serverNow - (sentAt + receivedAt) / 2
}

/** The server's time as this browser best knows it; re-synced every few minutes. */
export class Clock {
  constructor ({ fetchFn = (...args) => fetch(...args), now = () => Date.now() } = {}) {
    this.offset = 0
    this._fetch = fetchFn
    this._now = now
    this._timer = null
  }

  now () { return this._now() + this.offset }

  async sync () {
    // Keep the best of a few samples: the shortest round trip is the least skewed.
    let best = null
    for (let i = 0; i < 3; i++) {
      const sentAt = this._now()
      let body
      try {
        const response = await this._fetch('/api/time', { cache: 'no-store' })
        body = await response.json()
      } catch {
        return this.offset // offline: keep the last offset
      }
      const receivedAt = this._now()
      if (!Number.isFinite(body && body.now)) continue
      const rtt = receivedAt - sentAt
      if (!best || rtt < best.rtt) best = { rtt, offset: clockOffset(sentAt, receivedAt, body.now) }
    }
    if (best) this.offset = best.offset
    return this.offset
  }

  start (everyMs = 3 * 60 * 1000) {
    this.sync()
    this._timer = setInterval(() => this.sync(), everyMs)
    return this
  }

  stop () { clearInterval(this._timer) }
}

/** A live, read-only view of the session doc; listeners get (state, previous). */
export class SessionClient {
  constructor ({ config, onState = () => {}, location = window.location }) {
    this.doc = new Y.Doc()
    // The session doc is the server's alone: nobody else's awareness is of any use here.
    this.connection = connectDoc({ doc: this.doc, config, room: `${config.board_id}/session`, presence: false, onState, location })
    this.provider = this.connection.provider
    this.state = readSession(this.doc)
    this.synced = false
    this._listeners = new Set()
    this.doc.on('update', () => this._changed())
    this.provider.on('sync', (synced) => {
      if (synced && !this.synced) {
        this.synced = true
        this._changed()
      }
    })
  }

  /** Call `listener(state, previous)` on every change, and now if the state is known. */
  onChange (listener) {
    this._listeners.add(listener)
    if (this.synced) listener(this.state, null)
    return () => this._listeners.delete(listener)
  }

  _changed () {
    const previous = this.state
    this.state = readSession(this.doc)
    if (!this.synced) return
    for (const listener of this._listeners) listener(this.state, previous)
  }

  destroy () {
    this.connection.destroy()
    this.doc.destroy()
  }
}

/** Online participants first, then by name; each with their draft count (`joined`: in the
 * participants map, so one the facilitator can remove). Removed participants are left out. */
export function participantList (state, lang = 'sv') {
  const collator = new Intl.Collator(lang)
  const rows = new Map()
  const removed = state.removed || {}
  for (const [pid, entry] of Object.entries(state.participants || {})) {
    if (pid in removed) continue
    rows.set(pid, { id: pid, name: entry.name, online: entry.online, drafts: 0, joined: true })
  }
  // Drafts of someone the participants map does not know yet still count.
  for (const [pid, entry] of Object.entries(state.drafts || {})) {
    if (pid in removed) continue
    const row = rows.get(pid) || { id: pid, name: entry.name, online: false, drafts: 0, joined: false }
    row.drafts = entry.count
    if (!row.name) row.name = entry.name
    rows.set(pid, row)
  }
  return [...rows.values()].sort((a, b) =>
    (Number(b.online) - Number(a.online)) || collator.compare(a.name, b.name) || (a.id < b.id ? -1 : 1))
}

/** How many participants are connected now. */
export function onlineCount (state) {
  const removed = state.removed || {}
  return Object.entries(state.participants || {}).filter(([pid, entry]) => entry.online && !(pid in removed)).length
}
