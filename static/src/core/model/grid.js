// Notes in a cluster's grid. Where a clustered note is drawn is derived (layout.js); these
// write that derived place into the doc too, so exports and older clients that read a
// note's x, y see the same tidy grid, and move notes between clusters without a pointer.
import { NOTE_SIZE, change, num, roots } from './doc.js'
import { createNote, getNote } from './notes.js'
import { getCluster } from './clusters.js'
import {
  CLUSTER_HEADER, LAYOUT_GAP, LAYOUT_PAD, boardLayout, clusterColumns, freeSpot, occupiedBoxes, settleBoard
} from './layout.js'

export const CLUSTER_PADDING = LAYOUT_PAD
export const GRID_GAP = LAYOUT_GAP
export { CLUSTER_HEADER }
export const gridColumns = clusterColumns

/** Board position of slot `index` in a cluster grid with `cols` columns. */
export function gridSlot (cluster, index, cols) {
  return {
    x: cluster.x + CLUSTER_PADDING + (index % cols) * (NOTE_SIZE.w + GRID_GAP),
    y: cluster.y + CLUSTER_HEADER + Math.floor(index / cols) * (NOTE_SIZE.h + GRID_GAP)
  }
}

/** Write the derived slots of the clusters' notes and the clusters' sizes into the doc. */
export function writeClusterLayout (doc, ids) {
  const layout = boardLayout(doc)
  const { notes } = roots(doc)
  change(doc, () => {
    for (const id of ids) {
      const box = layout.clusters.get(id)
      const map = getCluster(doc, id)
      if (!box || !map) continue
      for (const noteId of layout.members.get(id)) {
        const slot = layout.notes.get(noteId)
        const note = notes.get(noteId)
        if (num(note.get('x')) !== slot.x) note.set('x', slot.x)
        if (num(note.get('y')) !== slot.y) note.set('y', slot.y)
      }
      if (num(map.get('w')) !== box.w) map.set('w', box.w)
      if (num(map.get('h')) !== box.h) map.set('h', box.h)
    }
  })
  return layout
}

/** Lay a cluster's notes out in its grid and fit the cluster around them. */
export function tidyCluster (doc, id) {
  if (!getCluster(doc, id)) return false
  writeClusterLayout(doc, [id])
  return true
}

/**
 * Put a note into a cluster (or take it out with null) without a pointer: the note
 * joins the cluster's grid, which reflows. Out of its cluster, it goes to the free spot
 * nearest the cluster's right edge. This is how the outline view and the keyboard move
 * notes between clusters.
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
      note.set('cluster', clusterId)
      const section = map.get('section') ?? null
      if (note.get('section') !== section) note.set('section', section)
      writeClusterLayout(doc, [clusterId, ...(from ? [from] : [])])
      settleBoard(doc)
    } else {
      const before = boardLayout(doc)
      const old = from ? before.clusters.get(from) : null
      note.set('cluster', null)
      if (old) {
        const after = writeClusterLayout(doc, [from])
        const spot = freeSpot({ x: old.x + old.w + GRID_GAP, y: old.y }, NOTE_SIZE.w, NOTE_SIZE.h, null,
          occupiedBoxes(doc, after, new Set([noteId])))
        note.set('x', spot.x)
        note.set('y', spot.y)
      }
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
    if (map) moveNoteToCluster(doc, id, clusterId)
  })
  return id
}

