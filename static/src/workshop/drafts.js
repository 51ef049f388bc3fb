// A participant's private notes during the silent brainstorm: their own drafts doc
// (`/ws/{id}/drafts`, laid out like the board's `notes`), shown only to them in a tray.
// The facilitator's reveal copies them onto the board and marks them `revealed`.
import * as Y from 'yjs'
import { createNote, deleteNote, noteText, readNote, roots } from '../core/model.js'
import { bindTextField } from '../core/editor.js'
import { connectDoc } from '../net/connect.js'

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

    const el = document.createElement('aside')
    el.className = 'drafts-tray'
    el.id = 'samsyn-drafts'
    el.hidden = true
    el.setAttribute('aria-labelledby', 'samsyn-drafts-heading')
    const heading = document.createElement('h2')
    heading.id = 'samsyn-drafts-heading'
    heading.textContent = t('drafts.heading')
    const hint = document.createElement('p')
    hint.className = 'drafts-hint'
    hint.textContent = t('drafts.hint')
    this.addButton = document.createElement('button')
    this.addButton.type = 'button'
    this.addButton.className = 'button primary drafts-add'
    this.addButton.textContent = t('drafts.add')
    this.addButton.addEventListener('click', () => this.add())
    this.empty = document.createElement('p')
    this.empty.className = 'drafts-empty'
    this.empty.textContent = t('drafts.empty')
    this.list = document.createElement('ol')
    this.list.className = 'drafts-list'
    el.append(heading, hint, this.addButton, this.empty, this.list)
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
    const li = document.createElement('li')
    li.className = 'draft'
    li.dataset.draftId = id
    const label = document.createElement('label')
    label.className = 'visually-hidden'
    label.htmlFor = `draft-${id}`
    const field = document.createElement('textarea')
    field.id = `draft-${id}`
    field.className = 'draft-text'
    field.maxLength = 2000
    field.rows = 3
    field.placeholder = this.t('note.placeholder')
    const remove = document.createElement('button')
    remove.type = 'button'
    remove.className = 'button icon draft-delete'
    remove.textContent = '×'
    remove.addEventListener('click', () => deleteNote(this.doc, id))
    li.append(label, field, remove)
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
