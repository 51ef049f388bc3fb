// Notes laid out in a cluster's grid: tidy, and moves between clusters without a pointer.
import * as Y from 'yjs'
import { CLUSTER_MIN_SIZE, NOTE_SIZE, byPosition, change, num, roots } from './doc.js'
import { createNote, getNote, readNote } from './notes.js'
import { clusterNotes, getCluster, readCluster } from './clusters.js'

export const CLUSTER_PADDING = 24
export const CLUSTER_HEADER = 56
export const GRID_GAP = 16

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
