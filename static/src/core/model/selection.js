// What the board's selection commands do to the doc: move, duplicate, delete, group.
import { CLUSTER_MIN_SIZE, NOTE_SIZE, change, newId, num } from './doc.js'
import { createNote, deleteNote, getNote, placeNote, readNote } from './notes.js'
import { clusterNotes, clusterSection, createCluster, deleteCluster, getCluster, moveCluster } from './clusters.js'
import { CLUSTER_HEADER, CLUSTER_PADDING } from './grid.js'

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
