// The outline view: the same board as headings and lists (sections > clusters > notes),
// fully keyboard-operable and read well by screen readers. It is also the board on a
// phone. Notes can be written, added, deleted and moved between clusters here; every
// change goes through model.js, so the canvas and everyone else see it at once.
import * as Y from 'yjs'
import * as model from '../core/model.js'
import { bindTextField } from '../core/editor.js'
import { el as make } from '../core/dom.js'

export class OutlineView {
  constructor ({ doc, container, t, config, readOnly = false, anonymous = false, access = null }) {
    // `access` (board/access.js) says, per note, what the phase lets this person change.
    Object.assign(this, { doc, container, t, config, readOnly, anonymous, access })
    this.visible = false
    this._frame = null
    this._els = { groups: new Map(), clusters: new Map(), notes: new Map() }
    this._bound = null // {field, unbind}
    this._focusAfterRender = null
    // A page may take over new notes (the silent brainstorm sends them to private drafts):
    // (sectionId) => true when it did.
    this.interceptAdd = null
    this._rendered = new Set()

    const heading = document.createElement('h2')
    heading.className = 'visually-hidden'
    heading.textContent = t('outline.heading')
    this.actions = document.createElement('div')
    this.actions.className = 'outline-actions'
    if (!readOnly) {
      this.actions.append(button(t('outline.add_cluster'), 'outline-add-cluster', () => this._addCluster()))
    }
    this.body = document.createElement('div')
    this.body.className = 'outline-body'
    container.append(heading, this.actions, this.body)

    const { notes, clusters, sections } = model.roots(doc)
    for (const type of [notes, clusters, sections]) type.observeDeep(() => this.schedule())
    access?.onChange(() => this.schedule())
    container.addEventListener('focusin', (event) => this._focusIn(event))
    container.addEventListener('focusout', (event) => {
      if (this._bound && event.target === this._bound.field) this._unbind()
    })
    container.addEventListener('keydown', (event) => this._keyDown(event))
  }

  /** Hide or show the authors' names (the facilitator's anonymity switch). */
  setAnonymous (anonymous) {
    if (this.anonymous === anonymous) return
    this.anonymous = anonymous
    this.schedule()
  }

  /** Call `fn` after each render (pages add their parts to the slots then). */
  onRender (fn) {
    this._rendered.add(fn)
    return () => this._rendered.delete(fn)
  }

  /** A container for a page's own controls on a cluster or note ('cluster' | 'note'), or null. */
  slot (kind, id) {
    const el = this._els[kind === 'note' ? 'notes' : 'clusters'].get(id)
    if (!el) return null
    if (!el._slot) {
      el._slot = make('div', { className: 'outline-slot' })
      if (kind === 'note') el.append(el._slot)
      else el._heading.after(el._slot)
    }
    return el._slot
  }

  show (visible) {
    this.visible = visible
    this.container.hidden = !visible
    if (visible) this.render()
  }

  schedule () {
    if (!this.visible || this._frame) return
    this._frame = requestAnimationFrame(() => { this._frame = null; this.render() })
  }

  render () {
    if (this._frame) { cancelAnimationFrame(this._frame); this._frame = null }
    const active = document.activeElement
    const tree = model.outline(this.doc)
    const clusterOptions = tree.flatMap((group) => group.clusters.map((node) => node.cluster))
    const hasSections = tree.some((group) => group.section)
    const seen = { groups: new Set(), clusters: new Set(), notes: new Set() }

    const groupEls = tree.map((group) => {
      const key = group.section ? group.section.id : ''
      seen.groups.add(key)
      const el = this._group(key, group, hasSections)
      const clusterEls = group.clusters.map((node) => {
        seen.clusters.add(node.cluster.id)
        const cel = this._cluster(node)
        place(cel._list, node.notes.map((note) => { seen.notes.add(note.id); return this._note(note, clusterOptions) }))
        return cel
      })
      place(el._clusters, clusterEls)
      place(el._list, group.notes.map((note) => { seen.notes.add(note.id); return this._note(note, clusterOptions) }))
      el._looseHeading.hidden = group.notes.length === 0 && group.clusters.length > 0
      return el
    })
    place(this.body, groupEls)
    for (const kind of ['groups', 'clusters', 'notes']) {
      for (const [id, el] of this._els[kind]) {
        if (!seen[kind].has(id)) { el.remove(); this._els[kind].delete(id) }
      }
    }
    // Moving an element blurs it; give focus back to what had it.
    if (active && active !== document.activeElement && active.isConnected) active.focus({ preventScroll: true })
    if (this._focusAfterRender) {
      const noteEl = this._els.notes.get(this._focusAfterRender)
      this._focusAfterRender = null
      noteEl?.querySelector('textarea')?.focus()
    }
    for (const fn of this._rendered) fn()
  }

  _group (key, group, hasSections) {
    let el = this._els.groups.get(key)
    if (!el) {
      const heading = make('h2', { id: `outline-section-${key || 'rest'}` })
      el = make('section', { className: 'outline-section', attrs: { 'aria-labelledby': heading.id } })
      el._heading = heading
      el._prompt = make('p', { className: 'outline-prompt' })
      el._clusters = make('div', { className: 'outline-clusters' })
      el._list = make('ul', { className: 'outline-notes' })
      const loose = make('section', { className: 'outline-loose' }, make('h3', { textContent: this.t('outline.loose') }), el._list)
      el._looseHeading = loose
      if (!this.readOnly) {
        loose.append(button(this.t('outline.add_note'), 'outline-add', () => this._addNote(null, key || null)))
      }
      el.append(heading, el._prompt, el._clusters, loose)
      this._els.groups.set(key, el)
    }
    const title = group.section ? (group.section.title || this.t('outline.untitled_section')) : this.t(hasSections ? 'outline.no_section' : 'outline.board')
    setText(el._heading, title)
    setText(el._prompt, group.section ? group.section.prompt : '')
    el._prompt.hidden = !(group.section && group.section.prompt)
    return el
  }

  /** May `what` ('edit', 'move', 'delete') be done to note `id` now? */
  _may (what, id) {
    if (this.readOnly) return false
    return !this.access || this.access.mayNote(what, model.getNote(this.doc, id))
  }

  _mayChangeClusters () {
    return !this.readOnly && (!this.access || this.access.mayChangeClusters())
  }

  _cluster (node) {
    const { cluster, notes } = node
    let el = this._els.clusters.get(cluster.id)
    if (!el) {
      const headingText = make('span')
      const count = make('span', { className: 'outline-count' })
      const heading = make('h3', { id: `outline-cluster-${cluster.id}` }, headingText, ' ', count)
      el = make('section', { className: 'outline-cluster', dataset: { clusterId: cluster.id }, attrs: { 'aria-labelledby': heading.id } })
      Object.assign(el, { _heading: heading, _headingText: headingText, _count: count })
      el._title = make('input', {
        type: 'text', className: 'outline-cluster-title', maxLength: 200, readOnly: this.readOnly, placeholder: this.t('cluster.title_placeholder')
      })
      el._list = make('ul', { className: 'outline-notes' })
      // The theme's vision statement, once written (on the canvas it is a field of its own).
      el._statementText = make('span', { className: 'outline-statement-text' })
      el._statement = make('p', { className: 'outline-statement', hidden: true },
        make('b', { textContent: `${this.t('cluster.statement_label')}: ` }), el._statementText)
      el.append(heading, el._statement, make('label', { className: 'outline-field' }, make('span', { textContent: this.t('cluster.title_label') }), el._title), el._list)
      if (!this.readOnly) {
        el.append(button(this.t('outline.add_note_cluster'), 'outline-add', () => this._addNote(cluster.id, null)))
      }
      this._els.clusters.set(cluster.id, el)
    }
    setText(el._headingText, cluster.title || this.t('cluster.untitled'))
    setText(el._count, `(${this.t(notes.length === 1 ? 'cluster.count_one' : 'cluster.count_many', { count: notes.length })})`)
    if (document.activeElement !== el._title && el._title.value !== cluster.title) el._title.value = cluster.title
    el._title.readOnly = !this._mayChangeClusters()
    setText(el._statementText, cluster.statement || '')
    el._statement.hidden = !cluster.statement
    el.style.setProperty('--cluster-color', cluster.color)
    return el
  }

  _note (note, clusters) {
    let el = this._els.notes.get(note.id)
    if (!el) {
      el = document.createElement('li')
      el.className = 'outline-note'
      el.dataset.noteId = note.id
      const field = document.createElement('textarea')
      field.className = 'outline-note-text'
      field.rows = 2
      field.maxLength = 2000
      field.readOnly = this.readOnly
      field.setAttribute('aria-label', this.t('note.edit_label'))
      field.placeholder = this.t('note.placeholder')
      const meta = document.createElement('div')
      meta.className = 'outline-note-meta'
      const author = document.createElement('span')
      author.className = 'outline-author'
      const select = document.createElement('select')
      select.className = 'outline-move'
      select.disabled = this.readOnly
      select.setAttribute('aria-label', this.t('outline.move_label'))
      select.addEventListener('change', () => {
        this._focusAfterRender = note.id
        model.moveNoteToCluster(this.doc, note.id, select.value || null)
      })
      meta.append(author, select)
      if (!this.readOnly) {
        const remove = button(this.t('outline.delete_note'), 'outline-delete', () => this._deleteNote(note.id))
        meta.append(remove)
        el._remove = remove
      }
      el.append(field, meta)
      el._field = field
      el._author = author
      el._select = select
      el._options = ''
      this._els.notes.set(note.id, el)
    }
    el.style.setProperty('--note-color', note.color)
    el._field.readOnly = !this._may('edit', note.id)
    el._select.disabled = !this._may('move', note.id)
    if (el._remove) el._remove.hidden = !this._may('delete', note.id)
    if (document.activeElement !== el._field && el._field.value !== note.text) el._field.value = note.text
    setText(el._author, this.anonymous || !note.author ? '' : this.t('outline.by', { author: note.author }))
    el._author.hidden = this.anonymous || !note.author
    const text = note.text || this.t('note.empty')
    el._remove?.setAttribute('aria-label', this.t('outline.delete_note_label', { text }))
    // Rebuild the options only when the list of clusters changed.
    const optionsKey = clusters.map((c) => `${c.id}\u0000${c.title}`).join('\u0001')
    if (el._options !== optionsKey) {
      el._options = optionsKey
      const none = new Option(this.t('outline.no_cluster'), '')
      el._select.replaceChildren(none, ...clusters.map((c) => new Option(c.title || this.t('cluster.untitled'), c.id)))
    }
    const value = note.cluster && clusters.some((c) => c.id === note.cluster) ? note.cluster : ''
    if (el._select.value !== value) el._select.value = value
    return el
  }

  _focusIn (event) {
    const target = event.target
    if (this.readOnly) return
    if (target.classList.contains('outline-note-text')) {
      const id = target.closest('[data-note-id]').dataset.noteId
      if (!this._may('edit', id)) return
      const ytext = model.noteText(this.doc, id)
      if (ytext) this._bind(target, ytext)
    } else if (target.classList.contains('outline-cluster-title')) {
      const id = target.closest('[data-cluster-id]').dataset.clusterId
      if (!this._mayChangeClusters()) return
      const ytext = model.clusterTitle(this.doc, id)
      if (ytext) this._bind(target, ytext)
    }
  }

  _bind (field, ytext) {
    this._unbind()
    this._bound = { field, unbind: bindTextField(field, ytext, this.doc) }
  }

  _unbind () {
    if (!this._bound) return
    this._bound.unbind()
    this._bound = null
  }

  _keyDown (event) {
    // Alt+Up/Down moves a note into the previous/next cluster, for keyboard users who
    // would rather not open the select.
    const li = event.target.closest?.('.outline-note')
    if (!li || !event.altKey || !this._may('move', li.dataset.noteId) || !['ArrowUp', 'ArrowDown'].includes(event.key)) return
    event.preventDefault()
    const select = li.querySelector('select')
    const next = select.selectedIndex + (event.key === 'ArrowDown' ? 1 : -1)
    if (next < 0 || next >= select.options.length) return
    this._focusAfterRender = li.dataset.noteId
    model.moveNoteToCluster(this.doc, li.dataset.noteId, select.options[next].value || null)
  }

  _addNote (clusterId, sectionId) {
    if (this.interceptAdd?.(sectionId)) return
    const fields = { author: this.config.name || '', authorId: this.config.participant_id || null }
    let at = null
    if (!clusterId) {
      const section = sectionId ? model.roots(this.doc).sections.get(sectionId) : null
      const box = model.contentBounds(this.doc)
      at = section instanceof Y.Map
        ? { x: (section.get('x') || 0) + 24, y: (section.get('y') || 0) + 96 }
        : { x: box ? box.x1 + 40 : 40, y: box ? box.y0 : 40 }
    }
    const id = model.addNoteToCluster(this.doc, clusterId, { ...fields, at })
    if (!clusterId && id) model.placeNote(this.doc, id, at.x, at.y)
    this._focusAfterRender = id
    this.render()
  }

  _addCluster () {
    if (!this._mayChangeClusters()) return
    const box = model.contentBounds(this.doc)
    const id = model.createCluster(this.doc, { x: box ? box.x1 + 60 : 40, y: box ? box.y0 : 40 })
    this.render()
    this._els.clusters.get(id)?._title.focus()
  }

  _deleteNote (id) {
    if (!this._may('delete', id)) return
    const el = this._els.notes.get(id)
    const next = el?.nextElementSibling || el?.previousElementSibling
    model.deleteNote(this.doc, id)
    this.render()
    ;(next?.querySelector('textarea') || this.container.querySelector('button'))?.focus()
  }
}

function button (text, className, onClick) {
  const el = document.createElement('button')
  el.type = 'button'
  el.className = `button ${className}`
  el.textContent = text
  el.addEventListener('click', onClick)
  return el
}

/** Make `parent`'s children exactly `els`, in order, moving as little as possible. */
function place (parent, els) {
  let cursor = parent.firstChild
  for (const el of els) {
    if (cursor === el) cursor = cursor.nextSibling
    else parent.insertBefore(el, cursor)
  }
  while (cursor) {
    const next = cursor.nextSibling
    cursor.remove()
    cursor = next
  }
}

function setText (el, text) {
  if (el.textContent !== text) el.textContent = text
}
