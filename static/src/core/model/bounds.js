// The board's extent, for fitting the view and following the facilitator.
import * as Y from 'yjs'
import { NOTE_SIZE, roots } from './doc.js'
import { readNote } from './notes.js'
import { readCluster } from './clusters.js'
import { readSection } from './sections.js'

/**
 * The bounding box of everything on the board, or null when it is empty. Without
 * `sections`, only clusters and notes count (follow me: sections would shrink the notes).
 */
export function contentBounds (doc, { sections: withSections = true } = {}) {
  const { sections, clusters, notes } = roots(doc)
  let box = null
  const grow = (x, y, w, h) => {
    if (!box) box = { x0: x, y0: y, x1: x + w, y1: y + h }
    else {
      box.x0 = Math.min(box.x0, x); box.y0 = Math.min(box.y0, y)
      box.x1 = Math.max(box.x1, x + w); box.y1 = Math.max(box.y1, y + h)
    }
  }
  if (withSections) for (const [id, s] of sections) if (s instanceof Y.Map) { const r = readSection(id, s); grow(r.x, r.y, r.w, r.h) }
  for (const [id, c] of clusters) if (c instanceof Y.Map) { const r = readCluster(id, c); grow(r.x, r.y, r.w, r.h) }
  for (const [id, n] of notes) if (n instanceof Y.Map) { const r = readNote(id, n); grow(r.x, r.y, NOTE_SIZE.w, NOTE_SIZE.h) }
  return box
}
