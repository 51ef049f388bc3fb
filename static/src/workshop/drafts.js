// A participant's private notes during the silent brainstorm: their own drafts doc
// (`/ws/{id}/drafts`, laid out like the board's `notes`), shown only to them in a tray
// docked beside the board. Each draft is written under one of the board's questions
// (its `section`, the same field board notes have); the facilitator's reveal copies them
// onto the board into that section and marks them `revealed`.
import * as Y from 'yjs'
import { createNote, deleteNote, noteText, outline, readNote, roots } from '../core/model.js'
import { bindTextField } from '../core/editor.js'
import { connectDoc } from '../net/connect.js'
import { el as make } from '../core/dom.js'

/** The drafts still private, oldest first (the order they will be revealed in). */
export function pendingDrafts (doc) {
  const list = []
  for (const [id, map] of roots(doc).notes) {
    if (!(map instanceof Y.Map) || map.get('revealed')) continue
    list.push(readNote(id, map))
  }
  return list.sort((a, b) => (a.created - b.created) || (a.id < b.id ? -1 : 1))
}

/** The board's questions in template order: [{id, title}]. */
function boardQuestions (board) {
  return outline(board).filter((group) => group.section).map(({ section }) => ({ id: section.id, title: section.title }))
}

export class DraftsTray {
  /**
   * @param {object} opts
   * @param {Y.Doc} [opts.board]   the content doc, for the questions a draft is written under
   * @param {() => void} [opts.onLeave]  a field was left with Escape: give the board the keys
   */
  constructor ({ config, t, board = null, onState = () => {}, onLeave = () => {}, location = window.location }) {
    this.config = config
    this.t = t
    this.board = board
    this.onLeave = onLeave
    this.doc = new Y.Doc()
    this.connection = connectDoc({ doc: this.doc, config, room: `${config.board_id}/drafts`, presence: false, onState, location })
    this.provider = this.connection.provider
    this.active = false
    this.current = null // the question the facilitator has put up (a section id)
    this.questions = []
    this.items = new Map() // id -> {li, field, select, unbind}

    this.addButton = make('button', { type: 'button', className: 'button primary drafts-add', textContent: t('drafts.add') })
    this.addButton.addEventListener('click', () => this.add())
    this.empty = make('p', { className: 'drafts-empty', textContent: t('drafts.empty') })
    this.list = make('ol', { className: 'drafts-list' })
    const head = make('div', { className: 'drafts-head' },
      make('h2', { id: 'samsyn-drafts-heading', textContent: t('drafts.heading') }),
      make('p', { className: 'drafts-hint', textContent: t('drafts.hint') }),
      this.addButton)
    const el = make('aside', { className: 'drafts-tray', id: 'samsyn-drafts', hidden: true, attrs: { 'aria-labelledby': 'samsyn-drafts-heading' } },
      head, make('div', { className: 'drafts-scroll' }, this.empty, this.list))
    // Keys typed here belong to these fields, not to the board's shortcuts.
    el.addEventListener('keydown', (event) => {
      event.stopPropagation()
      this._keyDown(event)
    })
    el.addEventListener('focusout', (event) => this._focusOut(event))
    this.el = el

    roots(this.doc).notes.observeDeep(() => this.render())
    if (board) {
      const sections = roots(board).sections
      const refresh = () => { this.questions = boardQuestions(board); this.render() }
      sections.observeDeep(refresh)
      this.questions = boardQuestions(board)
    }
    this.render()
  }

  /** Shown while the brainstorm is silent, and whenever private drafts are left over. */
  setActive (active) {
    this.active = active
    this.render()
  }

  /** The question new drafts are written under unless the person picks another. */
  setCurrentQuestion (sectionId) {
    this.current = sectionId || null
  }

  /** A new private note under `section` (default: as the last draft, else the current
   * question), focused for typing; returns its id. */
  add (section = undefined) {
    if (!this.active) return null
    const drafts = pendingDrafts(this.doc)
    const id = createNote(this.doc, {
      x: 0,
      y: 0,
      author: this.config.name || '',
      authorId: this.config.participant_id || null,
      section: this._validSection(section) ?? this._defaultSection(drafts)
    })
    this.render()
    const field = this.items.get(id)?.field
    field?.focus()
    field?.scrollIntoView({ block: 'nearest' })
    return id
  }

  _validSection (section) {
    return this.questions.some((q) => q.id === section) ? section : null
  }

  _defaultSection (drafts) {
    const last = drafts.length ? drafts[drafts.length - 1].section : null
    return this._validSection(last) ?? this._validSection(this.current) ?? this.questions[0]?.id ?? null
  }

  render () {
    const drafts = pendingDrafts(this.doc)
    this.el.hidden = !this.active && drafts.length === 0
    document.body.classList.toggle('drafts-open', !this.el.hidden)
    this.addButton.hidden = !this.active
    this.empty.hidden = drafts.length > 0 || !this.active
    const keep = new Set(drafts.map((d) => d.id))
    for (const [id, item] of this.items) {
      if (!keep.has(id)) { item.unbind(); item.li.remove(); this.items.delete(id) }
    }
    const questionsKey = this.questions.map((q) => `${q.id}\u0000${q.title}`).join('\u0001')
    drafts.forEach((draft, index) => {
      let item = this.items.get(draft.id)
      if (!item) item = this._item(draft.id)
      const number = index + 1
      item.label.textContent = this.t('drafts.note_label', { number })
      item.remove.setAttribute('aria-label', this.t('drafts.delete_label', { number }))
      item.remove.title = item.remove.getAttribute('aria-label')
      this._fillQuestions(item, questionsKey, draft.section)
      if (this.list.children[index] !== item.li) this.list.insertBefore(item.li, this.list.children[index] || null)
    })
  }

  _fillQuestions (item, key, section) {
    item.question.hidden = this.questions.length === 0
    if (item.questionsKey !== key) {
      item.questionsKey = key
      item.select.replaceChildren(...this.questions.map((q, i) =>
        new Option(q.title || this.t('drafts.question_n', { number: i + 1 }), q.id)))
    }
    const value = this._validSection(section) ?? ''
    if (item.select.value !== value) item.select.value = value
  }

  _item (id) {
    const label = make('label', { className: 'visually-hidden', htmlFor: `draft-${id}` })
    const field = make('textarea', {
      id: `draft-${id}`, className: 'draft-text', maxLength: 2000, rows: 3, placeholder: this.t('note.placeholder'),
      attrs: { 'aria-keyshortcuts': 'Enter Escape' }
    })
    const select = make('select', { className: 'draft-question', id: `draft-q-${id}` })
    select.addEventListener('change', () => {
      const note = roots(this.doc).notes.get(id)
      if (note instanceof Y.Map) note.set('section', select.value || null)
    })
    const question = make('label', { className: 'draft-question-field', htmlFor: select.id },
      make('span', { textContent: this.t('drafts.question') }), select)
    const remove = make('button', { type: 'button', className: 'button icon draft-delete', textContent: '×' })
    remove.addEventListener('click', () => deleteNote(this.doc, id))
    const li = make('li', { className: 'draft', dataset: { draftId: id } }, label, question, field, remove)
    const unbind = bindTextField(field, noteText(this.doc, id), this.doc)
    const item = { li, label, field, select, question, remove, unbind, questionsKey: null }
    this.items.set(id, item)
    return item
  }

  // Enter saves and starts the next note (Shift+Enter: a new line); Escape leaves it.
  _keyDown (event) {
    const field = event.target
    if (!field.classList?.contains('draft-text') || event.isComposing) return
    if (event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault()
      if (!field.value.trim()) return // nothing written yet: stay here
      const id = field.closest('[data-draft-id]').dataset.draftId
      this.add(roots(this.doc).notes.get(id)?.get('section'))
    } else if (event.key === 'Escape') {
      event.preventDefault()
      field.blur()
      this.onLeave()
    }
  }

  // A draft left empty is dropped when the person leaves it: it would reveal as a blank note.
  _focusOut (event) {
    const field = event.target
    if (!field.classList?.contains('draft-text') || field.value.trim()) return
    const li = field.closest('[data-draft-id]')
    if (event.relatedTarget && li?.contains(event.relatedTarget)) return
    const id = li?.dataset.draftId
    if (id && !noteText(this.doc, id)?.toString().trim()) deleteNote(this.doc, id)
  }

  destroy () {
    for (const item of this.items.values()) item.unbind()
    this.connection.destroy()
  }
}
