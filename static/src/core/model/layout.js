// The board's layout as a pure function of the doc, the same on every screen.
//
// A note's place in a cluster is derived, never stored: the cluster's members in a stable
// order (created, then id) fill its grid, and the cluster's size follows from how many
// there are. So two people dropping one note into two clusters at once converge by
// construction: the `cluster` field is last-writer-wins, and every screen draws the note
// in the winner's grid (render.js animates it there).
//
// A cluster's stored x, y is a wish. Every client resolves the wishes in one stable order
// so that no cluster overlaps another or a section's title band: the first keeps its
// wish, a later one moves to the nearest free spot in its section. All screens agree
// without anyone writing. "Arrange everything" (arrangeBoard) writes a packed layout.
//
// The numbers and packBelow are the same as boards/layout.py's (the reveal's layout);
// tests/unit/test_layout_agree.py compares the two on a sample.
import * as Y from 'yjs'
import { NOTE_SIZE, change, num, roots } from './doc.js'

export const SECTION_HEADER = 160
export const LAYOUT_PAD = 24
export const LAYOUT_GAP = 16
export const CLUSTER_HEADER = 64
export const CLUSTER_MAX_COLUMNS = 4

const STRIDE_X = NOTE_SIZE.w + LAYOUT_GAP
const STRIDE_Y = NOTE_SIZE.h + LAYOUT_GAP

// At least two columns: far out, a one-column cluster would be too narrow for its name in
// readable type (render.js's semantic zoom draws the name inside the cluster).
export const CLUSTER_MIN_COLUMNS = 2

export function clusterColumns (count) {
  let cols = CLUSTER_MIN_COLUMNS
  while (cols * cols < count && cols < CLUSTER_MAX_COLUMNS) cols++
  return cols
}

/** Size of a cluster holding `count` notes (an empty one keeps room for one). */
export function clusterSize (count) {
  const cols = clusterColumns(count)
  const rows = Math.max(1, Math.ceil(count / cols))
  return {
    w: 2 * LAYOUT_PAD + cols * NOTE_SIZE.w + (cols - 1) * LAYOUT_GAP,
    h: CLUSTER_HEADER + rows * NOTE_SIZE.h + (rows - 1) * LAYOUT_GAP + LAYOUT_PAD
  }
}

/** Board position of the `index`-th note in a cluster at (x, y) holding `count`. */
export function clusterSlot (x, y, index, count) {
  const cols = clusterColumns(count)
  return {
    x: x + LAYOUT_PAD + (index % cols) * STRIDE_X,
    y: y + CLUSTER_HEADER + Math.floor(index / cols) * STRIDE_Y
  }
}

export function overlaps (a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
}

/**
 * `count` note slots inside `area`: the first cells of its grid (rows under the title
 * band, or from `top`) that touch nothing of `occupied` (as boards/layout.py
 * pack_below). The grid starts at the top, not below what is there, so holes left by
 * notes that went into a cluster are filled first. Rows continue below a full area.
 */
export function packBelow (area, occupied, count, top = null) {
  const inside = occupied.filter((r) => overlaps(r, area))
  const start = top ?? area.y + SECTION_HEADER
  const cols = Math.max(1, Math.floor((area.w - 2 * LAYOUT_PAD + LAYOUT_GAP) / STRIDE_X))
  const slots = []
  for (let index = 0; slots.length < count; index++) {
    const x = area.x + LAYOUT_PAD + (index % cols) * STRIDE_X
    const y = start + Math.floor(index / cols) * STRIDE_Y
    // A gap's width around the cell: a neighbour in the grid is just clear of it.
    const box = { x: x - LAYOUT_GAP, y: y - LAYOUT_GAP, w: NOTE_SIZE.w + 2 * LAYOUT_GAP, h: NOTE_SIZE.h + 2 * LAYOUT_GAP }
    if (!inside.some((r) => overlaps(box, r))) slots.push({ x, y })
  }
  return slots
}

const byCreated = (a, b) => (a.created - b.created) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
const byWish = (a, b) => (a.y - b.y) || (a.x - b.x) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** The sections as plain boxes, by id. */
function readSections (doc) {
  const out = new Map()
  for (const [id, s] of roots(doc).sections) {
    if (!(s instanceof Y.Map)) continue
    out.set(id, { id, x: num(s.get('x')), y: num(s.get('y')), w: num(s.get('w')), h: num(s.get('h')), order: num(s.get('order')) })
  }
  return out
}

/** Where a box of `w` x `h` may go in `section` (null: anywhere right/below of 0, 0). */
function region (section, w, h) {
  if (!section) return { x0: 0, x1: Infinity, y0: 0, bottom: Infinity }
  const x0 = section.x + LAYOUT_PAD
  return {
    x0,
    x1: Math.max(x0, section.x + section.w - LAYOUT_PAD - w),
    y0: section.y + SECTION_HEADER,
    bottom: section.y + section.h - LAYOUT_PAD - h
  }
}

/**
 * The free spot for a `w` x `h` box nearest to `wish` inside `section` (below its title
 * band), touching none of `obstacles` (with a gap). A spot below the section beats none.
 */
export function freeSpot (wish, w, h, section, obstacles) {
  const r = region(section, w, h)
  const clamp = (p) => ({ x: Math.min(r.x1, Math.max(r.x0, p.x)), y: Math.max(r.y0, p.y) })
  const blocked = (p) => {
    const box = { x: p.x - LAYOUT_GAP, y: p.y - LAYOUT_GAP, w: w + 2 * LAYOUT_GAP, h: h + 2 * LAYOUT_GAP }
    return obstacles.some((o) => overlaps(box, o))
  }
  const start = clamp(wish)
  if (!blocked(start)) return start
  const candidates = [{ x: r.x0, y: r.y0 }]
  for (const o of obstacles) {
    const right = o.x + o.w + LAYOUT_GAP
    const below = o.y + o.h + LAYOUT_GAP
    candidates.push({ x: right, y: start.y }, { x: start.x, y: below }, { x: right, y: o.y }, { x: o.x, y: below }, { x: r.x0, y: below })
  }
  let best = null
  let bestCost = Infinity
  for (const c of candidates) {
    const p = clamp(c)
    if (blocked(p)) continue
    // Spilling below the section is allowed only when nothing fits inside it.
    const cost = (p.x - start.x) ** 2 + (p.y - start.y) ** 2 + (p.y > r.bottom ? 1e12 : 0)
    if (cost < bestCost) { best = p; bestCost = cost }
  }
  if (best) return best
  const lowest = Math.max(r.y0, ...obstacles.map((o) => o.y + o.h + LAYOUT_GAP))
  return { x: start.x, y: lowest }
}

/**
 * The derived layout of the whole board: `clusters` id -> {x, y, w, h, section, count},
 * `members` cluster id -> note ids in grid order, `notes` clustered note id -> {x, y}.
 */
export function boardLayout (doc) {
  const { clusters, notes } = roots(doc)
  const sections = readSections(doc)
  const members = new Map()
  for (const id of clusters.keys()) if (clusters.get(id) instanceof Y.Map) members.set(id, [])
  for (const [id, note] of notes) {
    if (!(note instanceof Y.Map)) continue
    const list = members.get(note.get('cluster'))
    if (list) list.push({ id, created: num(note.get('created')) })
  }
  const wishes = []
  for (const [id, list] of members) {
    const map = clusters.get(id)
    list.sort(byCreated)
    const section = map.get('section')
    wishes.push({ id, x: num(map.get('x')), y: num(map.get('y')), section: sections.has(section) ? section : null, count: list.length })
  }
  wishes.sort(byWish)
  const placed = []
  const out = { clusters: new Map(), notes: new Map(), members: new Map() }
  for (const wish of wishes) {
    const size = clusterSize(wish.count)
    const spot = freeSpot(wish, size.w, size.h, sections.get(wish.section) || null, placed)
    const box = { id: wish.id, x: spot.x, y: spot.y, w: size.w, h: size.h, section: wish.section, count: wish.count }
    placed.push(box)
    out.clusters.set(wish.id, box)
    const ids = members.get(wish.id).map((m) => m.id)
    out.members.set(wish.id, ids)
    ids.forEach((noteId, index) => out.notes.set(noteId, clusterSlot(box.x, box.y, index, ids.length)))
  }
  return out
}

/** The id of the (resolved) cluster containing the point, or null. */
export function clusterAtPoint (layout, x, y) {
  for (const [id, c] of layout.clusters) {
    if (x >= c.x && x <= c.x + c.w && y >= c.y && y <= c.y + c.h) return id
  }
  return null
}

/** Everything that takes room on the board now, except `skip` (note and cluster ids). */
export function occupiedBoxes (doc, layout, skip = new Set()) {
  const boxes = []
  for (const [id, c] of layout.clusters) if (!skip.has(id)) boxes.push(c)
  for (const [id, note] of roots(doc).notes) {
    if (!(note instanceof Y.Map) || skip.has(id) || layout.notes.has(id)) continue
    boxes.push({ x: num(note.get('x')), y: num(note.get('y')), w: NOTE_SIZE.w, h: NOTE_SIZE.h })
  }
  return boxes
}

/**
 * Arrange everything: in each section, its clusters packed in rows under the title band
 * (in their current reading order), then its loose notes in a grid below them; written
 * as one change. Clustered notes get their slot written too, for exports that read x, y.
 */
export function arrangeBoard (doc) {
  const layout = boardLayout(doc)
  const sections = readSections(doc)
  const { clusters, notes } = roots(doc)
  const groups = new Map() // section id (or null) -> {clusters: [], notes: []}
  const group = (id) => {
    const key = sections.has(id) ? id : null
    if (!groups.has(key)) groups.set(key, { clusters: [], notes: [] })
    return groups.get(key)
  }
  for (const c of layout.clusters.values()) group(c.section).clusters.push(c)
  for (const [id, note] of notes) {
    if (!(note instanceof Y.Map) || layout.notes.has(id)) continue
    group(note.get('section')).notes.push({ id, x: num(note.get('x')), y: num(note.get('y')), created: num(note.get('created')) })
  }
  change(doc, () => {
    for (const [sid, g] of groups) {
      // What lies outside every section of a sectioned board stays where people put it.
      if (sid === null && sections.size) continue
      const section = sections.get(sid) || null
      const r = region(section, 0, 0)
      const right = section ? section.x + section.w - LAYOUT_PAD : r.x0 + 6 * (NOTE_SIZE.w * 4)
      const packed = []
      let x = r.x0
      let y = r.y0
      let rowBottom = y
      for (const c of g.clusters.sort(byWish)) {
        if (x > r.x0 && x + c.w > right) { x = r.x0; y = rowBottom + LAYOUT_GAP }
        const map = clusters.get(c.id)
        map.set('x', x)
        map.set('y', y)
        layout.members.get(c.id).forEach((noteId, index) => {
          const slot = clusterSlot(x, y, index, c.count)
          const note = notes.get(noteId)
          note.set('x', slot.x)
          note.set('y', slot.y)
        })
        packed.push({ x, y, w: c.w, h: c.h })
        rowBottom = Math.max(rowBottom, y + c.h)
        x += c.w + LAYOUT_GAP
      }
      const area = section || { x: r.x0 - LAYOUT_PAD, y: r.y0 - SECTION_HEADER, w: right - r.x0 + 2 * LAYOUT_PAD, h: Infinity }
      const loose = g.notes.sort(byWish)
      // Below the clusters' rows, in the first cells: no holes, whatever left the grid.
      const top = packed.length ? rowBottom + LAYOUT_GAP : null
      packBelow(area, packed, loose.length, top).forEach((slot, index) => {
        const note = notes.get(loose[index].id)
        note.set('x', slot.x)
        note.set('y', slot.y)
      })
    }
    settleBoard(doc)
  })
  return true
}

/**
 * After a person's action (a drop, G, C, arrange), write what keeps the board tidy for
 * everyone, in one change: each cluster's resolved place as its wish (so what reads
 * stored positions, exports and vote chips, sees what everyone sees); every loose note
 * that a cluster or a title band now covers moved to the nearest free spot of its
 * section; and each section grown to hold what it holds, the sections below it in the
 * same column moved down with their content so none overlaps.
 */
export function settleBoard (doc) {
  const { clusters, notes, sections: sectionMaps } = roots(doc)
  let layout = boardLayout(doc)
  const sections = readSections(doc)
  change(doc, () => {
    for (const [id, box] of layout.clusters) {
      const map = clusters.get(id)
      if (num(map.get('x')) !== box.x) map.set('x', box.x)
      if (num(map.get('y')) !== box.y) map.set('y', box.y)
    }
    const taken = [...layout.clusters.values()]
    const covered = []
    for (const [id, note] of notes) {
      if (!(note instanceof Y.Map) || layout.notes.has(id)) continue
      const box = { x: num(note.get('x')), y: num(note.get('y')), w: NOTE_SIZE.w, h: NOTE_SIZE.h }
      const section = sections.get(note.get('section')) || null
      const band = section && box.y < section.y + SECTION_HEADER && overlaps(box, section)
      if (band || taken.some((c) => overlaps(box, c))) covered.push({ id, note, section })
      else taken.push(box)
    }
    for (const { note, section } of covered) {
      const spot = freeSpot({ x: num(note.get('x')), y: num(note.get('y')) }, NOTE_SIZE.w, NOTE_SIZE.h, section, taken)
      note.set('x', spot.x)
      note.set('y', spot.y)
      taken.push({ ...spot, w: NOTE_SIZE.w, h: NOTE_SIZE.h })
    }
    layout = boardLayout(doc)
    _growSections(doc, layout, sections, sectionMaps)
  })
  return boardLayout(doc)
}

/** Each section at least as tall as its content; lower sections pushed down to match. */
function _growSections (doc, layout, sections, sectionMaps) {
  const { clusters, notes } = roots(doc)
  const contentOf = (sid) => {
    const boxes = [...layout.clusters.values()].filter((c) => c.section === sid)
    for (const [id, note] of notes) {
      if (note instanceof Y.Map && !layout.notes.has(id) && note.get('section') === sid) {
        boxes.push({ x: num(note.get('x')), y: num(note.get('y')), w: NOTE_SIZE.w, h: NOTE_SIZE.h })
      }
    }
    return boxes
  }
  const ordered = [...sections.values()].sort((a, b) => (a.y - b.y) || (a.x - b.x))
  const done = []
  for (const s of ordered) {
    // Below a grown section above it (same column): move it and its content down.
    let dy = 0
    for (const above of done) {
      const acrossOverlap = s.x < above.x + above.w && above.x < s.x + s.w
      if (acrossOverlap && above.y < s.y && s.y + dy < above.y + above.h + LAYOUT_GAP * 4) {
        dy = Math.max(dy, above.y + above.h + LAYOUT_GAP * 4 - s.y)
      }
    }
    const content = contentOf(s.id)
    if (dy > 0) {
      s.y += dy
      sectionMaps.get(s.id).set('y', s.y)
      for (const [id, c] of layout.clusters) {
        if (c.section !== s.id) continue
        c.y += dy
        clusters.get(id).set('y', c.y)
        for (const noteId of layout.members.get(id)) notes.get(noteId).set('y', num(notes.get(noteId).get('y')) + dy)
      }
      for (const box of content) if (!box.id) box.y += dy
      for (const [id, note] of notes) {
        if (note instanceof Y.Map && !layout.notes.has(id) && note.get('section') === s.id) note.set('y', num(note.get('y')) + dy)
      }
    }
    const bottom = Math.max(0, ...content.map((b) => b.y + b.h + LAYOUT_PAD))
    if (bottom > s.y + s.h) {
      s.h = bottom - s.y
      sectionMaps.get(s.id).set('h', s.h)
    }
    done.push(s)
  }
}

