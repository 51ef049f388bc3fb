// What the board's selection commands do to the doc: move, duplicate, delete, group.
import { NOTE_SIZE, change, newId, num } from './doc.js'
import { createNote, deleteNote, getNote, placeNote, readNote } from './notes.js'
import { clusterNotes, createCluster, deleteCluster, moveCluster } from './clusters.js'
import { sectionAt, sectionBox } from './sections.js'
import { writeClusterLayout } from './grid.js'
import { CLUSTER_HEADER, LAYOUT_PAD, boardLayout, clusterSize, freeSpot, occupiedBoxes, settleBoard } from './layout.js'

/**
 * Move clusters (with their notes) and loose notes by the same offset, as one change.
 * Clusters move first, so a note dropped with them lands in its cluster's new place; each
 * other note then joins whatever cluster or section is under its centre.
 */
export function moveItems (doc, { notes = [], clusters = [] }, dx, dy) {
  const moved = new Set()
  // From where each cluster is drawn, not its stored wish: what people dragged is what they saw.
  const layout = boardLayout(doc)
  change(doc, () => {
    for (const id of clusters) {
      const box = layout.clusters.get(id)
      if (!box) continue
      for (const noteId of clusterNotes(doc, id)) moved.add(noteId)
      moveCluster(doc, id, Math.max(0, box.x + dx), Math.max(0, box.y + dy))
    }
    for (const id of notes) {
      if (moved.has(id)) continue
      const note = getNote(doc, id)
      if (!note) continue
      placeNote(doc, id, Math.max(0, num(note.get('x')) + dx), Math.max(0, num(note.get('y')) + dy))
    }
    const touched = new Set(clusters)
    for (const id of notes) {
      const cluster = getNote(doc, id)?.get('cluster')
      if (cluster) touched.add(cluster)
    }
    writeClusterLayout(doc, [...touched])
    settleBoard(doc)
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

/**
 * Put notes into a new cluster in free space of their section, as near to where they lie
 * as it fits (never on top of another cluster or the section's title); returns its id or null.
 */
export function groupIntoCluster (doc, ids, { title = '', color = undefined, id = newId() } = {}) {
  const found = ids.map((noteId) => [noteId, getNote(doc, noteId)]).filter(([, note]) => note)
  if (found.length === 0) return null
  const members = new Set(found.map(([noteId]) => noteId))
  const layout = boardLayout(doc)
  const boxes = found.map(([noteId, note]) => layout.notes.get(noteId) || { x: num(note.get('x')), y: num(note.get('y')) })
  const wish = { x: Math.min(...boxes.map((b) => b.x)) - LAYOUT_PAD, y: Math.min(...boxes.map((b) => b.y)) - CLUSTER_HEADER }
  const first = boxes[0]
  const section = sectionAt(doc, first.x + NOTE_SIZE.w / 2, first.y + NOTE_SIZE.h / 2)
  const size = clusterSize(found.length)
  const spot = freeSpot(wish, size.w, size.h, sectionBox(doc, section), occupiedBoxes(doc, layout, members))
  change(doc, () => {
    createCluster(doc, { id, title, x: spot.x, y: spot.y, w: size.w, h: size.h, section, ...(color ? { color } : {}) })
    for (const [, note] of found) {
      note.set('cluster', id)
      if (note.get('section') !== section) note.set('section', section)
    }
    writeClusterLayout(doc, [id])
    settleBoard(doc)
  })
  return id
}

/** A new empty cluster at the free spot of its section nearest to `at` (its centre). */
export function addClusterAt (doc, at, { id = newId() } = {}) {
  const size = clusterSize(0)
  const section = sectionAt(doc, at.x, at.y)
  const layout = boardLayout(doc)
  const spot = freeSpot({ x: at.x - size.w / 2, y: at.y - size.h / 2 }, size.w, size.h, sectionBox(doc, section), occupiedBoxes(doc, layout))
  change(doc, () => {
    createCluster(doc, { id, x: spot.x, y: spot.y, w: size.w, h: size.h, section })
    settleBoard(doc)
  })
  return id
}

/** Where a new note of this person goes: the free spot nearest to `at` (its top-left). */
export function freeNoteSpot (doc, at) {
  const section = sectionAt(doc, at.x + NOTE_SIZE.w / 2, at.y + NOTE_SIZE.h / 2)
  const box = sectionBox(doc, section)
  const spot = freeSpot(at, NOTE_SIZE.w, NOTE_SIZE.h, box, occupiedBoxes(doc, boardLayout(doc)))
  return spot
}
