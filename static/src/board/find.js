// Find: a search box that highlights matching notes and pans to them. Ctrl/Cmd+F focuses
// it, Enter goes to the next match (Shift+Enter the previous), Escape clears it.
import { findNotes } from '../core/model.js'

export class Find {
  constructor ({ doc, renderer, input, root, t, lang }) {
    Object.assign(this, { doc, renderer, input, t, lang })
    this.field = root.querySelector('[data-find]')
    this.status = root.querySelector('[data-find-status]')
    this.matches = []
    this.index = -1
    if (!this.field) return
    this.field.addEventListener('input', () => this.search(true))
    this.field.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault()
        this.step(event.shiftKey ? -1 : 1)
      } else if (event.key === 'Escape') {
        event.preventDefault()
        this.clear()
        this.renderer.viewport.focus({ preventScroll: true })
      }
    })
    document.addEventListener('keydown', (event) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'f') {
        event.preventDefault()
        this.field.focus()
        this.field.select()
      }
    })
    // Keep the highlights true while people edit.
    let pending = null
    doc.getMap('notes').observeDeep(() => {
      if (!this.field.value.trim() || pending) return
      pending = setTimeout(() => { pending = null; this.search(false) }, 250)
    })
  }

  search (jump) {
    const current = this.matches[this.index]
    this.matches = findNotes(this.doc, this.field.value, this.lang)
    this.index = this.matches.indexOf(current)
    if (jump || (this.index < 0 && this.matches.length)) this.index = this.matches.length ? 0 : -1
    this._show(jump)
  }

  step (direction) {
    if (!this.matches.length) return this.search(true)
    this.index = (this.index + direction + this.matches.length) % this.matches.length
    this._show(true)
  }

  clear () {
    this.field.value = ''
    this.matches = []
    this.index = -1
    this._show(false)
  }

  _show (pan) {
    const current = this.matches[this.index] || null
    this.renderer.setMatches(this.matches, current)
    if (this.status) {
      const query = this.field.value.trim()
      this.status.textContent = !query
        ? ''
        : this.matches.length
          ? this.t('find.status', { index: this.index + 1, count: this.matches.length })
          : this.t('find.none')
    }
    if (pan && current) this.input.ensureVisible('note', current, { centre: true })
  }
}
