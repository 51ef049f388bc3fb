// Pure mutations of the board content doc (schema 1 of DESIGN.md). No DOM, no network:
// everything here runs in node for the unit tests.
import * as Y from 'yjs'
import { diffText } from './text.js'

export const SCHEMA = 1

/**
 * The origin of every change made by this person in this tab. The undo manager tracks only
 * this origin, so Ctrl+Z never undoes what others did (their updates arrive with the
 * provider as origin, IndexedDB's with the persistence object).
 */
export const LOCAL_ORIGIN = Symbol('samsyn-local')

/** Run `fn` as one transaction of the local person. */
export function change (doc, fn) {
  return doc.transact(fn, LOCAL_ORIGIN)
}

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
  change(doc, () => {
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
  change(doc, () => {
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
    change(doc, () => note.set('text', text))
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
  const edit = diffText(ytext.toString(), value)
  if (!edit) return false
  change(doc, () => {
    if (edit.remove > 0) ytext.delete(edit.index, edit.remove)
    if (edit.insert) ytext.insert(edit.index, edit.insert)
  })
  return true
}

export function moveNote (doc, id, x, y) {
  const note = getNote(doc, id)
  if (!note) return false
  change(doc, () => {
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
  change(doc, () => {
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
  if (note.get('color') !== color) change(doc, () => note.set('color', color))
  return true
}

export function setNoteCluster (doc, id, clusterId) {
  const note = getNote(doc, id)
  if (!note) return false
  change(doc, () => note.set('cluster', clusterId))
  return true
}

export function deleteNote (doc, id) {
  const { notes } = roots(doc)
  if (!notes.has(id)) return false
  change(doc, () => notes.delete(id))
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
  change(doc, () => {
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
    change(doc, () => cluster.set('title', title))
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
  change(doc, () => {
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
  change(doc, () => {
    cluster.set('w', Math.max(CLUSTER_MIN_SIZE.w, finite(w, 'w')))
    cluster.set('h', Math.max(CLUSTER_MIN_SIZE.h, finite(h, 'h')))
  })
  return true
}

export function recolorCluster (doc, id, color) {
  const cluster = getCluster(doc, id)
  if (!cluster) return false
  if (cluster.get('color') !== color) change(doc, () => cluster.set('color', color))
  return true
}

/** Delete a cluster; its notes stay where they are, no longer in any cluster. */
export function deleteCluster (doc, id) {
  const { clusters, notes } = roots(doc)
  if (!clusters.has(id)) return false
  change(doc, () => {
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
  change(doc, () => {
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

// ------------------------------------------------------------------- selection commands

export const CLUSTER_PADDING = 24
export const CLUSTER_HEADER = 56
export const GRID_GAP = 16

/**
 * Move clusters (with their notes) and loose notes by the same offset, as one change.
 * Clusters move first, so a note dropped with them lands in its cluster's new place; each
 * other note then joins whatever cluster or section is under its centre.
 */
export function moveItems (doc, { notes = [], clusters = [] }, dx, dy) {
  const moved = new Set()
  change(doc, () => {
    for (const id of clusters) {
      const cluster = getCluster(doc, id)
      if (!cluster) continue
      for (const noteId of clusterNotes(doc, id)) moved.add(noteId)
      moveCluster(doc, id, Math.max(0, num(cluster.get('x')) + dx), Math.max(0, num(cluster.get('y')) + dy))
    }
    for (const id of notes) {
      if (moved.has(id)) continue
      const note = getNote(doc, id)
      if (!note) continue
      placeNote(doc, id, Math.max(0, num(note.get('x')) + dx), Math.max(0, num(note.get('y')) + dy))
    }
  })
}

/** Copy notes a little down and right; returns the new ids in the same order. */
export function duplicateNotes (doc, ids, { offset = 24, now = Date.now() } = {}) {
  const created = []
  change(doc, () => {
    for (const id of ids) {
      const note = getNote(doc, id)
      if (!note) continue
      const n = readNote(id, note)
      const copy = createNote(doc, {
        x: n.x + offset, y: n.y + offset, color: n.color, author: n.author, authorId: n.authorId, text: n.text, now
      })
      placeNote(doc, copy, n.x + offset, n.y + offset)
      created.push(copy)
    }
  })
  return created
}

/** Delete notes and clusters (a cluster's notes stay, unclustered). */
export function deleteItems (doc, { notes = [], clusters = [] }) {
  change(doc, () => {
    for (const id of clusters) deleteCluster(doc, id)
    for (const id of notes) deleteNote(doc, id)
  })
}

/** Put notes into a new cluster drawn around them; returns the cluster id or null. */
export function groupIntoCluster (doc, ids, { title = '', color = undefined, id = newId() } = {}) {
  const boxes = ids.map((noteId) => getNote(doc, noteId)).filter(Boolean).map((note) => ({ x: num(note.get('x')), y: num(note.get('y')) }))
  if (boxes.length === 0) return null
  const x0 = Math.min(...boxes.map((b) => b.x)) - CLUSTER_PADDING
  const y0 = Math.min(...boxes.map((b) => b.y)) - CLUSTER_HEADER
  const x1 = Math.max(...boxes.map((b) => b.x + NOTE_SIZE.w)) + CLUSTER_PADDING
  const y1 = Math.max(...boxes.map((b) => b.y + NOTE_SIZE.h)) + CLUSTER_PADDING
  const x = Math.max(0, x0)
  const y = Math.max(0, y0)
  change(doc, () => {
    createCluster(doc, {
      id, title, x, y, w: Math.max(CLUSTER_MIN_SIZE.w, x1 - x), h: Math.max(CLUSTER_MIN_SIZE.h, y1 - y), ...(color ? { color } : {})
    })
    const section = clusterSection(doc, id)
    for (const noteId of ids) {
      const note = getNote(doc, noteId)
      if (!note) continue
      note.set('cluster', id)
      if (note.get('section') !== section) note.set('section', section)
    }
  })
  return id
}

/** Columns for `count` notes laid out in a grid: close to square, never zero. */
export function gridColumns (count) {
  return Math.max(1, Math.ceil(Math.sqrt(count)))
}

/** Board position of slot `index` in a cluster grid with `cols` columns. */
export function gridSlot (cluster, index, cols) {
  return {
    x: cluster.x + CLUSTER_PADDING + (index % cols) * (NOTE_SIZE.w + GRID_GAP),
    y: cluster.y + CLUSTER_HEADER + Math.floor(index / cols) * (NOTE_SIZE.h + GRID_GAP)
  }
}

function gridSize (count, cols) {
  const rows = Math.max(1, Math.ceil(count / cols))
  return {
    w: CLUSTER_PADDING * 2 + cols * NOTE_SIZE.w + (cols - 1) * GRID_GAP,
    h: CLUSTER_HEADER + rows * NOTE_SIZE.h + (rows - 1) * GRID_GAP + CLUSTER_PADDING
  }
}

/** Lay a cluster's notes out in a grid in reading order and fit the cluster around them. */
export function tidyCluster (doc, id) {
  const map = getCluster(doc, id)
  if (!map) return false
  const cluster = readCluster(id, map)
  const { notes } = roots(doc)
  const members = clusterNotes(doc, id)
    .map((noteId) => readNote(noteId, notes.get(noteId)))
    .sort(byPosition)
  const cols = gridColumns(members.length)
  const size = gridSize(members.length, cols)
  change(doc, () => {
    members.forEach((note, index) => {
      const slot = gridSlot(cluster, index, cols)
      const target = notes.get(note.id)
      target.set('x', slot.x)
      target.set('y', slot.y)
    })
    map.set('w', Math.max(CLUSTER_MIN_SIZE.w, size.w))
    map.set('h', Math.max(CLUSTER_MIN_SIZE.h, size.h))
  })
  return true
}

/**
 * Put a note into a cluster (or take it out with null) without a pointer: the note moves
 * to the cluster's next free grid slot, and the cluster grows to hold it. This is how the
 * outline view and the keyboard move notes between clusters.
 */
export function moveNoteToCluster (doc, noteId, clusterId) {
  const note = getNote(doc, noteId)
  if (!note) return false
  const from = note.get('cluster') ?? null
  if (from === clusterId) return true
  change(doc, () => {
    if (clusterId) {
      const map = getCluster(doc, clusterId)
      if (!map) return
      const cluster = readCluster(clusterId, map)
      const index = clusterNotes(doc, clusterId).length
      const cols = Math.max(1, Math.floor((cluster.w - CLUSTER_PADDING * 2 + GRID_GAP) / (NOTE_SIZE.w + GRID_GAP)))
      const slot = gridSlot(cluster, index, cols)
      note.set('x', slot.x)
      note.set('y', slot.y)
      note.set('cluster', clusterId)
      const section = cluster.section
      if (note.get('section') !== section) note.set('section', section)
      const needed = slot.y + NOTE_SIZE.h + CLUSTER_PADDING - cluster.y
      if (needed > cluster.h) map.set('h', needed)
    } else {
      // Out of its cluster: just right of it, stacked, so it is visibly outside.
      const old = from ? getCluster(doc, from) : null
      if (old) {
        const c = readCluster(from, old)
        const loose = [...roots(doc).notes.values()].filter((n) => n instanceof Y.Map && !n.get('cluster') &&
          num(n.get('x')) === c.x + c.w + GRID_GAP).length
        note.set('x', c.x + c.w + GRID_GAP)
        note.set('y', c.y + loose * (NOTE_SIZE.h / 2))
      }
      note.set('cluster', null)
    }
  })
  return true
}

/** Create a note inside a cluster (outline view, keyboard): returns its id. */
export function addNoteToCluster (doc, clusterId, fields = {}) {
  let id = null
  change(doc, () => {
    const map = clusterId ? getCluster(doc, clusterId) : null
    const start = map ? { x: num(map.get('x')) + CLUSTER_PADDING, y: num(map.get('y')) + CLUSTER_HEADER } : fields.at || { x: 40, y: 40 }
    id = createNote(doc, { ...fields, x: start.x, y: start.y })
    if (map) {
      getNote(doc, id).set('cluster', null)
      moveNoteToCluster(doc, id, clusterId)
    }
  })
  return id
}

function byPosition (a, b) {
  return (a.y - b.y) || (a.x - b.x) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

// ---------------------------------------------------------------------------- reading

/** Case-insensitive search of note text; ids in reading order (top to bottom, left to right). */
export function findNotes (doc, query, locale = 'sv') {
  const needle = String(query || '').trim().toLocaleLowerCase(locale)
  if (!needle) return []
  const found = []
  for (const [id, map] of roots(doc).notes) {
    if (!(map instanceof Y.Map)) continue
    const note = readNote(id, map)
    if (note.text.toLocaleLowerCase(locale).includes(needle)) found.push(note)
  }
  return found.sort(byPosition).map((note) => note.id)
}

/**
 * The board as a tree for the outline view: sections (by order) > clusters > notes, each
 * in reading order. A clustered note belongs where its cluster is; clusters and notes
 * outside every section come last, in a group with `id: null`.
 */
export function outline (doc) {
  const { sections, clusters, notes } = roots(doc)
  const groups = new Map()
  const ordered = [...sections].filter(([, s]) => s instanceof Y.Map).map(([id, s]) => readSection(id, s))
    .sort((a, b) => (a.order - b.order) || byPosition(a, b))
  for (const section of ordered) groups.set(section.id, { section, clusters: [], notes: [] })
  const rest = { section: null, clusters: [], notes: [] }
  const groupOf = (sectionId) => groups.get(sectionId) || rest

  const clusterNodes = new Map()
  const clusterList = [...clusters].filter(([, c]) => c instanceof Y.Map).map(([id, c]) => readCluster(id, c)).sort(byPosition)
  for (const cluster of clusterList) {
    const node = { cluster, notes: [] }
    clusterNodes.set(cluster.id, node)
    groupOf(cluster.section).clusters.push(node)
  }
  const noteList = [...notes].filter(([, n]) => n instanceof Y.Map).map(([id, n]) => readNote(id, n)).sort(byPosition)
  for (const note of noteList) {
    const node = note.cluster && clusterNodes.get(note.cluster)
    if (node) node.notes.push(note)
    else groupOf(note.section).notes.push(note)
  }
  const result = [...groups.values()]
  if (rest.clusters.length || rest.notes.length || result.length === 0) result.push(rest)
  return result
}
