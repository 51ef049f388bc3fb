// Draws the board from the doc. Observers record which ids changed and schedule a frame;
// a frame touches only the DOM of what changed, so a board with thousands of notes stays
// smooth. Everything sits on one "world" layer moved by a CSS transform (pan and zoom).
// Never touches the network; never writes to the doc.
import * as Y from 'yjs'
import { roots, readNote, readCluster, readSection, boardLayout } from '../core/model.js'
import { toBoard as cameraToBoard } from '../core/camera.js'

const GRID = 24

export class Renderer {
  /**
   * @param {object} opts
   * @param {Y.Doc} opts.doc
   * @param {HTMLElement} opts.viewport  the clipping window onto the board
   * @param {HTMLElement} opts.canvas    the world layer, in board coordinates
   * @param {(key: string, vars?: object) => string} opts.t
   * @param {import('./access.js').Access} opts.access  who may change the board now
   */
  constructor ({ doc, viewport, canvas, t, access, anonymous = false }) {
    Object.assign(this, { doc, viewport, canvas, t, access, anonymous })
    // The page's own read-only decides what is built (the resize handle); the live state
    // (phase rules) only what may be typed into.
    const readOnly = access.fixed
    this.camera = { x: 0, y: 0, zoom: 1 }
    this.selection = { notes: new Set(), clusters: new Set() }
    this.editing = null // note id edited locally
    this.people = []
    this.showCursors = true
    this.matches = new Set()
    this.currentMatch = null
    this.localDrag = null // {dx, dy, notes: Set, clusters: Set}: drawn here, written on drop
    this._remote = { editing: new Map(), dragging: new Map() }
    this._frame = null
    this._dirty = { all: true, notes: new Set(), clusters: false, sections: false, layout: true }
    this._els = { sections: new Map(), clusters: new Map(), notes: new Map(), cursors: new Map() }
    this._listeners = new Set()
    // Where clusters and their notes are drawn (core/model/layout.js), recomputed whenever
    // a cluster or a note's membership changes; the same on every screen.
    this.layout = { clusters: new Map(), notes: new Map(), members: new Map() }

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

    const { sections, clusters, notes } = roots(doc)
    this._observers = [
      [notes, (events) => this._notesChanged(events, notes)],
      [clusters, () => { this._dirty.clusters = true; this._dirty.layout = true; this.schedule() }],
      [sections, () => { this._dirty.sections = true; this._dirty.clusters = true; this._dirty.layout = true; this.schedule() }]
    ]
    for (const [type, fn] of this._observers) type.observeDeep(fn)
    access.onChange(() => {
      const locked = !access.mayChangeClusters()
      for (const field of canvas.querySelectorAll('.cluster-title, .cluster-statement')) field.readOnly = locked
    })
    this.setCamera(this.camera)
    this.schedule()
  }

  destroy () {
    for (const [type, fn] of this._observers) type.unobserveDeep(fn)
  }

  /** Called after each frame that drew something (the outline and find listen). */
  onRender (listener) { this._listeners.add(listener); return () => this._listeners.delete(listener) }

  _notesChanged (events, notes) {
    const dirty = this._dirty
    for (const event of events) {
      if (event.target === notes) {
        for (const key of event.changes.keys.keys()) dirty.notes.add(key)
        dirty.clusters = true // counts
        dirty.layout = true
      } else {
        const id = event.path[0]
        if (typeof id === 'string') dirty.notes.add(id)
        if (event.target instanceof Y.Map && (event.changes.keys.has('cluster') || event.changes.keys.has('created'))) {
          dirty.clusters = true
          dirty.layout = true
        }
      }
    }
    this.schedule()
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

  // ------------------------------------------------------------------- view state

  setSelection (selection) {
    this._dirtyKeys(this.selection, selection)
    this.selection = { notes: new Set(selection.notes), clusters: new Set(selection.clusters) }
    this.schedule()
  }

  setEditing (noteId) {
    if (this.editing) this._dirty.notes.add(this.editing)
    if (noteId) this._dirty.notes.add(noteId)
    this.editing = noteId
    this.schedule()
  }

  setPeople (people) {
    this.people = people
    const before = this._remote
    const after = remoteActivity(people)
    for (const id of new Set([...before.editing.keys(), ...after.editing.keys()])) this._dirty.notes.add(id)
    const dragKeys = new Set([...before.dragging.keys(), ...after.dragging.keys()])
    for (const key of dragKeys) {
      const [kind, id] = splitKey(key)
      if (kind === 'note') this._dirty.notes.add(id)
      else {
        this._dirty.clusters = true
        for (const noteId of this._clusterMembers(id)) this._dirty.notes.add(noteId)
      }
    }
    this._remote = after
    this.schedule()
  }

  /** Hide or show the authors' names on every note (the facilitator's anonymity switch). */
  setAnonymous (anonymous) {
    if (this.anonymous === anonymous) return
    this.anonymous = anonymous
    this._dirty.all = true
    this.schedule()
  }

  setCursorsVisible (visible) {
    this.showCursors = visible
    this.layers.cursors.hidden = !visible
    this.schedule()
  }

  setMatches (ids, current = null) {
    for (const id of this.matches) this._dirty.notes.add(id)
    for (const id of ids) this._dirty.notes.add(id)
    if (this.currentMatch) this._dirty.notes.add(this.currentMatch)
    if (current) this._dirty.notes.add(current)
    this.matches = new Set(ids)
    this.currentMatch = current
    this.schedule()
  }

  /** Pan and zoom right now: one style write on the world layer and the grid. */
  setCamera (camera) {
    this.camera = { x: camera.x, y: camera.y, zoom: camera.zoom }
    const { x, y, zoom } = this.camera
    this.canvas.style.transform = `translate(${x}px, ${y}px) scale(${zoom})`
    const size = GRID * zoom
    this.viewport.style.backgroundSize = `${size}px ${size}px`
    this.viewport.style.backgroundPosition = `${x}px ${y}px`
    // Semantic zoom: below 70 % notes drop their footers, below 50 % (note text under 8 px)
    // clusters show their name and count instead of their notes.
    this.viewport.classList.toggle('zoomed-out', zoom < 0.7)
    this.viewport.classList.toggle('far-out', zoom < 0.5)
    // Only the layers that use --zoom get it: set on the viewport, every note's style
    // would be recomputed on each zoom frame.
    this.layers.clusters.style.setProperty('--zoom', String(zoom))
    this.layers.sections.style.setProperty('--zoom', String(zoom))
    this.layers.cursors.style.setProperty('--zoom', String(zoom))
  }

  /** Move what the local pointer drags right now, without waiting for a frame. */
  setLocalDrag (drag) {
    const before = this.localDrag
    this.localDrag = drag
    for (const d of [before, drag]) {
      if (!d) continue
      for (const id of d.notes) this._dirty.notes.add(id)
      if (d.clusters.size) this._dirty.clusters = true
    }
    if (drag) this._drawDirty()
    else this.schedule()
  }

  noteElement (id) { return this._els.notes.get(id) || null }
  clusterElement (id) { return this._els.clusters.get(id) || null }

  /** Board coordinates of a point given in client pixels. */
  toBoard (clientX, clientY) {
    const rect = this.viewport.getBoundingClientRect()
    return cameraToBoard(this.camera, clientX - rect.left, clientY - rect.top)
  }

  /** The board point at the centre of what is visible now. */
  visibleCentre () {
    return cameraToBoard(this.camera, this.viewport.clientWidth / 2, this.viewport.clientHeight / 2)
  }

  // ------------------------------------------------------------------- drawing

  render () {
    if (this._frame !== null) {
      clearTimeout(this._frame.timer)
      cancelAnimationFrame(this._frame.raf)
      this._frame = null
    }
    this._drawDirty()
    this._drawCursors()
    const { notes, clusters } = roots(this.doc)
    this.emptyHint.hidden = notes.size > 0 || clusters.size > 0
    for (const listener of this._listeners) listener()
  }

  _drawDirty () {
    const { sections, clusters, notes } = roots(this.doc)
    const dirty = this._dirty
    const all = dirty.all
    if (all || dirty.sections) {
      reconcile(this._els.sections, this.layers.sections, sections, (id, map, el) =>
        this._drawSection(readSection(id, map), el))
    }
    if (all || dirty.layout) {
      // Only when the doc changed: a drag in progress or a selection moves nothing here.
      const before = this.layout.notes
      this.layout = boardLayout(this.doc)
      // A note whose slot moved (it joined, left, or its cluster reflowed or was pushed).
      for (const [id, slot] of this.layout.notes) {
        const old = before.get(id)
        if (!old || old.x !== slot.x || old.y !== slot.y) dirty.notes.add(id)
      }
      for (const id of before.keys()) if (!this.layout.notes.has(id)) dirty.notes.add(id)
      dirty.layout = false
    }
    if (all || dirty.clusters) {
      reconcile(this._els.clusters, this.layers.clusters, clusters, (id, map, el) =>
        this._drawCluster(readCluster(id, map), el))
    }
    if (all) {
      // Oldest first, so a newer note lies on top of older ones.
      const ordered = [...notes.entries()]
        .filter(([, map]) => map instanceof Y.Map)
        .sort(([a, x], [b, y]) => (x.get('created') || 0) - (y.get('created') || 0) || (a < b ? -1 : 1))
      const fragment = document.createDocumentFragment()
      for (const [id, map] of ordered) {
        const existing = this._els.notes.get(id)
        const el = this._drawNote(readNote(id, map), existing)
        if (!existing) { this._els.notes.set(id, el); fragment.append(el) }
      }
      this.layers.notes.append(fragment)
      for (const [id, el] of this._els.notes) {
        if (!notes.has(id)) { el.remove(); this._els.notes.delete(id) }
      }
    } else {
      for (const id of dirty.notes) {
        const map = notes.get(id)
        const existing = this._els.notes.get(id)
        if (!(map instanceof Y.Map)) {
          if (existing) { existing.remove(); this._els.notes.delete(id) }
          continue
        }
        const el = this._drawNote(readNote(id, map), existing)
        if (!existing) { this._els.notes.set(id, el); this.layers.notes.append(el) }
      }
    }
    dirty.all = false
    dirty.sections = false
    dirty.clusters = false
    dirty.notes.clear()
  }

  _drawSection (section, el) {
    if (!el) {
      el = make('section', 'board-section')
      el.append(make('h2', 'section-title'), make('p', 'section-prompt'))
    }
    el.dataset.sectionId = section.id
    el.setAttribute('aria-label', section.title || this.t('outline.no_section'))
    setText(el.querySelector('.section-title'), section.title)
    setText(el.querySelector('.section-prompt'), section.prompt)
    el.style.transform = `translate(${section.x}px, ${section.y}px)`
    el.style.width = `${section.w}px`
    el.style.height = `${section.h}px`
    return el
  }

  _drawCluster (cluster, el) {
    const box = this.layout.clusters.get(cluster.id)
    const placed = box ? { ...cluster, x: box.x, y: box.y, w: box.w, h: box.h } : cluster
    return this._drawItem('cluster', placed, el, box ? box.count : 0)
  }

  _drawNote (note, el) {
    const slot = this.layout.notes.get(note.id)
    return this._drawItem('note', slot ? { ...note, x: slot.x, y: slot.y } : note, el)
  }

  /** Where a note or cluster is drawn now (its slot, its resolved place), or null. */
  placed (kind, id) {
    if (kind === 'cluster') return this.layout.clusters.get(id) || null
    const map = roots(this.doc).notes.get(id)
    if (!(map instanceof Y.Map)) return null
    const slot = this.layout.notes.get(id)
    return slot ? { ...slot } : { x: map.get('x') || 0, y: map.get('y') || 0 }
  }

  /**
   * The one drawing path of notes and clusters: what they share (id, position and the drag
   * in progress, colour, selection) is drawn here, the rest by their entry in ITEMS.
   */
  _drawItem (kind, item, el, extra) {
    const spec = ITEMS[kind]
    if (!el) {
      el = document.createElement('div')
      el.className = kind
      el.tabIndex = 0
      el.setAttribute('role', 'group')
      // Direct references: the note editor is appended to the note while someone types.
      el._parts = spec.build(el, this)
    }
    el.dataset[spec.idKey] = item.id
    el.dataset.x = String(item.x)
    el.dataset.y = String(item.y)
    if (el._color !== item.color) { el.style.setProperty(spec.colorVar, item.color); el._color = item.color }
    const offset = this._offsetFor(kind, item.id, item)
    const transform = `translate(${item.x + offset.dx}px, ${item.y + offset.dy}px)`
    if (el._transform !== transform) { el.style.transform = transform; el._transform = transform }
    el.classList.toggle('selected', this.selection[spec.selection].has(item.id))
    if (kind === 'note') el.classList.toggle('clustered', this.layout.notes.has(item.id))
    el.classList.toggle('dragging', offset.moving)
    spec.fill(el, item, this, extra)
    return el
  }

  /** How far a note or cluster is shifted by a drag in progress (local or remote). */
  _offsetFor (kind, id, item) {
    const local = this.localDrag
    if (local) {
      if (kind === 'note' && (local.notes.has(id) || (item.cluster && local.clusters.has(item.cluster)))) {
        return { dx: local.dx, dy: local.dy, moving: true }
      }
      if (kind === 'cluster' && local.clusters.has(id)) return { dx: local.dx, dy: local.dy, moving: true }
    }
    const own = this._remote.dragging.get(`${kind}:${id}`)
    if (own) return { dx: own.x - item.x, dy: own.y - item.y, moving: true }
    if (kind === 'note' && item.cluster) {
      const drag = this._remote.dragging.get(`cluster:${item.cluster}`)
      const cluster = drag && this.layout.clusters.get(item.cluster)
      if (cluster) return { dx: drag.x - cluster.x, dy: drag.y - cluster.y, moving: true }
    }
    return { dx: 0, dy: 0, moving: false }
  }

  _clusterMembers (clusterId) {
    const ids = []
    for (const [id, note] of roots(this.doc).notes) {
      if (note instanceof Y.Map && note.get('cluster') === clusterId) ids.push(id)
    }
    return ids
  }

  _dirtyKeys (before, after) {
    for (const id of symmetricDifference(before.notes, after.notes)) this._dirty.notes.add(id)
    if (symmetricDifference(before.clusters, after.clusters).length) this._dirty.clusters = true
  }

  _drawCursors () {
    const seen = new Set()
    if (this.showCursors) {
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
        el.style.transform = `translate(${person.cursor.x}px, ${person.cursor.y}px)`
      }
    }
    for (const [clientId, el] of this._els.cursors) {
      if (!seen.has(clientId)) {
        el.remove()
        this._els.cursors.delete(clientId)
      }
    }
  }
}

// What notes and clusters draw beyond their shared part (Renderer._drawItem).
const ITEMS = {
  note: {
    idKey: 'noteId',
    colorVar: '--note-color',
    selection: 'notes',
    build (el) {
      const text = make('div', 'note-text')
      const author = make('span', 'note-author')
      const editor = make('span', 'note-editing-by')
      const footer = make('div', 'note-footer')
      footer.append(author, editor)
      // Shown on a card of the plan only: who, by when, and the statement it serves.
      const who = make('span', 'note-plan-who')
      const serves = make('span', 'note-plan-serves')
      const plan = make('div', 'note-plan')
      plan.append(who, serves)
      el.append(text, plan, footer)
      return { text, author, editor, plan, who, serves }
    },
    fill (el, note, r) {
      el.dataset.cluster = note.cluster || ''
      // Hostile text stays text: only ever textContent, never markup.
      setText(el._parts.text, note.text)
      setText(el._parts.author, r.anonymous ? '' : note.author)
      el.classList.toggle('plan-card', Boolean(note.action))
      const who = note.action ? planWho(note, r.t) : ''
      const serves = note.action && note.statement ? r.t('plan.serves', { statement: note.statement }) : ''
      setText(el._parts.who, who)
      setText(el._parts.serves, serves)
      if (el._parts.serves.title !== serves) el._parts.serves.title = serves
      if (note.action) el.dataset.planAction = note.action
      else delete el.dataset.planAction
      const label = note.action
        ? r.t('plan.card_aria', { text: note.text || r.t('note.empty'), who, serves: serves || r.t('plan.serves_none') })
        : r.anonymous
          ? r.t('note.aria_anonymous', { text: note.text || r.t('note.empty') })
          : r.t('note.aria', { text: note.text || r.t('note.empty'), author: note.author || r.t('note.anonymous') })
      if (el.getAttribute('aria-label') !== label) el.setAttribute('aria-label', label)
      el.classList.toggle('editing', r.editing === note.id)
      el.classList.toggle('match', r.matches.has(note.id))
      el.classList.toggle('match-current', r.currentMatch === note.id)
      const editor = r._remote.editing.get(note.id)
      el.classList.toggle('remote-editing', Boolean(editor))
      setText(el._parts.editor, editor ? r.t('note.editing_by', { name: editor.name }) : '')
      if (editor) el.style.setProperty('--editor-color', editor.color)
      else el.style.removeProperty('--editor-color')
    }
  },
  cluster: {
    idKey: 'clusterId',
    colorVar: '--cluster-color',
    selection: 'clusters',
    build (el, r) {
      // A textarea, so a long name wraps onto a second line instead of being cut off.
      const title = make('textarea', 'cluster-title')
      title.rows = 2
      title.maxLength = 200
      title.spellcheck = false
      // A name is one line of text: Enter leaves the field rather than breaking it.
      title.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' && !event.isComposing) { event.preventDefault(); el.focus({ preventScroll: true }) }
      })
      title.placeholder = r.t('cluster.title_placeholder')
      title.setAttribute('aria-label', r.t('cluster.title_label'))
      title.readOnly = !r.access.mayChangeClusters()
      const count = make('span', 'cluster-count')
      const header = make('div', 'cluster-header')
      header.append(title, count)
      // The theme's vision statement, shown in the discuss phase (and wherever it has text).
      const statement = make('textarea', 'cluster-statement')
      statement.rows = 2
      statement.maxLength = 500
      statement.placeholder = r.t('cluster.statement_placeholder')
      statement.setAttribute('aria-label', r.t('cluster.statement_label'))
      statement.readOnly = !r.access.mayChangeClusters()
      // Far out (semantic zoom) the notes give way to the name and count in large type.
      const label = make('div', 'cluster-label')
      const labelTitle = make('span', 'cluster-label-title')
      const labelCount = make('span', 'cluster-label-count')
      label.append(labelTitle, labelCount)
      label.setAttribute('aria-hidden', 'true')
      el.append(header, statement, label)
      return { title, count, statement, labelTitle, labelCount }
    },
    fill (el, cluster, r, count) {
      el.dataset.count = String(count)
      const title = el._parts.title
      // The focused field is bound to the Y.Text by the editor; do not fight it.
      if (document.activeElement !== title && title.value !== cluster.title) title.value = cluster.title
      const statement = el._parts.statement
      if (document.activeElement !== statement && statement.value !== cluster.statement) statement.value = cluster.statement
      statement.classList.toggle('has-text', Boolean(cluster.statement))
      el.setAttribute('aria-label', r.t('cluster.aria', { title: cluster.title || r.t('cluster.untitled'), count }))
      const countText = r.t(count === 1 ? 'cluster.count_one' : 'cluster.count_many', { count })
      setText(el._parts.count, countText)
      setText(el._parts.labelTitle, cluster.title || r.t('cluster.untitled'))
      setText(el._parts.labelCount, countText)
      const w = `${cluster.w}px`
      const h = `${cluster.h}px`
      if (el.style.width !== w) el.style.width = w
      if (el.style.height !== h) el.style.height = h
    }
  }
}

/** "Eva Lund · 2027-03-01" of a plan card; a missing owner or date says so. */
function planWho (note, t) {
  return t('plan.who', { owner: note.owner || t('plan.no_owner'), due: note.due || t('plan.no_due') })
}

function make (tag, className) {
  const el = document.createElement(tag)
  el.className = className
  return el
}

/** Other people's editing and dragging, keyed for quick lookup. */
function remoteActivity (people) {
  const editing = new Map()
  const dragging = new Map()
  for (const person of people) {
    if (person.self) continue
    if (person.editing) editing.set(person.editing, person)
    if (person.drag) dragging.set(`${person.drag.kind}:${person.drag.id}`, person.drag)
  }
  return { editing, dragging }
}

function splitKey (key) {
  const at = key.indexOf(':')
  return [key.slice(0, at), key.slice(at + 1)]
}

function symmetricDifference (a, b) {
  const out = []
  for (const x of a) if (!b.has(x)) out.push(x)
  for (const x of b) if (!a.has(x)) out.push(x)
  return out
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

function setText (el, text) {
  if (el && el.textContent !== text) el.textContent = text
}

