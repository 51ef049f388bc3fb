// Pointer gestures on the board, one small object each (as tldraw's state nodes): the
// press that starts one picks the class, and the gesture gets its pointer's moves, its
// release or a cancel. Input owns the current gesture; nothing else keeps mode strings.
import * as Y from 'yjs'
import * as model from '../core/model.js'
import * as cam from '../core/camera.js'

const DRAG_THRESHOLD = 4 // px before a press becomes a drag rather than a click

/** What every gesture answers: pointer moves, whether an up ends it, the up, a cancel. */
class Gesture {
  allowsPinch = true // a second finger turns it into a Pinch

  move () {}
  ends () { return true }
  up () {}
  cancel () {}
}

/** One pointer's press: a click until it moves DRAG_THRESHOLD px, a drag after. */
class Press extends Gesture {
  constructor (input, event) {
    super()
    this.input = input
    this.pointerId = event.pointerId
    this.startX = event.clientX
    this.startY = event.clientY
    this.moved = false
    try { input.viewport.setPointerCapture(event.pointerId) } catch { /* pointer already gone */ }
  }

  move (event, board) {
    if (event.pointerId !== this.pointerId) return
    const sx = event.clientX - this.startX
    const sy = event.clientY - this.startY
    if (!this.moved && Math.hypot(sx, sy) < DRAG_THRESHOLD) return
    this.moved = true
    const zoom = this.input.renderer.camera.zoom
    this.drag({ sx, sy, dx: Math.round(sx / zoom), dy: Math.round(sy / zoom), board })
  }

  /** True when this pointer event ends the gesture. */
  ends (event) { return event.pointerId === this.pointerId }

  drag () {}
}

/** Background drag (or middle button, or space held): pans; a plain click drops the selection. */
export class Pan extends Press {
  constructor (input, event, { background }) {
    super(input, event)
    this.background = background
    this.startCamera = { ...input.renderer.camera }
  }

  drag ({ sx, sy }) {
    this.input.cameraTouched = true
    this.input.setCamera({ ...this.startCamera, x: this.startCamera.x + sx, y: this.startCamera.y + sy })
  }

  up () {
    if (this.moved || !this.background) return
    this.input.stopEditing()
    this.input.select(null)
  }
}

/** Two fingers: zoom around their midpoint. Ends when fewer than two are down. */
export class Pinch extends Gesture {
  constructor (input) {
    super()
    this.input = input
    const [a, b] = [...input.pointers.values()]
    this.startDist = Math.hypot(a.x - b.x, a.y - b.y) || 1
    this.startCamera = { ...input.renderer.camera }
  }

  move () {
    const input = this.input
    const [a, b] = [...input.pointers.values()]
    if (!a || !b) return
    const rect = input.viewport.getBoundingClientRect()
    const dist = Math.hypot(a.x - b.x, a.y - b.y)
    const mx = (a.x + b.x) / 2 - rect.left
    const my = (a.y + b.y) / 2 - rect.top
    input.cameraTouched = true
    input.setCamera(cam.zoomAt(this.startCamera, this.startCamera.zoom * dist / this.startDist, mx, my))
  }

  ends () { return this.input.pointers.size < 2 }
}

/** Shift-drag or the select tool on the background: a box selects what it touches. */
export class BoxSelect extends Press {
  constructor (input, event, { additive }) {
    super(input, event)
    this.additive = additive
    this.start = input.renderer.toBoard(event.clientX, event.clientY)
    this.candidates = null
  }

  drag ({ board }) {
    const input = this.input
    const x0 = Math.min(this.start.x, board.x)
    const y0 = Math.min(this.start.y, board.y)
    const x1 = Math.max(this.start.x, board.x)
    const y1 = Math.max(this.start.y, board.y)
    const a = cam.toScreen(input.renderer.camera, x0, y0)
    const b = cam.toScreen(input.renderer.camera, x1, y1)
    Object.assign(input.box.style, { transform: `translate(${a.x}px, ${a.y}px)`, width: `${b.x - a.x}px`, height: `${b.y - a.y}px` })
    input.box.hidden = false
    if (!this.candidates) {
      const { notes, clusters } = model.roots(input.doc)
      this.candidates = {
        notes: [...notes].filter(([, m]) => m instanceof Y.Map).map(([id, m]) => ({ id, x: m.get('x') || 0, y: m.get('y') || 0 })),
        clusters: [...clusters].filter(([, m]) => m instanceof Y.Map).map(([id, m]) => model.readCluster(id, m)),
        base: this.additive ? { notes: input.selectedNotes, clusters: input.selectedClusters } : { notes: [], clusters: [] }
      }
    }
    const { candidates } = this
    const notes = new Set(candidates.base.notes)
    const clusters = new Set(candidates.base.clusters)
    for (const n of candidates.notes) {
      if (n.x < x1 && n.x + model.NOTE_SIZE.w > x0 && n.y < y1 && n.y + model.NOTE_SIZE.h > y0) notes.add(n.id)
    }
    for (const c of candidates.clusters) {
      if (c.x >= x0 && c.y >= y0 && c.x + c.w <= x1 && c.y + c.h <= y1) clusters.add(c.id)
    }
    input.select({ notes, clusters })
  }

  up () { this.input.box.hidden = true }
}

/** Shift-press on a note or cluster: toggled in the selection at once; the release does nothing. */
export class Toggle extends Press {
  constructor (input, event, { kind, id }) {
    super(input, event)
    input.toggleSelected(kind, id)
  }
}

/** A press on a note or cluster: a drag moves the selection, a click edits or focuses it. */
export class Move extends Press {
  constructor (input, event, { kind, id, title = false }) {
    super(input, event)
    Object.assign(this, { kind, id, title })
    this.items = null
    this.current = null
  }

  drag ({ dx, dy }) {
    const input = this.input
    if (input.readOnly) return
    if (!this.items) this.items = this._items()
    this.current = { dx, dy }
    input.renderer.setLocalDrag({ dx, dy, notes: this.items.notes, clusters: this.items.clusters })
    const origin = this.items.origin
    if (origin) input.presence?.setDrag({ kind: this.kind, id: this.id, x: origin.x + dx, y: origin.y + dy })
  }

  up () {
    const input = this.input
    if (this.moved && this.current && !input.readOnly) {
      const items = input.movable({ notes: input.selectedNotes, clusters: input.selectedClusters })
      model.moveItems(input.doc, items, this.current.dx, this.current.dy)
      this.cancel()
      return
    }
    if (!this.moved) clickItem(input, this.kind, this.id, this.title)
  }

  cancel () {
    this.input.renderer.setLocalDrag(null)
    this.input.presence?.setDrag(null)
  }

  /** What a drag moves: the selection, and the notes of every selected cluster. */
  _items () {
    const { doc, selection } = this.input
    // Only what this person may move now (board/access.js): the rest stays put.
    const allowed = this.input.movable({ notes: selection.notes, clusters: selection.clusters })
    const notes = new Set(allowed.notes)
    const clusters = new Set(allowed.clusters)
    for (const id of clusters) for (const noteId of model.clusterNotes(doc, id)) notes.add(noteId)
    // Where it is drawn, so the others see the drag start from where it lies.
    const origin = this.input.renderer.placed(this.kind, this.id)
    return { notes, clusters, origin }
  }
}

/** A click on a note edits it; on a cluster selects it and focuses it (or its name). */
function clickItem (input, kind, id, title) {
  if (kind === 'note') return input.editNote(id)
  input.stopEditing()
  input.select({ clusters: [id] })
  const el = input.renderer.clusterElement(id)
  if (title) el?.querySelector('.cluster-title')?.focus({ preventScroll: true })
  else el?.focus({ preventScroll: true })
}
