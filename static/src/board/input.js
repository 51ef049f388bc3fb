// Pointer, wheel and keys -> camera moves and model.js calls. Selection and local editing
// live here; the renderer is told about them, and presence tells the others.
import * as Y from 'yjs'
import * as model from '../core/model.js'
import * as cam from '../core/camera.js'
import { bindTextField } from '../core/editor.js'

const DRAG_THRESHOLD = 4 // px before a press becomes a drag rather than a click
const ARROW_STEP = 10
const ARROW_STEP_LARGE = 50
const PAN_STEP = 80
const LINE_HEIGHT = 16 // px per wheel "line" (deltaMode 1)

const emptySelection = () => ({ notes: new Set(), clusters: new Set() })

export class Input {
  constructor ({ doc, renderer, presence, t, config, root, readOnly }) {
    this.doc = doc
    this.renderer = renderer
    this.presence = presence
    this.t = t
    this.config = config
    this.root = root
    this.readOnly = readOnly
    this.viewport = renderer.viewport
    this.selection = emptySelection()
    this.editing = null // {id, field, unbind}
    this.color = model.DEFAULT_NOTE_COLOR
    this.press = null // the active pointer gesture
    this.pointers = new Map() // pointerId -> {x, y}, for pinch
    this.tool = 'hand' // 'hand': background drag pans; 'select': it draws a selection box
    this.spaceHeld = false
    this.active = true // false while the outline view is shown
    this.cameraTouched = false
    this.listeners = { select: new Set() }
    this.undo = readOnly
      ? null
      : new Y.UndoManager([model.roots(doc).notes, model.roots(doc).clusters], {
        captureTimeout: 400,
        trackedOrigins: new Set([model.LOCAL_ORIGIN])
      })

    this.box = document.createElement('div')
    this.box.className = 'selection-box'
    this.box.hidden = true
    this.viewport.append(this.box)

    this._buildPalette()
    this._listen()
    this._updateToolbar()
  }

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

  addNote (at = null) {
    if (this.readOnly) return null
    let point = at
    if (!point) {
      // Centre of the view, nudged a little so repeated presses do not stack exactly.
      const centre = this.renderer.visibleCentre()
      const jitter = () => Math.round((Math.random() - 0.5) * 60)
      point = { x: centre.x - model.NOTE_SIZE.w / 2 + jitter(), y: centre.y - model.NOTE_SIZE.h / 2 + jitter() }
    }
    const x = Math.max(0, Math.round(point.x))
    const y = Math.max(0, Math.round(point.y))
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

  addCluster () {
    if (this.readOnly) return null
    const centre = this.renderer.visibleCentre()
    const { w, h } = model.DEFAULT_CLUSTER_SIZE
    const id = model.createCluster(this.doc, {
      x: Math.max(0, Math.round(centre.x - w / 2)),
      y: Math.max(0, Math.round(centre.y - h / 2))
    })
    this.renderer.render()
    this.stopEditing()
    this.select({ clusters: [id] })
    this.renderer.clusterElement(id)?.querySelector('.cluster-title')?.focus({ preventScroll: true })
    return id
  }

  /** Put the selected notes into a new cluster drawn around them, and name it. */
  groupSelection () {
    if (this.readOnly || this.selection.notes.size === 0) return null
    this.stopEditing()
    const id = model.groupIntoCluster(this.doc, this.selectedNotes)
    if (!id) return null
    this.renderer.render()
    this.select({ clusters: [id] })
    this.renderer.clusterElement(id)?.querySelector('.cluster-title')?.focus({ preventScroll: true })
    return id
  }

  tidySelection () {
    if (this.readOnly) return
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
    model.deleteItems(this.doc, { notes: this.selectedNotes, clusters: this.selectedClusters })
    this.select(null)
    this.viewport.focus({ preventScroll: true })
  }

  recolor (color) {
    this.color = color
    if (!this.readOnly && this.selectionSize) {
      model.change(this.doc, () => {
        for (const id of this.selection.notes) model.recolorNote(this.doc, id, color)
        for (const id of this.selection.clusters) model.recolorCluster(this.doc, id, color)
      })
    }
    this._updateToolbar()
  }

  editNote (id) {
    if (this.readOnly) {
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
    this.editing = { id, field, unbind }
    field.addEventListener('blur', () => {
      // Let a click on a toolbar button (colour, delete) see the selection first.
      if (this.editing && this.editing.field === field) this.stopEditing()
    })
    this.renderer.setEditing(id)
    this.presence?.setEditing(id)
    this.ensureVisible('note', id)
    field.focus({ preventScroll: true })
    field.setSelectionRange(field.value.length, field.value.length)
  }

  stopEditing () {
    const editing = this.editing
    if (!editing) return
    this.editing = null
    editing.unbind()
    editing.field.remove()
    this.renderer.setEditing(null)
    this.presence?.setEditing(null)
  }

  nudge (dx, dy) {
    if (this.readOnly || this.selectionSize === 0) return
    model.moveItems(this.doc, { notes: this.selectedNotes, clusters: this.selectedClusters }, dx, dy)
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

  /** Pan (never zoom) so a note or cluster is fully in view; centre it when it was not. */
  ensureVisible (kind, id, { centre = false } = {}) {
    const map = kind === 'note' ? model.getNote(this.doc, id) : model.getCluster(this.doc, id)
    if (!map) return
    const item = kind === 'note' ? { ...model.readNote(id, map), ...model.NOTE_SIZE } : model.readCluster(id, map)
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
    this.root.addEventListener('click', (event) => {
      const button = event.target.closest('[data-action]')
      if (!button || button.disabled) return
      this._action(button.dataset.action, button)
    })
    // Keep focus (and so the note editor) when pressing toolbar buttons with a mouse.
    for (const bar of this.root.querySelectorAll('.toolbar, .zoom')) {
      bar.addEventListener('mousedown', (event) => {
        if (event.target.closest('button')) event.preventDefault()
      })
    }

    const vp = this.viewport
    vp.addEventListener('pointerdown', (event) => this._pointerDown(event))
    vp.addEventListener('pointermove', (event) => this._pointerMove(event))
    vp.addEventListener('pointerup', (event) => this._pointerUp(event))
    vp.addEventListener('pointercancel', (event) => this._cancelPress(event))
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
      if (event.target.classList.contains('cluster-title')) this._unbindClusterTitle()
    })
    document.addEventListener('keydown', (event) => this._keyDown(event))
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

  _action (action, button) {
    switch (action) {
      case 'add-note': return this.addNote()
      case 'add-cluster': return this.addCluster()
      case 'group': return this.groupSelection()
      case 'tidy': return this.tidySelection()
      case 'duplicate': return this.duplicateSelection()
      case 'delete': return this.deleteSelection()
      case 'color': return this.recolor(button.dataset.color)
      case 'zoom-in': return this.zoom(1)
      case 'zoom-out': return this.zoom(-1)
      case 'zoom-reset': return this.zoom(0)
      case 'fit': return this.fit()
      case 'tool-select': return this.setTool(this.tool === 'select' ? 'hand' : 'select')
      case 'undo': return this.undo?.undo()
      case 'redo': return this.undo?.redo()
    }
  }

  _wheel (event) {
    if (!this.active) return
    if (event.target.closest('.note-editor')) return // let a long note's text scroll
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
    if (this.pointers.size === 2 && this.press?.mode !== 'resize') {
      // A second finger: whatever the first started becomes a pinch.
      this._cancelPress(null)
      const [a, b] = [...this.pointers.values()]
      this.press = { mode: 'pinch', startDist: Math.hypot(a.x - b.x, a.y - b.y) || 1, startCamera: { ...this.renderer.camera } }
      return
    }
    const target = event.target
    if (target.closest('.note-editor')) return
    // A cluster's name is also its handle: pressing it drags the cluster, a click without
    // moving starts renaming. Once the field has focus it behaves as a text field.
    const title = target.closest('.cluster-title')
    if (title && (document.activeElement === title || this.readOnly)) return
    const middle = event.button === 1
    if (event.button !== 0 && !middle) return
    const noteEl = target.closest('.note')
    const clusterEl = target.closest('.cluster')

    if (!middle && !this.spaceHeld && (noteEl || clusterEl)) {
      const kind = noteEl ? 'note' : 'cluster'
      const id = noteEl ? noteEl.dataset.noteId : clusterEl.dataset.clusterId
      if (target.closest('.cluster-resize') && !noteEl) {
        const map = model.getCluster(this.doc, id)
        if (!map) return
        const c = model.readCluster(id, map)
        this._startPress(event, { mode: 'resize', kind, id, origin: c })
        return
      }
      if (event.shiftKey) {
        this.toggleSelected(kind, id)
        this._startPress(event, { mode: 'toggle', kind, id })
        return
      }
      const wasSelected = this.isSelected(kind, id)
      if (!wasSelected) this.select(kind === 'note' ? { notes: [id] } : { clusters: [id] })
      if (title) event.preventDefault() // focus the name only on a click, below
      this._startPress(event, { mode: 'move', kind, id, wasSelected, title: Boolean(title) })
      if (kind === 'note' && this.editing && this.editing.id === id) {
        // Pressing the frame of the note being edited must not blur its text field.
        event.preventDefault()
      }
      return
    }
    // Background (or middle button / space anywhere).
    event.preventDefault() // no text selection, keep focus where it is
    if (!middle && !this.spaceHeld && (event.shiftKey || this.tool === 'select')) {
      this._startPress(event, { mode: 'box', additive: event.shiftKey, start: this.renderer.toBoard(event.clientX, event.clientY) })
      return
    }
    this._startPress(event, { mode: 'pan', startCamera: { ...this.renderer.camera }, background: !middle && !this.spaceHeld })
  }

  _startPress (event, press) {
    this.press = { ...press, pointerId: event.pointerId, startX: event.clientX, startY: event.clientY, moved: false }
    try { this.viewport.setPointerCapture(event.pointerId) } catch { /* pointer already gone */ }
  }

  _pointerMove (event) {
    if (this.pointers.has(event.pointerId)) this.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY })
    const board = this.renderer.toBoard(event.clientX, event.clientY)
    this.presence?.setCursor(board)
    const press = this.press
    if (!press) return
    if (press.mode === 'pinch') return this._pinch()
    if (press.pointerId !== event.pointerId) return
    const sx = event.clientX - press.startX
    const sy = event.clientY - press.startY
    if (!press.moved && Math.hypot(sx, sy) < DRAG_THRESHOLD) return
    press.moved = true
    const zoom = this.renderer.camera.zoom
    const dx = Math.round(sx / zoom)
    const dy = Math.round(sy / zoom)

    switch (press.mode) {
      case 'pan':
        this.cameraTouched = true
        this.setCamera({ ...press.startCamera, x: press.startCamera.x + sx, y: press.startCamera.y + sy })
        return
      case 'box':
        return this._updateBox(press, board)
      case 'resize': {
        if (this.readOnly) return
        press.current = {
          id: press.id,
          w: Math.max(model.CLUSTER_MIN_SIZE.w, press.origin.w + dx),
          h: Math.max(model.CLUSTER_MIN_SIZE.h, press.origin.h + dy)
        }
        this.renderer.setLocalResize(press.current)
        return
      }
      case 'move': {
        if (this.readOnly) return
        if (!press.items) press.items = this._dragItems()
        press.current = { dx, dy }
        this.renderer.setLocalDrag({ dx, dy, notes: press.items.notes, clusters: press.items.clusters })
        const origin = press.items.origin
        if (origin) this.presence?.setDrag({ kind: press.kind, id: press.id, x: origin.x + dx, y: origin.y + dy })
      }
    }
  }

  /** What a drag moves: the selection, and the notes of every selected cluster. */
  _dragItems () {
    const notes = new Set(this.selection.notes)
    const clusters = new Set(this.selection.clusters)
    for (const id of clusters) for (const noteId of model.clusterNotes(this.doc, id)) notes.add(noteId)
    const press = this.press
    const map = press.kind === 'note' ? model.getNote(this.doc, press.id) : model.getCluster(this.doc, press.id)
    const origin = map ? { x: map.get('x') || 0, y: map.get('y') || 0 } : null
    return { notes, clusters, origin }
  }

  _pinch () {
    const press = this.press
    const [a, b] = [...this.pointers.values()]
    if (!a || !b) return
    const rect = this.viewport.getBoundingClientRect()
    const dist = Math.hypot(a.x - b.x, a.y - b.y)
    const mx = (a.x + b.x) / 2 - rect.left
    const my = (a.y + b.y) / 2 - rect.top
    this.cameraTouched = true
    this.setCamera(cam.zoomAt(press.startCamera, press.startCamera.zoom * dist / press.startDist, mx, my))
  }

  _updateBox (press, board) {
    const x0 = Math.min(press.start.x, board.x)
    const y0 = Math.min(press.start.y, board.y)
    const x1 = Math.max(press.start.x, board.x)
    const y1 = Math.max(press.start.y, board.y)
    const a = cam.toScreen(this.renderer.camera, x0, y0)
    const b = cam.toScreen(this.renderer.camera, x1, y1)
    Object.assign(this.box.style, { transform: `translate(${a.x}px, ${a.y}px)`, width: `${b.x - a.x}px`, height: `${b.y - a.y}px` })
    this.box.hidden = false
    if (!press.candidates) {
      const { notes, clusters } = model.roots(this.doc)
      press.candidates = {
        notes: [...notes].filter(([, m]) => m instanceof Y.Map).map(([id, m]) => ({ id, x: m.get('x') || 0, y: m.get('y') || 0 })),
        clusters: [...clusters].filter(([, m]) => m instanceof Y.Map).map(([id, m]) => model.readCluster(id, m)),
        base: press.additive ? { notes: [...this.selection.notes], clusters: [...this.selection.clusters] } : { notes: [], clusters: [] }
      }
    }
    const { candidates } = press
    const notes = new Set(candidates.base.notes)
    const clusters = new Set(candidates.base.clusters)
    for (const n of candidates.notes) {
      if (n.x < x1 && n.x + model.NOTE_SIZE.w > x0 && n.y < y1 && n.y + model.NOTE_SIZE.h > y0) notes.add(n.id)
    }
    for (const c of candidates.clusters) {
      if (c.x >= x0 && c.y >= y0 && c.x + c.w <= x1 && c.y + c.h <= y1) clusters.add(c.id)
    }
    this.select({ notes, clusters })
  }

  _pointerUp (event) {
    this.pointers.delete(event.pointerId)
    const press = this.press
    if (!press) return
    if (press.mode === 'pinch') {
      if (this.pointers.size < 2) this.press = null
      return
    }
    if (press.pointerId !== event.pointerId) return
    this.press = null
    if (press.mode === 'box') {
      this.box.hidden = true
      return
    }
    if (press.mode === 'pan') {
      if (!press.moved && press.background) {
        // A click on the background: drop the selection.
        this.stopEditing()
        this.select(null)
      }
      return
    }
    if (press.mode === 'toggle') return
    if (press.moved && press.current && !this.readOnly) {
      if (press.mode === 'resize') {
        model.resizeCluster(this.doc, press.id, press.current.w, press.current.h)
        this.renderer.setLocalResize(null)
        return
      }
      model.moveItems(this.doc, { notes: this.selectedNotes, clusters: this.selectedClusters }, press.current.dx, press.current.dy)
      this.renderer.setLocalDrag(null)
      this.presence?.setDrag(null)
      return
    }
    if (press.moved) return
    // A click.
    if (press.kind === 'note') this.editNote(press.id)
    else {
      this.stopEditing()
      this.select({ clusters: [press.id] })
      const el = this.renderer.clusterElement(press.id)
      if (press.title) el?.querySelector('.cluster-title')?.focus({ preventScroll: true })
      else el?.focus({ preventScroll: true })
    }
  }

  _cancelPress (event) {
    if (event) this.pointers.delete(event.pointerId)
    const press = this.press
    if (!press) return
    this.press = null
    this.box.hidden = true
    if (press.mode === 'move') { this.renderer.setLocalDrag(null); this.presence?.setDrag(null) }
    if (press.mode === 'resize') this.renderer.setLocalResize(null)
  }

  _keyDown (event) {
    if (!this.active) return
    const target = event.target
    const inField = target instanceof HTMLElement &&
      (target.matches('input, textarea, select, [contenteditable="true"]'))
    const mod = event.ctrlKey || event.metaKey
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key
    const onBoard = this.root.contains(target) || target === document.body
    if (!onBoard) return

    // Undo and redo work in note and cluster fields too: they go through the doc, so they
    // undo only this person's changes and reach everyone.
    if (mod && !event.altKey && (key === 'z' || key === 'y')) {
      if (inField && !target.matches('.note-editor, .cluster-title')) return
      event.preventDefault()
      if (key === 'y' || event.shiftKey) this.undo?.redo()
      else this.undo?.undo()
      return
    }
    if (event.key === 'Escape') {
      if (this.editing) {
        const id = this.editing.id
        this.stopEditing()
        this.renderer.noteElement(id)?.focus({ preventScroll: true })
      } else if (target.classList?.contains('cluster-title')) {
        target.closest('.cluster')?.focus({ preventScroll: true })
      } else if (!inField) {
        this.select(null)
      }
      return
    }
    if (inField || event.altKey) return
    if (mod) {
      if (key === 'd') { event.preventDefault(); this.duplicateSelection() }
      if (key === 'a') { event.preventDefault(); this.selectAll() }
      return
    }
    if (key === ' ') {
      // Hold to pan with the mouse; on a focused note, toggles it in the selection.
      event.preventDefault()
      if (!event.repeat) {
        const note = target.closest?.('.note')
        if (note) this.toggleSelected('note', note.dataset.noteId)
      }
      this.spaceHeld = true
      this.viewport.classList.add('space-pan')
      return
    }
    const handled = this._shortcut(key, event)
    if (handled !== false) event.preventDefault()
  }

  /** Single-key shortcuts (no modifier); returns false when the key means nothing here. */
  _shortcut (key, event) {
    const write = !this.readOnly
    switch (key) {
      case 'n': return write ? this.addNote() : false
      case 'c': return write ? this.addCluster() : false
      case 'g': return write ? this.groupSelection() : false
      case 't': return write ? this.tidySelection() : false
      case 's': return this.setTool(this.tool === 'select' ? 'hand' : 'select')
      case 'f': return this.fit()
      case '+': case '=': return this.zoom(1)
      case '-': return this.zoom(-1)
      case '0': return this.zoom(0)
      case 'Delete': case 'Backspace': return this.selectionSize ? this.deleteSelection() : false
      case 'Enter': {
        if (this.selection.notes.size === 1 && this.selection.clusters.size === 0) return this.editNote(this.selectedNotes[0])
        if (this.selection.clusters.size === 1 && this.selection.notes.size === 0) {
          return this.renderer.clusterElement(this.selectedClusters[0])?.querySelector('.cluster-title')?.focus()
        }
        return false
      }
      case 'ArrowLeft': case 'ArrowRight': case 'ArrowUp': case 'ArrowDown': {
        const unit = [{ ArrowLeft: -1, ArrowRight: 1 }[key] || 0, { ArrowUp: -1, ArrowDown: 1 }[key] || 0]
        if (this.selectionSize && write) {
          const step = event.shiftKey ? ARROW_STEP_LARGE : ARROW_STEP
          return this.nudge(unit[0] * step, unit[1] * step)
        }
        return this.panBy(-unit[0] * PAN_STEP, -unit[1] * PAN_STEP)
      }
    }
    return false
  }

  _focusCluster (clusterEl, target) {
    const id = clusterEl.dataset.clusterId
    if (this.selectionSize <= 1 && !this.isSelected('cluster', id)) {
      this.stopEditing()
      this.select({ clusters: [id] })
    }
    this.ensureVisible('cluster', id)
    if (!target.classList.contains('cluster-title') || this.readOnly) return
    this._unbindClusterTitle()
    const ytext = model.clusterTitle(this.doc, id)
    if (ytext) this._clusterTitle = { field: target, unbind: bindTextField(target, ytext, this.doc) }
  }

  _unbindClusterTitle () {
    if (!this._clusterTitle) return
    this._clusterTitle.unbind()
    this._clusterTitle = null
  }

  _selectedColor () {
    const [noteId] = this.selection.notes
    if (noteId) return model.getNote(this.doc, noteId)?.get('color') || null
    const [clusterId] = this.selection.clusters
    return clusterId ? model.getCluster(this.doc, clusterId)?.get('color') || null : null
  }

  _buildPalette () {
    const palette = this.root.querySelector('[data-palette]')
    if (!palette) return
    palette.replaceChildren()
    for (const color of model.NOTE_COLORS) {
      const button = document.createElement('button')
      button.type = 'button'
      button.className = 'swatch'
      button.dataset.action = 'color'
      button.dataset.color = color.value
      button.style.setProperty('--swatch', color.value)
      button.title = this.t(`color.${color.id}`)
      button.setAttribute('aria-label', this.t(`color.${color.id}`))
      palette.append(button)
    }
  }

  _updateToolbar () {
    const current = this._selectedColor() || this.color
    for (const swatch of this.root.querySelectorAll('[data-action="color"]')) {
      swatch.setAttribute('aria-pressed', String(swatch.dataset.color === current))
    }
    const enable = (action, on) => {
      for (const button of this.root.querySelectorAll(`[data-action="${action}"]`)) button.disabled = this.readOnly || !on
    }
    const notes = this.selection.notes.size
    const clusters = this.selection.clusters.size
    enable('delete', notes + clusters > 0)
    enable('duplicate', notes > 0)
    enable('group', notes > 0)
    enable('tidy', clusters > 0 || [...this.selection.notes].some((id) => model.getNote(this.doc, id)?.get('cluster')))
    enable('undo', this.undo?.canUndo())
    enable('redo', this.undo?.canRedo())
    const count = this.root.querySelector('[data-selection-count]')
    if (count) {
      const n = notes + clusters
      count.hidden = n < 2
      count.textContent = n < 2 ? '' : this.t('toolbar.selected', { count: n })
    }
  }
}
