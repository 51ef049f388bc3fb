// Pure mutations of the board content doc (schema 1 of DESIGN.md). No DOM, no network:
// everything here runs in node for the unit tests.
import * as Y from 'yjs'
import { diffText } from './text.js'

export const SCHEMA = 1

// Pastel note colours; dark text (#1f2328) on each has a contrast ratio above 12:1.
export const NOTE_COLORS = Object.freeze([
  { id: 'yellow', value: '#fff3a6' },
  { id: 'orange', value: '#ffd8a8' },
  { id: 'pink', value: '#ffd1e3' },
  { id: 'blue', value: '#cfe6ff' },
  { id: 'green', value: '#cdf0d2' },
  { id: 'lilac', value: '#e5d9ff' }
])
export const DEFAULT_NOTE_COLOR = NOTE_COLORS[0].value

// Notes have no size in the doc; the client draws them at this size and uses it to decide
// which cluster or section a dropped note lands in.
export const NOTE_SIZE = Object.freeze({ w: 168, h: 112 })
export const DEFAULT_CLUSTER_SIZE = Object.freeze({ w: 420, h: 300 })
export const CLUSTER_MIN_SIZE = Object.freeze({ w: 200, h: 140 })

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** A random url-safe id (base64url alphabet), 12 characters = 72 bits. */
export function newId (length = 12) {
  const bytes = new Uint8Array(length)
  globalThis.crypto.getRandomValues(bytes)
  let id = ''
  for (const b of bytes) id += ID_ALPHABET[b & 63]
  return id
}

/** The four top-level maps of the content doc. */
export function roots (doc) {
  return {
    meta: doc.getMap('meta'),
    sections: doc.getMap('sections'),
    clusters: doc.getMap('clusters'),
    notes: doc.getMap('notes')
  }
}

/** Fill in meta fields that are still missing (the server normally does this). */
export function initMeta (doc, { title = '', template = '', language = 'sv', now = Date.now() } = {}) {
  const { meta } = roots(doc)
  doc.transact(() => {
    if (!meta.has('schema')) meta.set('schema', SCHEMA)
    if (!meta.has('title')) meta.set('title', title)
    if (!meta.has('template')) meta.set('template', template)
    if (!meta.has('language')) meta.set('language', language)
    if (!meta.has('created')) meta.set('created', now)
  })
}

function finite (value, name) {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${name} must be a finite number, got ${String(value)}`)
  }
  return Math.round(value)
}

// ---------------------------------------------------------------------------------- notes

/** Create a note and return its id. */
export function createNote (doc, {
  x, y, color = DEFAULT_NOTE_COLOR, author = '', authorId = null, text = '',
  cluster = null, section = null, now = Date.now(), id = newId()
}) {
  const { notes } = roots(doc)
  const note = new Y.Map()
  doc.transact(() => {
    note.set('text', new Y.Text(text))
    note.set('x', finite(x, 'x'))
    note.set('y', finite(y, 'y'))
    note.set('color', color)
    note.set('author', author)
    if (authorId) note.set('author_id', authorId)
    note.set('cluster', cluster)
    note.set('section', section)
    note.set('created', now)
    notes.set(id, note)
  })
  return id
}

export function getNote (doc, id) {
  const note = roots(doc).notes.get(id)
  return note instanceof Y.Map ? note : null
}

/** The Y.Text of a note, created if an older or foreign client left it out. */
export function noteText (doc, id) {
  const note = getNote(doc, id)
  if (!note) return null
  let text = note.get('text')
  if (!(text instanceof Y.Text)) {
    const initial = typeof text === 'string' ? text : ''
    text = new Y.Text(initial)
    note.set('text', text)
  }
  return text
}

/** Replace a note's text with `value`, touching only the changed span. */
export function setNoteText (doc, id, value) {
  const ytext = noteText(doc, id)
  if (!ytext) return false
  return applyTextChange(doc, ytext, value)
}

/** Apply the minimal delete+insert that turns `ytext` into `value`. */
export function applyTextChange (doc, ytext, value) {
  const change = diffText(ytext.toString(), value)
  if (!change) return false
  doc.transact(() => {
    if (change.remove > 0) ytext.delete(change.index, change.remove)
    if (change.insert) ytext.insert(change.index, change.insert)
  })
  return true
}

export function moveNote (doc, id, x, y) {
  const note = getNote(doc, id)
  if (!note) return false
  doc.transact(() => {
    note.set('x', finite(x, 'x'))
    note.set('y', finite(y, 'y'))
  })
  return true
}

/**
 * Move a note and assign it to the cluster and section under its centre.
 * A note belongs to a cluster only through its `cluster` field; dropping it is how
 * people put it there, so the drop decides membership.
 */
export function placeNote (doc, id, x, y) {
  const note = getNote(doc, id)
  if (!note) return false
  const cx = x + NOTE_SIZE.w / 2
  const cy = y + NOTE_SIZE.h / 2
  const cluster = clusterAt(doc, cx, cy)
  const section = cluster ? clusterSection(doc, cluster) ?? sectionAt(doc, cx, cy) : sectionAt(doc, cx, cy)
  doc.transact(() => {
    note.set('x', finite(x, 'x'))
    note.set('y', finite(y, 'y'))
    if (note.get('cluster') !== cluster) note.set('cluster', cluster)
    if (note.get('section') !== section) note.set('section', section)
  })
  return true
}

export function recolorNote (doc, id, color) {
  const note = getNote(doc, id)
  if (!note) return false
  if (note.get('color') !== color) note.set('color', color)
  return true
}

export function setNoteCluster (doc, id, clusterId) {
  const note = getNote(doc, id)
  if (!note) return false
  note.set('cluster', clusterId)
  return true
}

export function deleteNote (doc, id) {
  const { notes } = roots(doc)
  if (!notes.has(id)) return false
  notes.delete(id)
  return true
}

/** A plain snapshot of one note, tolerant of missing fields. */
export function readNote (id, note) {
  const text = note.get('text')
  return {
    id,
    text: text instanceof Y.Text ? text.toString() : String(text ?? ''),
    x: num(note.get('x')),
    y: num(note.get('y')),
    color: str(note.get('color')) || DEFAULT_NOTE_COLOR,
    author: str(note.get('author')),
    authorId: note.get('author_id') ?? null,
    cluster: note.get('cluster') ?? null,
    section: note.get('section') ?? null,
    created: num(note.get('created'))
  }
}

// ------------------------------------------------------------------------------- clusters

export function createCluster (doc, {
  x, y, w = DEFAULT_CLUSTER_SIZE.w, h = DEFAULT_CLUSTER_SIZE.h, color = NOTE_COLORS[3].value,
  title = '', section = undefined, id = newId()
}) {
  const { clusters } = roots(doc)
  const cluster = new Y.Map()
  const inSection = section === undefined ? sectionAt(doc, x + w / 2, y + h / 2) : section
  doc.transact(() => {
    cluster.set('title', new Y.Text(title))
    cluster.set('x', finite(x, 'x'))
    cluster.set('y', finite(y, 'y'))
    cluster.set('w', finite(w, 'w'))
    cluster.set('h', finite(h, 'h'))
    cluster.set('color', color)
    cluster.set('section', inSection)
    clusters.set(id, cluster)
  })
  return id
}

export function getCluster (doc, id) {
  const cluster = roots(doc).clusters.get(id)
  return cluster instanceof Y.Map ? cluster : null
}

export function clusterTitle (doc, id) {
  const cluster = getCluster(doc, id)
  if (!cluster) return null
  let title = cluster.get('title')
  if (!(title instanceof Y.Text)) {
    title = new Y.Text(typeof title === 'string' ? title : '')
    cluster.set('title', title)
  }
  return title
}

export function setClusterTitle (doc, id, value) {
  const ytext = clusterTitle(doc, id)
  if (!ytext) return false
  return applyTextChange(doc, ytext, value)
}

/** Move a cluster and every note that belongs to it by the same offset. */
export function moveCluster (doc, id, x, y) {
  const cluster = getCluster(doc, id)
  if (!cluster) return false
  const dx = Math.round(x) - num(cluster.get('x'))
  const dy = Math.round(y) - num(cluster.get('y'))
  const section = sectionAt(doc, x + num(cluster.get('w')) / 2, y + num(cluster.get('h')) / 2)
  doc.transact(() => {
    cluster.set('x', finite(x, 'x'))
    cluster.set('y', finite(y, 'y'))
    if (cluster.get('section') !== section) cluster.set('section', section)
    for (const note of roots(doc).notes.values()) {
      if (!(note instanceof Y.Map) || note.get('cluster') !== id) continue
      note.set('x', num(note.get('x')) + dx)
      note.set('y', num(note.get('y')) + dy)
      if (note.get('section') !== section) note.set('section', section)
    }
  })
  return true
}

export function resizeCluster (doc, id, w, h) {
  const cluster = getCluster(doc, id)
  if (!cluster) return false
  doc.transact(() => {
    cluster.set('w', Math.max(CLUSTER_MIN_SIZE.w, finite(w, 'w')))
    cluster.set('h', Math.max(CLUSTER_MIN_SIZE.h, finite(h, 'h')))
  })
  return true
}

export function recolorCluster (doc, id, color) {
  const cluster = getCluster(doc, id)
  if (!cluster) return false
  if (cluster.get('color') !== color) cluster.set('color', color)
  return true
}

/** Delete a cluster; its notes stay where they are, no longer in any cluster. */
export function deleteCluster (doc, id) {
  const { clusters, notes } = roots(doc)
  if (!clusters.has(id)) return false
  doc.transact(() => {
    for (const note of notes.values()) {
      if (note instanceof Y.Map && note.get('cluster') === id) note.set('cluster', null)
    }
    clusters.delete(id)
  })
  return true
}

export function readCluster (id, cluster) {
  const title = cluster.get('title')
  return {
    id,
    title: title instanceof Y.Text ? title.toString() : String(title ?? ''),
    x: num(cluster.get('x')),
    y: num(cluster.get('y')),
    w: num(cluster.get('w')) || DEFAULT_CLUSTER_SIZE.w,
    h: num(cluster.get('h')) || DEFAULT_CLUSTER_SIZE.h,
    color: str(cluster.get('color')) || NOTE_COLORS[3].value,
    section: cluster.get('section') ?? null
  }
}

/** The id of the topmost cluster containing the point, or null. */
export function clusterAt (doc, x, y) {
  let hit = null
  for (const [id, cluster] of roots(doc).clusters) {
    if (!(cluster instanceof Y.Map)) continue
    const c = readCluster(id, cluster)
    if (x >= c.x && x <= c.x + c.w && y >= c.y && y <= c.y + c.h) hit = id
  }
  return hit
}

function clusterSection (doc, id) {
  const cluster = getCluster(doc, id)
  return cluster ? cluster.get('section') ?? null : null
}

/** Ids of the notes whose `cluster` field names this cluster. */
export function clusterNotes (doc, id) {
  const ids = []
  for (const [noteId, note] of roots(doc).notes) {
    if (note instanceof Y.Map && note.get('cluster') === id) ids.push(noteId)
  }
  return ids
}

// ------------------------------------------------------------------------------- sections

export function createSection (doc, { title = '', prompt = '', x, y, w, h, order = 0, id = newId() }) {
  const { sections } = roots(doc)
  const section = new Y.Map()
  doc.transact(() => {
    section.set('title', title)
    section.set('prompt', prompt)
    section.set('x', finite(x, 'x'))
    section.set('y', finite(y, 'y'))
    section.set('w', finite(w, 'w'))
    section.set('h', finite(h, 'h'))
    section.set('order', order)
    sections.set(id, section)
  })
  return id
}

export function readSection (id, section) {
  return {
    id,
    title: str(section.get('title')),
    prompt: str(section.get('prompt')),
    x: num(section.get('x')),
    y: num(section.get('y')),
    w: num(section.get('w')),
    h: num(section.get('h')),
    order: num(section.get('order'))
  }
}

/** The id of the section containing the point, or null (lowest `order` wins on overlap). */
export function sectionAt (doc, x, y) {
  let best = null
  for (const [id, section] of roots(doc).sections) {
    if (!(section instanceof Y.Map)) continue
    const s = readSection(id, section)
    if (x >= s.x && x <= s.x + s.w && y >= s.y && y <= s.y + s.h) {
      if (!best || s.order < best.order) best = s
    }
  }
  return best ? best.id : null
}

// ------------------------------------------------------------------------------- geometry

/** The bounding box of everything on the board, or null when it is empty. */
export function contentBounds (doc) {
  const { sections, clusters, notes } = roots(doc)
  let box = null
  const grow = (x, y, w, h) => {
    if (!box) box = { x0: x, y0: y, x1: x + w, y1: y + h }
    else {
      box.x0 = Math.min(box.x0, x); box.y0 = Math.min(box.y0, y)
      box.x1 = Math.max(box.x1, x + w); box.y1 = Math.max(box.y1, y + h)
    }
  }
  for (const [id, s] of sections) if (s instanceof Y.Map) { const r = readSection(id, s); grow(r.x, r.y, r.w, r.h) }
  for (const [id, c] of clusters) if (c instanceof Y.Map) { const r = readCluster(id, c); grow(r.x, r.y, r.w, r.h) }
  for (const [id, n] of notes) if (n instanceof Y.Map) { const r = readNote(id, n); grow(r.x, r.y, NOTE_SIZE.w, NOTE_SIZE.h) }
  return box
}

function num (value) {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0
}

function str (value) {
  return typeof value === 'string' ? value : ''
}
