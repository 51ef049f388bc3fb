// Pointer and keyboard -> model.js calls. Selection and local editing live here; the
// renderer is told about them, and presence tells the others.
import * as Y from 'yjs'
import * as model from './model.js'
import { bindTextField } from './editor.js'

const DRAG_THRESHOLD = 4 // px before a press becomes a drag rather than a click
const ARROW_STEP = 10
const ARROW_STEP_LARGE = 50
const ZOOM_STEPS = [0.5, 0.67, 0.8, 1, 1.25, 1.5]

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
    this.selection = null
    this.editing = null // {id, field, unbind}
    this.color = model.DEFAULT_NOTE_COLOR
    this.press = null // an active pointer press on a note, cluster or resize handle
    this.undo = readOnly
      ? null
      : new Y.UndoManager([model.roots(doc).notes, model.roots(doc).clusters], { captureTimeout: 400 })

    this._buildPalette()
    this._listen()
    this._updateToolbar()
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
    const id = model.createNote(this.doc, {
      x,
      y,
      color: this.color,
      author: this.config.name || '',
      authorId: this.config.participant_id || null
    })
    // Assign the section/cluster under the new note.
    model.placeNote(this.doc, id, x, y)
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
    this.select({ kind: 'cluster', id })
    const title = this.renderer.clusterElement(id)?.querySelector('.cluster-title')
    if (title) title.focus()
    return id
  }

  deleteSelection () {
    if (this.readOnly || !this.selection) return
    const { kind, id } = this.selection
    if (this.editing && this.editing.id === id) this.stopEditing()
    if (kind === 'note') model.deleteNote(this.doc, id)
    else model.deleteCluster(this.doc, id)
    this.select(null)
    this.viewport.focus({ preventScroll: true })
  }

  recolor (color) {
    this.color = color
    if (!this.readOnly && this.selection) {
      if (this.selection.kind === 'note') model.recolorNote(this.doc, this.selection.id, color)
      else model.recolorCluster(this.doc, this.selection.id, color)
    }
    this._updateToolbar()
  }

  select (selection) {
    this.selection = selection
    this.renderer.setSelection(selection)
    if (selection && selection.kind === 'note') {
      // New notes continue in the colour of the note last picked; clusters do not count.
      const current = this._selectedColor()
      if (current) this.color = current
    }
    this._updateToolbar()
  }

  editNote (id) {
    if (this.readOnly) {
      this.select({ kind: 'note', id })
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
    this.select({ kind: 'note', id })
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
    field.focus()
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
    if (this.readOnly || !this.selection) return
    const { kind, id } = this.selection
    if (kind === 'note') {
      const note = model.getNote(this.doc, id)
      if (note) model.placeNote(this.doc, id, Math.max(0, note.get('x') + dx), Math.max(0, note.get('y') + dy))
    } else {
      const cluster = model.getCluster(this.doc, id)
      if (cluster) model.moveCluster(this.doc, id, Math.max(0, cluster.get('x') + dx), Math.max(0, cluster.get('y') + dy))
    }
  }

  zoom (direction) {
    const current = this.renderer.zoom
    let index = ZOOM_STEPS.findIndex((z) => z >= current - 0.001)
    if (index < 0) index = ZOOM_STEPS.length - 1
    if (direction === 0) index = ZOOM_STEPS.indexOf(1)
    else index = Math.min(ZOOM_STEPS.length - 1, Math.max(0, index + direction))
    const centre = this.renderer.visibleCentre()
    this.renderer.setZoom(ZOOM_STEPS[index])
    this.renderer.render()
    // Keep the same board point in the middle of the view.
    const zoom = ZOOM_STEPS[index]
    this.viewport.scrollLeft = centre.x * zoom - this.viewport.clientWidth / 2
    this.viewport.scrollTop = centre.y * zoom - this.viewport.clientHeight / 2
    const label = this.root.querySelector('[data-zoom-level]')
    if (label) label.textContent = `${Math.round(zoom * 100)} %`
  }

  // ------------------------------------------------------------------------- wiring

  _listen () {
    this.root.addEventListener('click', (event) => {
      const button = event.target.closest('[data-action]')
      if (!button || button.disabled) return
      this._action(button.dataset.action, button)
    })
    // Keep focus (and so the note editor) when pressing toolbar buttons with a mouse.
    this.root.querySelector('.toolbar')?.addEventListener('mousedown', (event) => {
      if (event.target.closest('button')) event.preventDefault()
    })

    const vp = this.viewport
    vp.addEventListener('pointerdown', (event) => this._pointerDown(event))
    vp.addEventListener('pointermove', (event) => this._pointerMove(event))
    vp.addEventListener('pointerup', (event) => this._pointerUp(event))
    vp.addEventListener('pointercancel', () => this._cancelPress())
    vp.addEventListener('pointerleave', () => this.presence?.setCursor(null))
    vp.addEventListener('dblclick', (event) => {
      if (this.readOnly || event.target.closest('.note, .cluster-header, .cluster-resize')) return
      const point = this.renderer.toBoard(event.clientX, event.clientY)
      this.addNote({ x: point.x - model.NOTE_SIZE.w / 2, y: point.y - model.NOTE_SIZE.h / 2 })
    })
    vp.addEventListener('focusin', (event) => {
      const note = event.target.closest('.note')
      const cluster = event.target.closest('.cluster')
      if (note && event.target === note) this.select({ kind: 'note', id: note.dataset.noteId })
      else if (cluster && !note) this._focusCluster(cluster, event.target)
    })
    vp.addEventListener('focusout', (event) => {
      if (event.target.classList.contains('cluster-title')) this._unbindClusterTitle()
    })
    document.addEventListener('keydown', (event) => this._keyDown(event))

    // A note deleted by someone else while I edit it: stop editing, drop the selection.
    model.roots(this.doc).notes.observe((event) => {
      for (const [id, change] of event.changes.keys) {
        if (change.action !== 'delete') continue
        if (this.editing && this.editing.id === id) this.stopEditing()
        if (this.selection && this.selection.id === id) this.select(null)
      }
    })
    model.roots(this.doc).clusters.observe((event) => {
      for (const [id, change] of event.changes.keys) {
        if (change.action === 'delete' && this.selection && this.selection.id === id) this.select(null)
      }
    })
  }

  _action (action, button) {
    switch (action) {
      case 'add-note': return this.addNote()
      case 'add-cluster': return this.addCluster()
      case 'delete': return this.deleteSelection()
      case 'color': return this.recolor(button.dataset.color)
      case 'zoom-in': return this.zoom(1)
      case 'zoom-out': return this.zoom(-1)
      case 'zoom-reset': return this.zoom(0)
      case 'undo': return this.undo?.undo()
      case 'redo': return this.undo?.redo()
    }
  }

  _pointerDown (event) {
    if (event.button !== 0) return
    const target = event.target
    const noteEl = target.closest('.note')
    const clusterEl = target.closest('.cluster')
    if (target.closest('.note-editor, .cluster-title')) return

    if (noteEl) {
      const id = noteEl.dataset.noteId
      const note = model.getNote(this.doc, id)
      if (!note) return
      this._startPress(event, { kind: 'note', id, mode: 'move', origin: { x: note.get('x'), y: note.get('y') } })
      return
    }
    if (clusterEl) {
      const id = clusterEl.dataset.clusterId
      const cluster = model.getCluster(this.doc, id)
      if (!cluster) return
      const c = model.readCluster(id, cluster)
      const mode = target.closest('.cluster-resize') ? 'resize' : 'move'
      this._startPress(event, { kind: 'cluster', id, mode, origin: { x: c.x, y: c.y, w: c.w, h: c.h } })
      return
    }
    // Background: drop the selection.
    if (this.editing) this.stopEditing()
    this.select(null)
  }

  _startPress (event, press) {
    this.press = { ...press, pointerId: event.pointerId, startX: event.clientX, startY: event.clientY, moved: false, current: null }
    if (!this.readOnly) {
      try { this.viewport.setPointerCapture(event.pointerId) } catch { /* pointer already gone */ }
    }
    if (press.kind === 'note' && this.editing && this.editing.id === press.id) {
      // Pressing the frame of the note being edited must not blur its text field.
      event.preventDefault()
    }
  }

  _pointerMove (event) {
    this.presence?.setCursor(this.renderer.toBoard(event.clientX, event.clientY))
    const press = this.press
    if (!press || press.pointerId !== event.pointerId || this.readOnly) return
    const dx = (event.clientX - press.startX) / this.renderer.zoom
    const dy = (event.clientY - press.startY) / this.renderer.zoom
    if (!press.moved && Math.hypot(dx, dy) * this.renderer.zoom < DRAG_THRESHOLD) return
    press.moved = true
    if (press.mode === 'resize') {
      press.current = { w: Math.max(model.CLUSTER_MIN_SIZE.w, press.origin.w + dx), h: Math.max(model.CLUSTER_MIN_SIZE.h, press.origin.h + dy) }
      const el = this.renderer.clusterElement(press.id)
      if (el) { el.style.width = `${press.current.w}px`; el.style.height = `${press.current.h}px` }
      return
    }
    const x = Math.max(0, Math.round(press.origin.x + dx))
    const y = Math.max(0, Math.round(press.origin.y + dy))
    press.current = { x, y }
    const drag = { kind: press.kind, id: press.id, x, y }
    this.renderer.setLocalDrag(drag)
    this.presence?.setDrag(drag)
  }

  _pointerUp (event) {
    const press = this.press
    if (!press || press.pointerId !== event.pointerId) return
    this.press = null
    if (press.moved && press.current && !this.readOnly) {
      if (press.mode === 'resize') model.resizeCluster(this.doc, press.id, press.current.w, press.current.h)
      else if (press.kind === 'note') model.placeNote(this.doc, press.id, press.current.x, press.current.y)
      else model.moveCluster(this.doc, press.id, press.current.x, press.current.y)
      this.renderer.setLocalDrag(null)
      this.presence?.setDrag(null)
      this.select({ kind: press.kind, id: press.id })
      return
    }
    // A click.
    if (press.kind === 'note') this.editNote(press.id)
    else {
      if (this.editing) this.stopEditing()
      this.select({ kind: 'cluster', id: press.id })
      this.renderer.clusterElement(press.id)?.focus({ preventScroll: true })
    }
  }

  _cancelPress () {
    if (!this.press) return
    this.press = null
    this.renderer.setLocalDrag(null)
    this.presence?.setDrag(null)
  }

  _keyDown (event) {
    const target = event.target
    const inField = target instanceof HTMLElement &&
      (target.matches('input, textarea, select, [contenteditable="true"]'))
    if (event.key === 'Escape') {
      if (this.editing) {
        const id = this.editing.id
        this.stopEditing()
        this.renderer.noteElement(id)?.focus({ preventScroll: true })
      } else if (target.classList?.contains('cluster-title')) {
        target.closest('.cluster')?.focus({ preventScroll: true })
      } else {
        this.select(null)
      }
      return
    }
    if (inField || event.altKey) return
    if (!this.root.contains(target) && target !== document.body) return
    const mod = event.ctrlKey || event.metaKey
    if (mod && (event.key === 'z' || event.key === 'Z')) {
      event.preventDefault()
      if (event.shiftKey) this.undo?.redo()
      else this.undo?.undo()
      return
    }
    if (mod && event.key === 'y') {
      event.preventDefault()
      this.undo?.redo()
      return
    }
    if (mod) return
    if ((event.key === 'n' || event.key === 'N') && !this.readOnly) {
      event.preventDefault()
      this.addNote()
    } else if ((event.key === 'Delete' || event.key === 'Backspace') && this.selection) {
      event.preventDefault()
      this.deleteSelection()
    } else if (event.key === 'Enter' && this.selection) {
      event.preventDefault()
      if (this.selection.kind === 'note') this.editNote(this.selection.id)
      else this.renderer.clusterElement(this.selection.id)?.querySelector('.cluster-title')?.focus()
    } else if (event.key.startsWith('Arrow') && this.selection) {
      event.preventDefault()
      const step = event.shiftKey ? ARROW_STEP_LARGE : ARROW_STEP
      const [dx, dy] = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[event.key]
      this.nudge(dx, dy)
    }
  }

  _focusCluster (clusterEl, target) {
    const id = clusterEl.dataset.clusterId
    this.select({ kind: 'cluster', id })
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
    if (!this.selection) return null
    const map = this.selection.kind === 'note'
      ? model.getNote(this.doc, this.selection.id)
      : model.getCluster(this.doc, this.selection.id)
    return map ? map.get('color') : null
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
    const del = this.root.querySelector('[data-action="delete"]')
    if (del) del.disabled = this.readOnly || !this.selection
  }
}
