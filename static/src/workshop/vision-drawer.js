// The målbild on the board page, for every role: a drawer opened from the header's
// "Målbilden" button that shows the current document, read only, and reloads it when the
// session doc's `vision.rev` moves (someone saved). In a writing round the facilitator
// opens parts (the checkboxes in the drawer); a participant writes in those parts only.
// A part save names the text it started from; when the server answers 409 part_changed,
// both texts go into the field for the writer to tidy and save again.
import { el } from '../core/dom.js'
import { boardApi } from '../core/api.js'
import { mergeTexts, openToMe, partsOf, roundOf } from './vision-parts.js'

let fieldCount = 0

export class VisionDrawer {
  constructor ({ config, t, session, button }) {
    Object.assign(this, { config, t, session, button })
    this.api = boardApi(config.board_id)
    this.role = config.role === 'participant' ? 'participant' : config.role === 'wall' ? 'wall' : 'facilitator'
    this.state = null // GET /vision, or null: not loaded / none
    this.missing = false
    this.round = roundOf(null)
    this.loadedRev = -1
    this.drafts = new Map() // editor key -> {base, value}: what someone is writing, kept across reloads
    this.el = el('aside', {
      id: 'samsyn-vision-drawer',
      className: 'vision-drawer',
      hidden: true,
      attrs: { role: 'dialog', 'aria-labelledby': 'samsyn-vision-heading' }
    })
    this.heading = el('h2', { id: 'samsyn-vision-heading', textContent: t('vision.page_title'), tabIndex: -1 })
    this.note = el('p', { className: 'vision-drawer-note', attrs: { role: 'status', 'aria-live': 'polite' } })
    this.body = el('div', { className: 'vision-drawer-body', dataset: { visionBody: '' } })
    const close = el('button', { type: 'button', className: 'button', textContent: t('vision.close') })
    close.dataset.action = 'close-vision'
    close.addEventListener('click', () => this.setOpen(false))
    this.el.append(el('header', { className: 'vision-drawer-head' }, this.heading, close), this.note, this.body)
    this.el.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.setOpen(false)
      event.stopPropagation() // the board's shortcuts are not for this panel
    })
    button.addEventListener('click', () => this.setOpen(this.el.hidden))
    session.onChange(() => this._sessionChanged())
  }

  get open () { return !this.el.hidden }

  setOpen (open) {
    this.el.hidden = !open
    this.button.setAttribute('aria-expanded', String(open))
    document.body.classList.toggle('vision-drawer-open', open)
    if (open) {
      this.heading.focus({ preventScroll: true })
      if (this.loadedRev !== this.round.rev || !this.state) this.load()
    } else {
      this.button.focus({ preventScroll: true })
    }
  }

  _sessionChanged () {
    const round = roundOf(this.session.doc.getMap('vision').toJSON())
    const changed = round.rev !== this.round.rev || round.round !== this.round.round ||
      round.parts.join() !== this.round.parts.join()
    this.round = round
    const mine = this.role === 'participant' && round.round && round.parts.length > 0
    this.button.dataset.round = mine ? 'open' : ''
    this.button.title = mine ? this.t('vision.round_badge') : ''
    if (!changed) return
    if (this.open) {
      if (round.rev !== this.loadedRev) this.load()
      else this.render()
    }
  }

  async load () {
    const rev = this.round.rev
    try {
      this.state = await this.api.get('/vision')
      this.missing = false
    } catch (error) {
      this.state = null
      this.missing = error.status === 404
      this.note.textContent = this.missing ? this.t('vision.none_yet') : this.t('vision.load_failed', { detail: error.detail || error.code })
      this.body.replaceChildren()
      return
    }
    this.loadedRev = Math.max(rev, this.state.rev)
    this.render()
  }

  render () {
    if (!this.state) return
    const t = this.t
    const v = this.state.vision
    const open = this.round.round ? this.round.parts : []
    if (this.role === 'participant' && open.length) this.note.textContent = t('vision.round_open_note')
    else if (this.role === 'facilitator') this.note.textContent = t('vision.round_facilitator_note')
    else this.note.textContent = ''
    const parts = []
    if (v.library) parts.push(el('p', { className: 'vision-drawer-library', textContent: v.library }))
    let statementsHeading = false
    for (const part of partsOf(v)) {
      if (part.kind === 'statement' && !statementsHeading) {
        statementsHeading = true
        parts.push(el('h3', { className: 'vision-drawer-group', textContent: t('vision.statements') }))
      }
      const section = this._part(part)
      if (section) parts.push(section)
    }
    this.body.replaceChildren(...parts)
  }

  _part (part) {
    const t = this.t
    const mine = openToMe(this.round, this.role, part.part)
    const facilitator = this.role === 'facilitator'
    const empty = part.kind === 'list' ? !part.items.some((i) => i.text.trim()) : !part.text.trim()
    if (empty && !mine && !facilitator && part.kind !== 'statement') return null
    const title = part.kind === 'statement' ? (part.statement.theme || t('vision.untitled_theme')) : t(`vision.${part.name}`)
    const section = el('section', { className: 'vision-part', dataset: { part: part.part, open: String(this.round.round && this.round.parts.includes(part.part)) } },
      el(part.kind === 'statement' ? 'h4' : 'h3', { textContent: title }))
    if (part.kind === 'list') section.append(this._list(part, mine))
    else if (mine) section.append(this._editor(part.part, null, part.text))
    else if (part.kind === 'statement') {
      section.append(part.text
        ? el('blockquote', { className: 'vision-quote', textContent: part.text })
        : el('p', { className: 'vision-empty', textContent: t('vision.no_statement') }))
    } else {
      const chunks = part.text ? part.text.split('\n\n').map((chunk) => el('p', { textContent: chunk })) : [el('p', { className: 'vision-empty', textContent: '—' })]
      section.append(el('div', { className: 'vision-text' }, ...chunks))
    }
    if (facilitator) section.append(this._opener(part.part))
    return section
  }

  _list (part, mine) {
    const items = part.items.filter((i) => mine || i.text.trim())
    const list = el(part.name === 'waves' ? 'ol' : 'ul', { className: 'vision-drawer-list' },
      ...items.map((item, n) => el('li', {}, mine ? this._editor(part.part, item.id, item.text, `${this.t(`vision.${part.name}`)} ${n + 1}`) : item.text)))
    if (!mine) return list
    return el('div', {}, list, this._editor(part.part, '', '', this.t('vision.add_item_label')))
  }

  /** A field for one part (`item`: an item of a list part, '' for a new item). */
  _editor (part, item, text, label = this.t('vision.write_here')) {
    const t = this.t
    const key = `${part}|${item ?? ''}`
    const kept = this.drafts.get(key)
    const id = `vision-part-${++fieldCount}`
    const field = el('textarea', { id, rows: 3, maxLength: 5000, value: kept ? kept.value : text })
    field.dataset.partText = key
    const status = el('p', { className: 'vision-editor-status', attrs: { role: 'status', 'aria-live': 'polite' } })
    const base = kept ? kept.base : text
    field.addEventListener('input', () => {
      this.drafts.set(key, { base: this.drafts.get(key)?.base ?? base, value: field.value })
      status.textContent = ''
    })
    const save = el('button', { type: 'button', className: 'button primary', textContent: item === '' ? t('vision.add_item') : t('vision.save') })
    save.dataset.action = 'save-part'
    save.addEventListener('click', () => this._save({ part, item, key, field, status, save, base }))
    return el('div', { className: 'vision-editor', dataset: { editor: key } },
      el('label', { htmlFor: id, textContent: label }), field, save, status)
  }

  async _save ({ part, item, key, field, status, save, base }) {
    const t = this.t
    const started = this.drafts.get(key)?.base ?? base
    save.disabled = true
    try {
      this.state = await this.api.put('/vision/part', { part, item: item || null, base: started, text: field.value })
      this.loadedRev = Math.max(this.loadedRev, this.state.rev)
      this.drafts.delete(key)
      this.render()
      this.body.querySelector(`[data-editor="${CSS.escape(key)}"] .vision-editor-status`)?.replaceChildren(t('vision.saved'))
    } catch (error) {
      save.disabled = false
      if (error.code === 'part_changed') {
        // The field may have been drawn anew meanwhile (the other save reloaded the
        // document): keep both texts in the drafts, draw, and speak in the new field.
        const current = error.data?.current ?? ''
        this.drafts.set(key, { base: current, value: mergeTexts(current, field.value) })
        this.render()
        const editor = this.body.querySelector(`[data-editor="${CSS.escape(key)}"]`)
        const shown = editor?.querySelector('.vision-editor-status')
        if (shown) {
          shown.textContent = t('vision.part_changed')
          shown.classList.add('error')
        }
        editor?.querySelector('textarea')?.focus()
        return
      }
      status.textContent = t('vision.error', { detail: error.detail || error.code })
      status.classList.add('error')
    }
  }

  /** The facilitator's switch: is this part open to the participants of this board? */
  _opener (part) {
    const id = `vision-open-${++fieldCount}`
    const box = el('input', { id, type: 'checkbox', checked: this.round.round && this.round.parts.includes(part) })
    box.dataset.openPart = part
    box.addEventListener('change', async () => {
      const parts = new Set(this.round.round ? this.round.parts : [])
      if (box.checked) parts.add(part)
      else parts.delete(part)
      try {
        this.round = { ...this.round, ...(await this.api.post('/vision/round', { open: parts.size > 0, parts: [...parts] })) }
        this.render()
      } catch (error) {
        box.checked = !box.checked
        this.note.textContent = this.t('vision.error', { detail: error.detail || error.code })
      }
    })
    return el('p', { className: 'vision-opener' }, box, el('label', { htmlFor: id, textContent: this.t('vision.open_to_participants') }))
  }
}

/** The drawer of the board page, when the page has the header button (not in a checkpoint). */
export function startVisionDrawer ({ config, t, session, root }) {
  const button = document.querySelector('[data-vision-open]')
  if (!button || !session) return null
  // The wall hides the header: its button goes with the wall's own controls.
  const wallControls = config.role === 'wall' ? document.querySelector('.wall-controls') : null
  if (wallControls) {
    button.className = 'wall-control vision-open'
    wallControls.prepend(button)
  }
  const drawer = new VisionDrawer({ config, t, session, button })
  ;(root.querySelector('[data-board-root]') || root).append(drawer.el)
  return drawer
}
