// The facilitator's steps along the Målbild journey: bring knowledge gathered before the
// workshop onto the board in one go (POST /notes/bulk), and start the next board from
// this one (POST /continue: "Fortsätt med medarbetarna" or a plain copy).
import * as Y from 'yjs'
import { roots, readSection } from '../core/model.js'
import { el } from '../core/dom.js'

const MAX_CSV_BYTES = 2 * 1024 * 1024

/** Sections in template order, as {id, title}. */
export function sectionChoices (doc) {
  const rows = []
  for (const [id, map] of roots(doc).sections) {
    if (map instanceof Y.Map) rows.push(readSection(id, map))
  }
  rows.sort((a, b) => (a.order - b.order) || a.title.localeCompare(b.title) || (a.id < b.id ? -1 : 1))
  return rows.map(({ id, title }) => ({ id, title }))
}

/** Pasted text as note lines: one per line, blank lines dropped. */
export function pastedLines (text) {
  return String(text || '').split(/\r\n|\r|\n/).map((line) => line.trim()).filter(Boolean)
}

function failure (t, key, error) {
  return t(key, { detail: (error && (error.detail || error.code)) || '' })
}

/** Paste lines or pick a CSV, choose a section, add them all. */
export class BulkNotes {
  constructor ({ api, doc, t }) {
    Object.assign(this, { api, doc, t })
    const form = el('form', { className: 'bulk-form stack' })
    this.section = el('select', { id: 'bulk-section' })
    this.lines = el('textarea', { id: 'bulk-lines', rows: 5, className: 'bulk-lines' })
    this.file = el('input', { type: 'file', id: 'bulk-file', accept: '.csv,text/csv,text/plain' })
    this.header = el('input', { type: 'checkbox', id: 'bulk-header' })
    this.status = el('p', { className: 'facil-hint bulk-status', attrs: { role: 'status', 'aria-live': 'polite' } })
    this.submit = el('button', { type: 'submit', className: 'button', textContent: t('bulk.submit') })
    form.append(
      el('p', { className: 'facil-hint', textContent: t('bulk.hint') }),
      el('div', { className: 'facil-field' }, el('label', { htmlFor: 'bulk-section', textContent: t('bulk.section') }), this.section),
      el('label', { htmlFor: 'bulk-lines', textContent: t('bulk.lines') }), this.lines,
      el('label', { htmlFor: 'bulk-file', textContent: t('bulk.file') }), this.file,
      el('label', { htmlFor: 'bulk-header', className: 'facil-check' }, this.header, ' ', t('bulk.header')),
      el('div', { className: 'facil-row' }, this.submit),
      this.status
    )
    form.addEventListener('submit', (event) => { event.preventDefault(); this.send() })
    this.el = form
    this.section.addEventListener('change', () => { this._touched = true })
    this._fillSections()
    roots(doc).sections.observeDeep(() => this._fillSections())
  }

  _fillSections () {
    const choices = sectionChoices(this.doc)
    const key = JSON.stringify(choices)
    if (key === this._sectionsKey) return
    this._sectionsKey = key
    const current = this.section.value
    this.section.replaceChildren(
      ...choices.map((s) => new Option(s.title || this.t('bulk.section'), s.id)),
      new Option(this.t('bulk.no_section'), '')
    )
    if (this._touched && [...this.section.options].some((o) => o.value === current)) {
      this.section.value = current
    }
  }

  show (message, error = false) {
    this.status.textContent = message
    this.status.classList.toggle('error', error)
  }

  async send () {
    const t = this.t
    const section = this.section.value || null
    let body
    const file = this.file.files && this.file.files[0]
    if (file) {
      if (file.size > MAX_CSV_BYTES) return this.show(t('import.too_large'), true)
      let text
      try { text = await file.text() } catch { return this.show(t('bulk.file_unreadable'), true) }
      body = { section, csv: text, header: this.header.checked }
    } else {
      const lines = pastedLines(this.lines.value)
      if (!lines.length) return this.show(t('bulk.empty'), true)
      body = { section, lines }
    }
    this.submit.disabled = true
    try {
      const result = await this.api.post('/notes/bulk', body)
      this.show(t(result.created === 1 ? 'bulk.added_one' : 'bulk.added_many', { count: result.created }))
      this.status.dataset.created = String(result.created)
      this.lines.value = ''
      this.file.value = ''
    } catch (error) {
      this.show(failure(t, 'bulk.failed', error), true)
    } finally {
      this.submit.disabled = false
    }
  }
}

/** "Fortsätt med medarbetarna" and "Kopiera tavlan": a new board, opened in a new tab. */
export class NextBoard {
  constructor ({ api, t, open = (url) => window.open(url, '_blank', 'noopener') }) {
    Object.assign(this, { api, t, open })
    this.status = el('p', { className: 'facil-hint continue-status', attrs: { role: 'status', 'aria-live': 'polite' } })
    this.link = el('a', { className: 'continue-link', target: '_blank', rel: 'noopener', textContent: t('continue.open') })
    this.link.hidden = true
    this.buttons = []
    const choice = (mode, primary) => {
      const hintId = `continue-${mode}-hint`
      const b = el('button', {
        type: 'button',
        className: primary ? 'button primary' : 'button',
        textContent: t(`continue.${mode}`),
        dataset: { continue: mode },
        attrs: { 'aria-describedby': hintId }
      })
      b.addEventListener('click', () => this.create(mode))
      this.buttons.push(b)
      return el('div', { className: 'continue-choice' }, b, el('p', { id: hintId, className: 'facil-hint', textContent: t(`continue.${mode}_hint`) }))
    }
    this.el = el('div', { className: 'continue stack' },
      el('p', { className: 'facil-hint', textContent: t('continue.hint') }),
      choice('deepening', true), choice('copy', false), this.status, this.link)
  }

  async create (mode) {
    const t = this.t
    for (const b of this.buttons) b.disabled = true
    this.link.hidden = true
    this.status.classList.remove('error')
    this.status.textContent = t('continue.working')
    try {
      const board = await this.api.post('/continue', { mode })
      this.status.textContent = t('continue.created', { title: board.title })
      this.link.href = board.urls.facilitator
      this.link.hidden = false
      this.open(board.urls.facilitator)
    } catch (error) {
      this.status.classList.add('error')
      this.status.textContent = error && error.code === 'no_clusters'
        ? t('continue.no_clusters')
        : failure(t, 'continue.failed', error)
    } finally {
      for (const b of this.buttons) b.disabled = false
    }
  }
}
