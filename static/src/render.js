// Draws the board from the doc. Observers only schedule a frame; a frame reconciles the
// DOM with the doc by id. Never touches the network; never writes to the doc.
import * as Y from 'yjs'
import { roots, readNote, readCluster, readSection, contentBounds, NOTE_SIZE } from './model.js'

const MARGIN = 600
const MIN_CANVAS = { w: 2400, h: 1600 }

export class Renderer {
  /**
   * @param {object} opts
   * @param {Y.Doc} opts.doc
   * @param {HTMLElement} opts.viewport  scrolling container
   * @param {HTMLElement} opts.canvas    the board plane, in board coordinates
   * @param {(key: string, vars?: object) => string} opts.t
   */
  constructor ({ doc, viewport, canvas, t, readOnly = false }) {
    this.doc = doc
    this.viewport = viewport
    this.canvas = canvas
    this.t = t
    this.readOnly = readOnly
    this.zoom = 1
    this.selection = null // {kind: 'note'|'cluster', id}
    this.editing = null // note id edited locally
    this.people = []
    this.localDrag = null // {kind, id, x, y}: drawn here, written to the doc on drop
    this._frame = null
    this._els = { sections: new Map(), clusters: new Map(), notes: new Map(), cursors: new Map() }

    this.sizer = document.createElement('div')
    this.sizer.className = 'board-sizer'
    canvas.replaceWith(this.sizer)
    this.sizer.append(canvas)
    this.layers = {}
    for (const name of ['sections', 'clusters', 'notes', 'cursors']) {
      const layer = document.createElement('div')
      layer.className = `layer layer-${name}`
      canvas.append(layer)
      this.layers[name] = layer
    }
    this.layers.cursors.setAttribute('aria-hidden', 'true')
    this.emptyHint = document.createElement('p')
    this.emptyHint.className = 'empty-hint'
    this.emptyHint.textContent = t(readOnly ? 'board.empty_read_only' : 'board.empty_hint')
    viewport.append(this.emptyHint)

    const { sections, clusters, notes, meta } = roots(doc)
    this._observer = () => this.schedule()
    for (const type of [sections, clusters, notes, meta]) type.observeDeep(this._observer)
    this.schedule()
  }

  destroy () {
    const { sections, clusters, notes, meta } = roots(this.doc)
    for (const type of [sections, clusters, notes, meta]) type.unobserveDeep(this._observer)
  }

  /** Draw on the next frame; background tabs get a timer so they never fall behind. */
  schedule () {
    if (this._frame !== null) return
    const run = () => {
      if (this._frame === null) return
      clearTimeout(this._frame.timer)
      cancelAnimationFrame(this._frame.raf)
      this._frame = null
      this.render()
    }
    this._frame = { raf: requestAnimationFrame(run), timer: setTimeout(run, 100) }
  }

  setSelection (selection) { this.selection = selection; this.schedule() }
  setEditing (noteId) { this.editing = noteId; this.schedule() }
  setPeople (people) { this.people = people; this.schedule() }
  setZoom (zoom) { this.zoom = zoom; this.schedule() }

  /** Move an element under the local pointer right now, without waiting for a frame. */
  setLocalDrag (drag) {
    this.localDrag = drag
    if (drag) {
      const el = drag.kind === 'note' ? this._els.notes.get(drag.id) : this._els.clusters.get(drag.id)
      if (el) place(el, drag.x, drag.y)
    }
    this.schedule()
  }

  noteElement (id) { return this._els.notes.get(id) || null }
  clusterElement (id) { return this._els.clusters.get(id) || null }

  /** Board coordinates of a point given in client (viewport) pixels. */
  toBoard (clientX, clientY) {
    const rect = this.canvas.getBoundingClientRect()
    return { x: (clientX - rect.left) / this.zoom, y: (clientY - rect.top) / this.zoom }
  }

  /** The board point at the centre of what is visible now. */
  visibleCentre () {
    const rect = this.viewport.getBoundingClientRect()
    return this.toBoard(rect.left + rect.width / 2, rect.top + rect.height / 2)
  }

  render () {
    const { sections, clusters, notes } = roots(this.doc)
    const remote = this._remoteActivity()

    reconcile(this._els.sections, this.layers.sections, sections, (id, map, el) =>
      this._drawSection(readSection(id, map), el))

    const counts = new Map()
    for (const note of notes.values()) {
      const cluster = note instanceof Y.Map ? note.get('cluster') : null
      if (cluster) counts.set(cluster, (counts.get(cluster) || 0) + 1)
    }
    reconcile(this._els.clusters, this.layers.clusters, clusters, (id, map, el) =>
      this._drawCluster(readCluster(id, map), el, counts.get(id) || 0, remote))

    // Oldest first, so a new note lands on top of older ones.
    const ordered = [...notes.entries()]
      .filter(([, map]) => map instanceof Y.Map)
      .sort(([a, x], [b, y]) => (x.get('created') || 0) - (y.get('created') || 0) || (a < b ? -1 : 1))
    reconcile(this._els.notes, this.layers.notes, new Map(ordered), (id, map, el) =>
      this._drawNote(readNote(id, map), el, remote))

    this._drawCursors()
    this._drawCanvasSize()
    this.emptyHint.hidden = notes.size > 0 || clusters.size > 0
  }

  _remoteActivity () {
    const editing = new Map()
    const dragging = new Map()
    for (const person of this.people) {
      if (person.self) continue
      if (person.editing) editing.set(person.editing, person)
      if (person.drag) dragging.set(`${person.drag.kind}:${person.drag.id}`, person.drag)
    }
    return { editing, dragging }
  }

  _drawSection (section, el) {
    if (!el) {
      el = document.createElement('section')
      el.className = 'board-section'
      const title = document.createElement('h2')
      title.className = 'section-title'
      const prompt = document.createElement('p')
      prompt.className = 'section-prompt'
      el.append(title, prompt)
    }
    el.dataset.sectionId = section.id
    setText(el.querySelector('.section-title'), section.title)
    setText(el.querySelector('.section-prompt'), section.prompt)
    place(el, section.x, section.y, section.w, section.h)
    return el
  }

  _drawCluster (cluster, el, count, remote) {
    if (!el) {
      el = document.createElement('div')
      el.className = 'cluster'
      el.tabIndex = 0
      el.setAttribute('role', 'group')
      const header = document.createElement('div')
      header.className = 'cluster-header'
      const title = document.createElement('input')
      title.className = 'cluster-title'
      title.type = 'text'
      title.maxLength = 200
      title.placeholder = this.t('cluster.title_placeholder')
      title.setAttribute('aria-label', this.t('cluster.title_label'))
      title.readOnly = this.readOnly
      const badge = document.createElement('span')
      badge.className = 'cluster-count'
      header.append(title, badge)
      el.append(header)
      if (!this.readOnly) {
        const resize = document.createElement('div')
        resize.className = 'cluster-resize'
        resize.setAttribute('aria-hidden', 'true')
        el.append(resize)
      }
    }
    el.dataset.clusterId = cluster.id
    const title = el.querySelector('.cluster-title')
    // The focused field is bound to the Y.Text by the editor; do not fight it.
    if (document.activeElement !== title && title.value !== cluster.title) title.value = cluster.title
    el.setAttribute('aria-label', this.t('cluster.aria', { title: cluster.title || this.t('cluster.untitled'), count }))
    setText(el.querySelector('.cluster-count'), this.t(count === 1 ? 'cluster.count_one' : 'cluster.count_many', { count }))
    el.style.setProperty('--cluster-color', cluster.color)
    const drag = this._dragFor('cluster', cluster.id, remote)
    place(el, drag ? drag.x : cluster.x, drag ? drag.y : cluster.y, cluster.w, cluster.h)
    el.dataset.x = String(cluster.x)
    el.dataset.y = String(cluster.y)
    el.classList.toggle('selected', this._isSelected('cluster', cluster.id))
    el.classList.toggle('dragging', Boolean(drag))
    return el
  }

  _drawNote (note, el, remote) {
    if (!el) {
      el = document.createElement('div')
      el.className = 'note'
      el.tabIndex = 0
      el.setAttribute('role', 'group')
      const text = document.createElement('div')
      text.className = 'note-text'
      const footer = document.createElement('div')
      footer.className = 'note-footer'
      const author = document.createElement('span')
      author.className = 'note-author'
      const editor = document.createElement('span')
      editor.className = 'note-editing-by'
      footer.append(author, editor)
      el.append(text, footer)
    }
    el.dataset.noteId = note.id
    el.dataset.x = String(note.x)
    el.dataset.y = String(note.y)
    // Hostile text stays text: only ever textContent, never markup.
    setText(el.querySelector('.note-text'), note.text)
    setText(el.querySelector('.note-author'), note.author)
    el.setAttribute('aria-label', this.t('note.aria', {
      text: note.text || this.t('note.empty'),
      author: note.author || this.t('note.anonymous')
    }))
    el.style.setProperty('--note-color', note.color)
    const drag = this._dragFor('note', note.id, remote)
    place(el, drag ? drag.x : note.x, drag ? drag.y : note.y)
    el.classList.toggle('selected', this._isSelected('note', note.id))
    el.classList.toggle('editing', this.editing === note.id)
    el.classList.toggle('dragging', Boolean(drag))
    const editor = remote.editing.get(note.id)
    el.classList.toggle('remote-editing', Boolean(editor))
    setText(el.querySelector('.note-editing-by'), editor ? this.t('note.editing_by', { name: editor.name }) : '')
    if (editor) el.style.setProperty('--editor-color', editor.color)
    else el.style.removeProperty('--editor-color')
    return el
  }

  _dragFor (kind, id, remote) {
    if (this.localDrag && this.localDrag.kind === kind && this.localDrag.id === id) return this.localDrag
    return remote.dragging.get(`${kind}:${id}`) || null
  }

  _isSelected (kind, id) {
    return Boolean(this.selection && this.selection.kind === kind && this.selection.id === id)
  }

  _drawCursors () {
    const seen = new Set()
    for (const person of this.people) {
      if (person.self || !person.cursor) continue
      seen.add(person.clientId)
      let el = this._els.cursors.get(person.clientId)
      if (!el) {
        el = document.createElement('div')
        el.className = 'cursor'
        const label = document.createElement('span')
        label.className = 'cursor-label'
        el.append(label)
        this.layers.cursors.append(el)
        this._els.cursors.set(person.clientId, el)
      }
      setText(el.firstChild, person.name)
      el.style.setProperty('--person-color', person.color)
      place(el, person.cursor.x, person.cursor.y)
    }
    for (const [clientId, el] of this._els.cursors) {
      if (!seen.has(clientId)) {
        el.remove()
        this._els.cursors.delete(clientId)
      }
    }
  }

  _drawCanvasSize () {
    const box = contentBounds(this.doc)
    const w = Math.max(MIN_CANVAS.w, box ? box.x1 + MARGIN : 0, (this.localDrag?.x ?? 0) + NOTE_SIZE.w + MARGIN)
    const h = Math.max(MIN_CANVAS.h, box ? box.y1 + MARGIN : 0, (this.localDrag?.y ?? 0) + NOTE_SIZE.h + MARGIN)
    this.canvas.style.width = `${w}px`
    this.canvas.style.height = `${h}px`
    this.canvas.style.transform = `scale(${this.zoom})`
    this.sizer.style.width = `${w * this.zoom}px`
    this.sizer.style.height = `${h * this.zoom}px`
  }
}

/** Keep `els` (id -> element) in step with `map`: create, update, remove, keep order. */
function reconcile (els, layer, map, draw) {
  let previous = null
  for (const [id, value] of map) {
    if (!(value instanceof Y.Map)) continue
    const existing = els.get(id)
    const el = draw(id, value, existing)
    if (!existing) els.set(id, el)
    const expectedNext = previous ? previous.nextSibling : layer.firstChild
    if (expectedNext !== el) {
      // Moving a focused element would blur it; only move elements that are not focused.
      if (!el.contains(document.activeElement) || !el.isConnected) layer.insertBefore(el, expectedNext)
    }
    previous = el
  }
  for (const [id, el] of els) {
    if (!map.has(id)) {
      el.remove()
      els.delete(id)
    }
  }
}

function place (el, x, y, w, h) {
  el.style.left = `${x}px`
  el.style.top = `${y}px`
  if (w != null) el.style.width = `${w}px`
  if (h != null) el.style.height = `${h}px`
}

function setText (el, text) {
  if (el && el.textContent !== text) el.textContent = text
}
