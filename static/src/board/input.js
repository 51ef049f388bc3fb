// Pointer, wheel and keys -> camera moves and model.js calls. Selection and local editing
// live here; the renderer is told about them, and presence tells the others. What each
// command does is in commands.js, what each pointer gesture does in gestures.js.
import * as Y from 'yjs'
import * as model from '../core/model.js'
import * as cam from '../core/camera.js'
import { bindTextField } from '../core/editor.js'
import { buildPalette, listenToToolbar, updateToolbar } from './toolbar.js'
import { handleKey, handleUndoKey } from './keyboard.js'
import { BoxSelect, Move, Pan, Pinch, Toggle } from './gestures.js'

const LINE_HEIGHT = 16 // px per wheel "line" (deltaMode 1)

const emptySelection = () => ({ notes: new Set(), clusters: new Set() })

export class Input {
  constructor ({ doc, renderer, presence, t, config, root, access }) {
    Object.assign(this, { doc, renderer, presence, t, config, root, access })
    this.viewport = renderer.viewport
    this.selection = emptySelection()
    this.editing = null // {id, field, unbind}
    this.color = model.DEFAULT_NOTE_COLOR
    this.gesture = null // the pointer gesture under way (gestures.js)
    this.pointers = new Map() // pointerId -> {x, y}, for pinch
    this.tool = 'hand' // 'hand': background drag pans; 'select': it draws a selection box
    this.spaceHeld = false
    this.active = true // false while the outline view is shown
    this.cameraTouched = false
    this.listeners = { select: new Set() }
    this.undo = access.fixed
      ? null
      : new Y.UndoManager([model.roots(doc).notes, model.roots(doc).clusters], {
        captureTimeout: 400,
        trackedOrigins: new Set([model.LOCAL_ORIGIN])
      })

    this.box = document.createElement('div')
    this.box.className = 'selection-box'
    this.box.hidden = true
    this.viewport.append(this.box)

    buildPalette(this.root, t)
    this._listen()
    this._updateToolbar()
    access.onChange((readOnly) => {
      if (readOnly || (this.editing && !this.mayNote('edit', this.editing.id))) this.stopEditing()
      this._updateToolbar()
    })
  }

  /** May `what` ('edit', 'move', 'delete') be done to note `id` now (board/access.js)? */
  mayNote (what, id) { return this.access.mayNote(what, model.getNote(this.doc, id)) }

  /** The notes of `ids` that may be `what`-ed now. */
  _allowedNotes (what, ids) { return [...ids].filter((id) => this.mayNote(what, id)) }

  /** Whether the board is read-only now (owned by board/access.js). */
  get readOnly () { return this.access.readOnly }

  // ------------------------------------------------------------------------- selection

  get selectedNotes () { return [...this.selection.notes] }
  get selectedClusters () { return [...this.selection.clusters] }
  get selectionSize () { return this.selection.notes.size + this.selection.clusters.size }

  /** Replace the selection. `items` is {notes, clusters} (arrays or sets), or null for none. */
  select (items) {
    const next = emptySelection()
    if (items) {
      for (const id of items.notes || []) next.notes.add(id)
      for (const id of items.clusters || []) next.clusters.add(id)
    }
    this.selection = next
    this.renderer.setSelection(next)
    if (next.notes.size === 1 && next.clusters.size === 0) {
      // New notes continue in the colour of the note last picked; clusters do not count.
      const color = model.getNote(this.doc, this.selectedNotes[0])?.get('color')
      if (color) this.color = color
    }
    this._updateToolbar()
    for (const listener of this.listeners.select) listener(next)
  }

  toggleSelected (kind, id) {
    const set = kind === 'note' ? this.selection.notes : this.selection.clusters
    const next = { notes: new Set(this.selection.notes), clusters: new Set(this.selection.clusters) }
    const target = kind === 'note' ? next.notes : next.clusters
    if (set.has(id)) target.delete(id)
    else target.add(id)
    this.select(next)
  }

  selectAll () {
    this.select({ notes: model.roots(this.doc).notes.keys(), clusters: [] })
  }

  isSelected (kind, id) {
    return (kind === 'note' ? this.selection.notes : this.selection.clusters).has(id)
  }

  // ------------------------------------------------------------------------- commands

  /**
   * A new note where the person looked: at `at` (a double-click) or the centre of the
   * view, moved to the nearest free spot and kept inside the view, so the view never
   * has to pan to show it.
   */
  addNote (at = null) {
    if (this.readOnly) return null
    const { w, h } = model.NOTE_SIZE
    const centre = this.renderer.visibleCentre()
    const wish = at || { x: centre.x - w / 2, y: centre.y - h / 2 }
    const spot = this._inView(model.freeNoteSpot(this.doc, this._inView(wish, w, h)), w, h)
    const x = Math.max(0, Math.round(spot.x))
    const y = Math.max(0, Math.round(spot.y))
    let id = null
    model.change(this.doc, () => {
      id = model.createNote(this.doc, {
        x, y, color: this.color, author: this.config.name || '', authorId: this.config.participant_id || null
      })
      // Assign the section/cluster under the new note.
      model.placeNote(this.doc, id, x, y)
    })
    this.renderer.render()
    this.editNote(id)
    return id
  }

  /** `p` (the top-left of a w x h box) moved just enough that the box lies in the view. */
  _inView (p, w, h) {
    const v = cam.visibleBox(this.renderer.camera, this.viewport.clientWidth, this.viewport.clientHeight)
    const m = 16 / this.renderer.camera.zoom
    const clamp = (value, lo, hi) => hi < lo ? lo : Math.min(hi, Math.max(lo, value))
    return { x: clamp(p.x, v.x0 + m, v.x1 - m - w), y: clamp(p.y, v.y0 + m, v.y1 - m - h) }
  }

  addCluster () {
    if (!this.access.mayChangeClusters()) return null
    const id = model.addClusterAt(this.doc, this.renderer.visibleCentre())
    this.renderer.render()
    this.stopEditing()
    this.select({ clusters: [id] })
    this.ensureVisible('cluster', id)
    this.renderer.clusterElement(id)?.querySelector('.cluster-title')?.focus({ preventScroll: true })
    return id
  }

  /** The facilitator's "arrange everything": every section packed, written for everyone. */
  arrangeAll () {
    if (this.readOnly) return false
    this.stopEditing()
    model.arrangeBoard(this.doc)
    return true
  }

  /** Put the selected notes into a new cluster drawn around them, and name it. */
  groupSelection () {
    if (!this.access.mayChangeClusters() || this.selection.notes.size === 0) return null
    this.stopEditing()
    const id = model.groupIntoCluster(this.doc, this.selectedNotes)
    if (!id) return null
    this.renderer.render()
    this.select({ clusters: [id] })
    this.ensureVisible('cluster', id)
    this.renderer.clusterElement(id)?.querySelector('.cluster-title')?.focus({ preventScroll: true })
    return id
  }

  tidySelection () {
    if (!this.access.mayChangeClusters()) return
    const clusters = new Set(this.selection.clusters)
    for (const id of this.selection.notes) {
      const cluster = model.getNote(this.doc, id)?.get('cluster')
      if (cluster) clusters.add(cluster)
    }
    model.change(this.doc, () => { for (const id of clusters) model.tidyCluster(this.doc, id) })
  }

  duplicateSelection () {
    if (this.readOnly || this.selection.notes.size === 0) return
    this.stopEditing()
    const ids = model.duplicateNotes(this.doc, this.selectedNotes)
    this.renderer.render()
    this.select({ notes: ids })
    this.renderer.noteElement(ids[ids.length - 1])?.focus({ preventScroll: true })
  }

  deleteSelection () {
    if (this.readOnly || this.selectionSize === 0) return
    if (this.editing && this.selection.notes.has(this.editing.id)) this.stopEditing()
    // Only what this person may delete now; the rest stays selected and in place.
    const clusters = this.access.mayChangeClusters() ? this.selectedClusters : []
    const notes = this._allowedNotes('delete', this.selectedNotes)
    if (!notes.length && !clusters.length) return
    model.deleteItems(this.doc, { notes, clusters })
    this.select(null)
    this.viewport.focus({ preventScroll: true })
  }

  recolor (color) {
    this.color = color
    if (!this.readOnly && this.selectionSize) {
      model.change(this.doc, () => {
        for (const id of this._allowedNotes('edit', this.selection.notes)) model.recolorNote(this.doc, id, color)
        if (this.access.mayChangeClusters()) {
          for (const id of this.selection.clusters) model.recolorCluster(this.doc, id, color)
        }
      })
    }
    this._updateToolbar()
  }

  editNote (id) {
    if (!this.mayNote('edit', id)) {
      this.select({ notes: [id] })
      return
    }
    if (this.editing && this.editing.id === id) {
      this.editing.field.focus()
      return
    }
    this.stopEditing()
    const el = this.renderer.noteElement(id)
    const ytext = model.noteText(this.doc, id)
    if (!el || !ytext) return
    this.select({ notes: [id] })
    const field = document.createElement('textarea')
    field.className = 'note-editor'
    field.maxLength = 2000
    field.setAttribute('aria-label', this.t('note.edit_label'))
    field.placeholder = this.t('note.placeholder')
    el.append(field)
    const unbind = bindTextField(field, ytext, this.doc)
    // A card of the plan also has its owner and date to edit.
    const extra = model.readNote(id, model.getNote(this.doc, id)).action ? this._planFields(id, field) : null
    if (extra) el.append(extra)
    this.editing = { id, field, unbind, extra }
    const leave = (event) => {
      // Moving between the card's own fields keeps it open; let a click on a toolbar
      // button (colour, delete) see the selection first.
      if (extra && (event.relatedTarget === field || extra.contains(event.relatedTarget))) return
      if (this.editing && this.editing.field === field) this.stopEditing()
    }
    field.addEventListener('blur', leave)
    extra?.addEventListener('focusout', leave)
    this.renderer.setEditing(id)
    this.presence?.setEditing(id)
    this.ensureVisible('note', id)
    field.focus({ preventScroll: true })
    field.setSelectionRange(field.value.length, field.value.length)
  }

  /** The owner and date fields of a plan card being edited; each change goes to the doc. */
  _planFields (id, textField) {
    const note = model.readNote(id, model.getNote(this.doc, id))
    const box = document.createElement('div')
    box.className = 'note-plan-editor'
    for (const [field, type] of [['owner', 'text'], ['due', 'date']]) {
      const input = document.createElement('input')
      input.type = type
      input.value = note[field]
      input.dataset.planField = field
      input.setAttribute('aria-label', this.t(`plan.${field}`))
      if (type === 'text') { input.maxLength = 200; input.placeholder = this.t('plan.owner') }
      input.addEventListener('change', () => model.setPlanField(this.doc, id, field, input.value.trim()))
      input.addEventListener('keydown', (event) => {
        if (event.key !== 'Enter') return
        event.preventDefault()
        model.setPlanField(this.doc, id, field, input.value.trim())
        this.stopEditing()
        this.renderer.noteElement(id)?.focus({ preventScroll: true })
      })
      box.append(input)
    }
    textField.setAttribute('aria-label', this.t('plan.title_label'))
    return box
  }

  stopEditing () {
    const editing = this.editing
    if (!editing) return
    this.editing = null
    editing.unbind()
    editing.field.remove()
    editing.extra?.remove()
    this.renderer.setEditing(null)
    this.presence?.setEditing(null)
  }

  /** Enter: edit the one selected note or rename the one selected cluster; false if neither. */
  openSelection () {
    if (this.selection.notes.size === 1 && this.selection.clusters.size === 0) return this.editNote(this.selectedNotes[0])
    if (this.selection.clusters.size === 1 && this.selection.notes.size === 0) {
      return this.renderer.clusterElement(this.selectedClusters[0])?.querySelector('.cluster-title')?.focus()
    }
    return false
  }

  nudge (dx, dy) {
    if (this.readOnly || this.selectionSize === 0) return
    model.moveItems(this.doc, this.movable({ notes: this.selectedNotes, clusters: this.selectedClusters }), dx, dy)
  }

  // ------------------------------------------------------------------------- camera

  setCamera (camera) {
    this.renderer.setCamera(camera)
    const label = this.root.querySelector('[data-zoom-level]')
    if (label) label.textContent = `${Math.round(camera.zoom * 100)} %`
  }

  /** Zoom by a factor around a viewport point (the centre when not given). */
  zoomBy (factor, sx = this.viewport.clientWidth / 2, sy = this.viewport.clientHeight / 2) {
    this.cameraTouched = true
    const camera = this.renderer.camera
    this.setCamera(cam.zoomAt(camera, camera.zoom * factor, sx, sy))
  }

  zoom (direction) {
    if (direction === 0) {
      this.cameraTouched = true
      const c = this.renderer.visibleCentre()
      const camera = { ...this.renderer.camera, zoom: 1 }
      this.setCamera(cam.centreOn(camera, c.x, c.y, this.viewport.clientWidth, this.viewport.clientHeight))
    } else {
      this.zoomBy(direction > 0 ? cam.ZOOM_STEP : 1 / cam.ZOOM_STEP)
    }
  }

  panBy (dx, dy) {
    this.cameraTouched = true
    this.setCamera(cam.panBy(this.renderer.camera, dx, dy))
  }

  /** Show everything on the board. */
  fit () {
    const box = model.contentBounds(this.doc)
    this.setCamera(cam.fitBox(box, this.viewport.clientWidth, this.viewport.clientHeight))
  }

  /**
   * The first view: the first question (section) at a readable zoom rather than the
   * whole board too small to read; a board without sections, its content the same way.
   */
  firstView () {
    const sections = [...model.roots(this.doc).sections]
      .filter(([, s]) => s instanceof Y.Map).map(([id, s]) => model.readSection(id, s))
      .sort((a, b) => (a.order - b.order) || (a.y - b.y) || (a.x - b.x))
    const first = sections[0]
    const box = first ? { x0: first.x, y0: first.y, x1: first.x + first.w, y1: first.y + first.h } : model.contentBounds(this.doc)
    // The toolbar floats over the top of the board: start below it, so the question shows.
    const bar = this.root.querySelector('.toolbar')
    const vp = this.viewport.getBoundingClientRect()
    const covered = bar && !bar.hidden ? Math.max(0, bar.getBoundingClientRect().bottom - vp.top) : 0
    this.setCamera(cam.readableBox(box, this.viewport.clientWidth, this.viewport.clientHeight, { top: covered + 16 }))
  }

  /** Pan (never zoom) so a note or cluster is fully in view; centre it when it was not. */
  ensureVisible (kind, id, { centre = false } = {}) {
    const placed = this.renderer.placed(kind, id)
    if (!placed) return
    const item = kind === 'note' ? { ...placed, ...model.NOTE_SIZE } : placed
    const camera = this.renderer.camera
    const { clientWidth: w, clientHeight: h } = this.viewport
    if (!centre && cam.isVisible(camera, w, h, item)) return
    this.cameraTouched = true
    this.setCamera(cam.centreOn(camera, item.x + Math.min(item.w, w) / 2, item.y + Math.min(item.h, h) / 2, w, h))
  }

  setTool (tool) {
    this.tool = tool
    for (const button of this.root.querySelectorAll('[data-action="tool-select"]')) {
      button.setAttribute('aria-pressed', String(tool === 'select'))
    }
    this.viewport.classList.toggle('tool-select', tool === 'select')
  }

  // ------------------------------------------------------------------------- wiring

  _listen () {
    listenToToolbar(this.root, this)

    const vp = this.viewport
    vp.addEventListener('pointerdown', (event) => this._pointerDown(event))
    vp.addEventListener('pointermove', (event) => this._pointerMove(event))
    vp.addEventListener('pointerup', (event) => this._pointerUp(event))
    vp.addEventListener('pointercancel', (event) => this._cancelGesture(event))
    vp.addEventListener('pointerleave', () => this.presence?.setCursor(null))
    vp.addEventListener('wheel', (event) => this._wheel(event), { passive: false })
    vp.addEventListener('dblclick', (event) => {
      if (this.readOnly || event.target.closest('.note, .cluster-header, .cluster-resize')) return
      const point = this.renderer.toBoard(event.clientX, event.clientY)
      this.addNote({ x: point.x - model.NOTE_SIZE.w / 2, y: point.y - model.NOTE_SIZE.h / 2 })
    })
    // Focus can scroll even an overflow:hidden box; the camera is the only way to move.
    vp.addEventListener('scroll', () => { vp.scrollLeft = 0; vp.scrollTop = 0 })
    vp.addEventListener('focusin', (event) => {
      const note = event.target.closest('.note')
      const cluster = event.target.closest('.cluster')
      if (note && event.target === note) {
        const id = note.dataset.noteId
        if (this.selectionSize <= 1 && !this.isSelected('note', id)) this.select({ notes: [id] })
        this.ensureVisible('note', id)
      } else if (cluster && !note) {
        this._focusCluster(cluster, event.target)
      }
    })
    vp.addEventListener('focusout', (event) => {
      if (event.target.matches('.cluster-title, .cluster-statement')) this._unbindClusterTitle()
    })
    document.addEventListener('keydown', (event) => handleUndoKey(this, event), { capture: true })
    document.addEventListener('keydown', (event) => handleKey(this, event))
    document.addEventListener('keyup', (event) => {
      if (event.key === ' ') { this.spaceHeld = false; vp.classList.remove('space-pan') }
    })
    window.addEventListener('blur', () => { this.spaceHeld = false; vp.classList.remove('space-pan') })

    // Something deleted by someone else (or by undo): stop editing it, drop it from the selection.
    const { notes, clusters } = model.roots(this.doc)
    const prune = () => {
      const keep = {
        notes: [...this.selection.notes].filter((id) => notes.has(id)),
        clusters: [...this.selection.clusters].filter((id) => clusters.has(id))
      }
      if (keep.notes.length + keep.clusters.length !== this.selectionSize) this.select(keep)
      if (this.editing && !notes.has(this.editing.id)) this.stopEditing()
    }
    notes.observe(prune)
    clusters.observe(prune)
    this.undo?.on('stack-item-added', () => this._updateToolbar())
    this.undo?.on('stack-item-popped', () => this._updateToolbar())
  }

  _wheel (event) {
    if (!this.active) return
    if (event.target.closest('.note-editor, .note-plan-editor')) return // let a long note's text scroll
    event.preventDefault()
    const scale = event.deltaMode === 1 ? LINE_HEIGHT : event.deltaMode === 2 ? this.viewport.clientHeight : 1
    const rect = this.viewport.getBoundingClientRect()
    if (event.ctrlKey || event.metaKey) {
      // Trackpad pinch arrives as ctrl+wheel; so does Ctrl + mouse wheel.
      const factor = Math.exp(-event.deltaY * scale * 0.01)
      this.zoomBy(factor, event.clientX - rect.left, event.clientY - rect.top)
      return
    }
    let dx = event.deltaX * scale
    let dy = event.deltaY * scale
    if (event.shiftKey && dx === 0) { dx = dy; dy = 0 }
    this.panBy(-dx, -dy)
  }

  _pointerDown (event) {
    this.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY })
    if (this.pointers.size === 2 && this.gesture?.allowsPinch !== false) {
      // A second finger: whatever the first started becomes a pinch.
      this._cancelGesture(null)
      this.gesture = new Pinch(this)
      return
    }
    const target = event.target
    if (target.closest('.note-editor, .note-plan-editor')) return
    // A cluster's name is also its handle: pressing it drags the cluster, a click without
    // moving starts renaming. Once the field has focus it behaves as a text field.
    const title = target.closest('.cluster-title')
    if (title && (document.activeElement === title || this.readOnly)) return
    // The statement is a text field only: pressing it places the caret, never drags.
    if (target.closest('.cluster-statement')) return
    const middle = event.button === 1
    if (event.button !== 0 && !middle) return
    const noteEl = target.closest('.note')
    const clusterEl = target.closest('.cluster')

    // A cluster is grabbed by its frame or its name; a press inside it, between its notes,
    // pans like the background, so panning a zoomed-in view never moves a cluster.
    const grabbed = noteEl || (clusterEl && (title || target.closest('.cluster-header') || this._onClusterFrame(clusterEl, event)))
    if (!middle && !this.spaceHeld && grabbed) {
      const kind = noteEl ? 'note' : 'cluster'
      const id = noteEl ? noteEl.dataset.noteId : clusterEl.dataset.clusterId
      if (event.shiftKey) {
        this.gesture = new Toggle(this, event, { kind, id })
        return
      }
      if (!this.isSelected(kind, id)) this.select(kind === 'note' ? { notes: [id] } : { clusters: [id] })
      if (title) event.preventDefault() // focus the name only on a click (Move.up)
      this.gesture = new Move(this, event, { kind, id, title: Boolean(title) })
      if (kind === 'note' && this.editing && this.editing.id === id) {
        // Pressing the frame of the note being edited must not blur its text field.
        event.preventDefault()
      }
      return
    }
    // Background (or middle button / space anywhere).
    event.preventDefault() // no text selection
    // A press on the board leaves any field being typed in (a note here, a private note
    // in the tray), so the next N makes a note instead of typing an "n".
    if (!middle && !this.spaceHeld) {
      this.stopEditing()
      if (document.activeElement?.matches?.('input, textarea, select, [contenteditable="true"]')) {
        this.viewport.focus({ preventScroll: true })
      }
    }
    if (!middle && !this.spaceHeld && (event.shiftKey || this.tool === 'select')) {
      this.gesture = new BoxSelect(this, event, { additive: event.shiftKey })
      return
    }
    this.gesture = new Pan(this, event, { background: !middle && !this.spaceHeld })
  }

  /** True when the press is on the cluster's frame (its padding band), or far out anywhere on it. */
  _onClusterFrame (clusterEl, event) {
    const zoom = this.renderer.camera.zoom
    if (this.viewport.classList.contains('far-out')) return true
    const box = this.renderer.placed('cluster', clusterEl.dataset.clusterId)
    if (!box) return true
    const p = this.renderer.toBoard(event.clientX, event.clientY)
    // At least 12 screen px, so the frame stays easy to hit when zoomed out.
    const band = Math.max(model.LAYOUT_PAD, 12 / zoom)
    return p.x < box.x + band || p.x > box.x + box.w - band || p.y < box.y + band || p.y > box.y + box.h - band
  }

  _pointerMove (event) {
    if (this.pointers.has(event.pointerId)) this.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY })
    const board = this.renderer.toBoard(event.clientX, event.clientY)
    this.presence?.setCursor(board)
    this.gesture?.move(event, board)
  }

  _pointerUp (event) {
    this.pointers.delete(event.pointerId)
    const gesture = this.gesture
    if (!gesture || !gesture.ends(event)) return
    this.gesture = null
    gesture.up(event)
  }

  _cancelGesture (event) {
    if (event) this.pointers.delete(event.pointerId)
    const gesture = this.gesture
    if (!gesture) return
    this.gesture = null
    this.box.hidden = true
    gesture.cancel()
  }

  /** Of the notes and clusters in `items`, those this person may move now. */
  movable ({ notes, clusters }) {
    return {
      notes: this._allowedNotes('move', notes),
      clusters: this.access.mayChangeClusters() ? [...clusters] : []
    }
  }

  _focusCluster (clusterEl, target) {
    const id = clusterEl.dataset.clusterId
    if (this.selectionSize <= 1 && !this.isSelected('cluster', id)) {
      this.stopEditing()
      this.select({ clusters: [id] })
    }
    this.ensureVisible('cluster', id)
    const field = ['cluster-title', 'cluster-statement'].find((name) => target.classList.contains(name))
    if (!field || !this.access.mayChangeClusters()) return
    this._unbindClusterTitle()
    const ytext = field === 'cluster-title' ? model.clusterTitle(this.doc, id) : model.clusterStatement(this.doc, id)
    if (ytext) this._clusterTitle = { field: target, unbind: bindTextField(target, ytext, this.doc) }
  }

  _unbindClusterTitle () {
    if (!this._clusterTitle) return
    this._clusterTitle.unbind()
    this._clusterTitle = null
  }

  _updateToolbar () { updateToolbar(this.root, this) }
}
