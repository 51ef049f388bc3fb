// A participant's private notes during the silent brainstorm: their own drafts doc
// (`/ws/{id}/drafts`, laid out like the board's `notes`), shown only to them in a tray.
// The facilitator's reveal copies them onto the board and marks them `revealed`.
import * as Y from 'yjs'
import { createNote, deleteNote, noteText, readNote, roots } from '../core/model.js'
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

export class DraftsTray {
  constructor ({ config, t, onState = () => {}, location = window.location }) {
    this.config = config
    this.t = t
    this.doc = new Y.Doc()
    this.connection = connectDoc({ doc: this.doc, config, room: `${config.board_id}/drafts`, presence: false, onState, location })
    this.provider = this.connection.provider
    this.active = false
    this.items = new Map() // id -> {li, field, unbind}

    this.addButton = make('button', { type: 'button', className: 'button primary drafts-add', textContent: t('drafts.add') })
    this.addButton.addEventListener('click', () => this.add())
    this.empty = make('p', { className: 'drafts-empty', textContent: t('drafts.empty') })
    this.list = make('ol', { className: 'drafts-list' })
    const el = make('aside', { className: 'drafts-tray', id: 'samsyn-drafts', hidden: true, attrs: { 'aria-labelledby': 'samsyn-drafts-heading' } },
      make('h2', { id: 'samsyn-drafts-heading', textContent: t('drafts.heading') }),
      make('p', { className: 'drafts-hint', textContent: t('drafts.hint') }),
      this.addButton, this.empty, this.list)
    // Keys typed here belong to these fields, not to the board's shortcuts.
    el.addEventListener('keydown', (event) => event.stopPropagation())
    this.el = el

    roots(this.doc).notes.observeDeep(() => this.render())
    this.render()
  }

  /** Shown while the brainstorm is silent, and whenever private drafts are left over. */
  setActive (active) {
    this.active = active
    this.render()
  }

  /** A new private note, focused for typing; returns its id. */
  add () {
    if (!this.active) return null
    const id = createNote(this.doc, {
      x: 0,
      y: 0,
      author: this.config.name || '',
      authorId: this.config.participant_id || null
    })
    this.render()
    this.items.get(id)?.field.focus()
    return id
  }

  render () {
    const drafts = pendingDrafts(this.doc)
    this.el.hidden = !this.active && drafts.length === 0
    this.addButton.hidden = !this.active
    this.empty.hidden = drafts.length > 0 || !this.active
    const keep = new Set(drafts.map((d) => d.id))
    for (const [id, item] of this.items) {
      if (!keep.has(id)) { item.unbind(); item.li.remove(); this.items.delete(id) }
    }
    drafts.forEach((draft, index) => {
      let item = this.items.get(draft.id)
      if (!item) item = this._item(draft.id)
      const number = index + 1
      item.label.textContent = this.t('drafts.note_label', { number })
      item.remove.setAttribute('aria-label', this.t('drafts.delete_label', { number }))
      item.remove.title = item.remove.getAttribute('aria-label')
      if (this.list.children[index] !== item.li) this.list.insertBefore(item.li, this.list.children[index] || null)
    })
  }

  _item (id) {
    const label = make('label', { className: 'visually-hidden', htmlFor: `draft-${id}` })
    const field = make('textarea', {
      id: `draft-${id}`, className: 'draft-text', maxLength: 2000, rows: 3, placeholder: this.t('note.placeholder')
    })
    const remove = make('button', { type: 'button', className: 'button icon draft-delete', textContent: '×' })
    remove.addEventListener('click', () => deleteNote(this.doc, id))
    const li = make('li', { className: 'draft', dataset: { draftId: id } }, label, field, remove)
    const unbind = bindTextField(field, noteText(this.doc, id), this.doc)
    const item = { li, label, field, remove, unbind }
    this.items.set(id, item)
    return item
  }

  destroy () {
    for (const item of this.items.values()) item.unbind()
    this.connection.destroy()
  }
}
