// The målbild page (/b/{id}/vision): the facilitators edit the document of the journey,
// save named versions, compare two of them with the notes behind each change, open a
// comment round and download the documents. The document is plain JSON with a rev: a
// save names the rev it started from, and the server refuses it if someone saved since.
import { el } from '../core/dom.js'
import { boardApi } from '../core/api.js'
import { translator } from '../core/i18n.js'
import { SessionClient } from './session.js'

const STEERS = ['communication', 'governance', 'decisions']
const STATUSES = ['planned', 'ongoing', 'done']
const LISTS = ['waves', 'intents', 'questions']
const REACTIONS = ['agree', 'add', 'unclear']
const LOGO_MAX_BYTES = 512 * 1024 // boards/vision_logo.py MAX_LOGO_BYTES

function newId () {
  const bytes = crypto.getRandomValues(new Uint8Array(9))
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, 'A').replace(/\//g, 'B').replace(/=/g, '')
}

export class VisionPage {
  constructor ({ root, status, config }) {
    Object.assign(this, { root, status, config })
    this.t = translator(config.language)
    this.api = boardApi(config.board_id)
    this.state = null // {id, rev, vision, versions, boards}
    this.reactions = {}
    this.dirty = false
  }

  async load () {
    try {
      this.state = await this.api.get('/vision')
    } catch (error) {
      if (error.status === 404) return this._renderEmpty()
      return this._say(this.t('vision.error', { detail: error.detail || error.code }), true)
    }
    this.reactions = await this.api.get('/vision/reactions').catch(() => ({}))
    this._render()
  }

  /** Follow the board's session doc: when someone else saves (a participant's part in a
   * round, another facilitator), show it at once, unless this page has unsaved changes:
   * then say so, and keep them. */
  watch () {
    const session = new SessionClient({ config: this.config })
    session.onChange(() => {
      const rev = Number(session.doc.getMap('vision').get('rev')) || 0
      if (!this.state || !this.state.rev || rev <= this.state.rev) return
      if (this.dirty) return this._say(this.t('vision.changed_meanwhile'), true)
      this.api.get('/vision').then((state) => {
        if (this.dirty || state.rev <= this.state.rev) return
        this.state = state
        this._render()
        this._say(this.t('vision.updated'))
      }).catch(() => {})
    })
    return session
  }

  _say (text, error = false) {
    this.status.textContent = text
    this.status.classList.toggle('error', error)
  }

  _renderEmpty () {
    const t = this.t
    const library = el('input', { id: 'vision-library-new', type: 'text', maxLength: 200 })
    const create = el('button', { type: 'button', className: 'button primary', textContent: t('vision.create') })
    create.dataset.action = 'create-vision'
    create.addEventListener('click', async () => {
      try {
        this.state = await this.api.post('/vision', { library: library.value })
        this._render()
      } catch (error) {
        this._say(t('vision.error', { detail: error.detail || error.code }), true)
      }
    })
    this.root.replaceChildren(el('section', { className: 'card stack' },
      el('p', { textContent: t('vision.none') }),
      el('label', { htmlFor: library.id, textContent: t('vision.library') }), library, create))
  }

  _changed () {
    this.dirty = true
    this._say('')
  }

  /** A labelled text field bound to `obj[key]`. */
  _field (obj, key, label, { multiline = false, rows = 3, max = 5000, type = 'text' } = {}) {
    const id = `f-${newId()}`
    const input = multiline
      ? el('textarea', { id, rows, maxLength: max, value: obj[key] || '' })
      : el('input', { id, type, maxLength: max, value: obj[key] || '' })
    input.dataset.field = key
    input.addEventListener('input', () => { obj[key] = input.value; this._changed() })
    return el('div', { className: 'vision-field' }, el('label', { htmlFor: id, textContent: label }), input)
  }

  _button (text, action, onClick, className = 'button') {
    const button = el('button', { type: 'button', className, textContent: text })
    button.dataset.action = action
    button.addEventListener('click', onClick)
    return button
  }

  _render () {
    const t = this.t
    const v = this.state.vision
    const parts = [
      this._toolbar(),
      el('section', { className: 'card stack' },
        this._field(v, 'library', t('vision.library'), { max: 200 }),
        this._field(v, 'purpose', t('vision.purpose'), { multiline: true }),
        this._field(v, 'summary', t('vision.summary'), { multiline: true, rows: 4 })),
      this._logo(),
      this._statements(),
      this._list('waves', true),
      el('section', { className: 'card stack' },
        this._field(v, 'market', t('vision.market'), { multiline: true }),
        this._field(v, 'operating_model', t('vision.operating_model'), { multiline: true })),
      this._list('intents'),
      this._list('questions'),
      this._plan(),
      this._toolbar(),
      this._versions(),
      this._comments(),
      this._exports()
    ]
    this.root.replaceChildren(...parts)
  }

  _toolbar () {
    // At the top and below the plan: the page is long, and a save is never far.
    const save = this._button(this.t('vision.save'), 'save-vision', () => this.save(), 'button primary')
    return el('div', { className: 'vision-toolbar' }, save)
  }

  async save () {
    try {
      this.state = await this.api.put('/vision', { rev: this.state.rev, vision: this.state.vision })
      this.dirty = false
      this._say(this.t('vision.saved'))
      return true
    } catch (error) {
      const text = error.code === 'stale_vision' ? this.t('vision.stale') : this.t('vision.error', { detail: error.detail || error.code })
      this._say(text, true)
      return false
    }
  }

  /** The library's logo for the documents' headers: upload, preview, remove. */
  _logo () {
    const t = this.t
    const src = `/b/${this.config.board_id}/vision/logo`
    const preview = el('img', { className: 'vision-logo-preview', alt: t('vision.logo'), hidden: true })
    const none = el('p', { className: 'vision-sources', textContent: t('vision.logo_none'), hidden: true })
    const show = () => {
      const has = Boolean(this.state.logo)
      preview.hidden = !has
      none.hidden = has
      remove.hidden = !has
      if (has) preview.src = `${src}?at=${Date.now()}`
      else preview.removeAttribute('src')
    }
    const file = el('input', { id: 'vision-logo-file', type: 'file', accept: 'image/png,image/jpeg' })
    const upload = this._button(t('vision.logo_upload'), 'upload-logo', async () => {
      const chosen = file.files && file.files[0]
      if (!chosen) return file.click()
      // The server refuses it too; saying so before sending spares a long upload.
      if (chosen.size > LOGO_MAX_BYTES) return this._say(t('vision.logo_too_large'), true)
      const response = await fetch(`${this.api.base}/vision/logo`, {
        method: 'PUT', credentials: 'same-origin', headers: { 'Content-Type': chosen.type || 'application/octet-stream', Accept: 'application/json' }, body: chosen
      }).catch(() => null)
      const data = response ? await response.json().catch(() => null) : null
      if (!response || !response.ok) {
        const code = data && data.error
        const known = { invalid_logo: 'vision.logo_invalid', logo_too_large: 'vision.logo_too_large', unsupported_media_type: 'vision.logo_invalid' }
        return this._say(known[code] ? t(known[code]) : t('vision.error', { detail: (data && data.detail) || (response ? response.status : 'network') }), true)
      }
      this._say(t('vision.logo_saved'))
      file.value = ''
      this.state.logo = true
      show()
    })
    const remove = this._button(t('vision.logo_remove'), 'remove-logo', async () => {
      try {
        await this.api.delete('/vision/logo')
        this._say(t('vision.logo_removed'))
        this.state.logo = false
        show()
      } catch (error) {
        this._say(t('vision.error', { detail: error.detail || error.code }), true)
      }
    })
    show()
    return el('section', { className: 'card stack', dataset: { logo: '' } },
      el('h2', { textContent: t('vision.logo') }), preview, none,
      el('label', { htmlFor: file.id, textContent: t('vision.logo_help') }), file,
      el('div', { className: 'vision-toolbar' }, upload, remove))
  }

  _statements () {
    const t = this.t
    const v = this.state.vision
    const list = el('div', { className: 'vision-statements' })
    v.statements.forEach((s, index) => {
      const sources = s.sources.reduce((sum, src) => sum + src.note_ids.length, 0)
      const card = el('article', { className: 'vision-statement', dataset: { statementId: s.id } },
        this._field(s, 'theme', t('vision.theme'), { max: 200 }),
        this._field(s, 'text', t('vision.statement'), { multiline: true, rows: 2 }),
        el('p', { className: 'vision-sources', textContent: t('vision.sources', { count: sources }) }),
        ...STEERS.map((k) => this._field(s.steers, k, t(`vision.steers_${k}`), { multiline: true, rows: 2 })),
        this._reactionsOf(s.id),
        this._button(t('vision.remove'), 'remove-statement', () => {
          v.statements.splice(index, 1)
          this._changed()
          this._render()
        }))
      list.append(card)
    })
    const add = this._button(t('vision.add_statement'), 'add-statement', () => {
      v.statements.push({ id: newId(), theme: '', text: '', cluster_id: null, sources: [], merged_from: [], steers: { communication: '', governance: '', decisions: '' } })
      this._changed()
      this._render()
    })
    return el('section', { className: 'card stack' }, el('h2', { textContent: t('vision.statements') }), list, add)
  }

  _reactionsOf (id) {
    const found = this.reactions[id]
    if (!found) return el('div', { hidden: true })
    const t = this.t
    const counts = REACTIONS.map((k) => `${t(`vision.reaction_${k}`)}: ${found[k] || 0}`).join(' · ')
    return el('div', { className: 'vision-reactions', dataset: { reactions: id } },
      el('p', {}, el('strong', { textContent: `${t('vision.reactions')}: ` }), counts),
      el('ul', {}, ...found.comments.map((c) => el('li', { textContent: `${t(`vision.reaction_${c.kind}`)}: ${c.comment}${c.name ? ` (${c.name})` : ''}` }))))
  }

  _list (name, ordered = false) {
    const t = this.t
    const items = this.state.vision[name]
    const list = el(ordered ? 'ol' : 'ul', { className: 'vision-list' })
    items.forEach((item, index) => {
      const field = this._field(item, 'text', `${t(`vision.${name}`)} ${index + 1}`, { multiline: true, rows: 2 })
      list.append(el('li', {}, field, this._button(t('vision.remove'), `remove-${name}`, () => {
        items.splice(index, 1)
        this._changed()
        this._render()
      })))
    })
    const add = this._button(t('vision.add_item'), `add-${name}`, () => {
      items.push({ id: newId(), text: '' })
      this._changed()
      this._render()
    })
    return el('section', { className: 'card stack', dataset: { list: name } }, el('h2', { textContent: t(`vision.${name}`) }), list, add)
  }

  _plan () {
    const t = this.t
    const v = this.state.vision
    const head = el('tr', {}, ...['action', 'owner', 'due', 'status', 'serves'].map((k) => el('th', { scope: 'col', textContent: t(`vision.${k}`) })),
      el('th', { scope: 'col' }, el('span', { className: 'visually-hidden', textContent: t('vision.remove') })))
    const body = el('tbody')
    v.actions.forEach((action, index) => {
      const cell = (key, props = {}) => {
        const input = el('input', { type: 'text', value: action[key] || '', maxLength: 500, ...props })
        input.dataset.field = key
        input.setAttribute('aria-label', t(`vision.${key === 'title' ? 'action' : key}`))
        input.addEventListener('input', () => { action[key] = input.value; this._changed() })
        return el('td', {}, input)
      }
      const status = el('select', { ariaLabel: t('vision.status') }, ...STATUSES.map((s) => el('option', { value: s, textContent: t(`vision.status_${s}`), selected: action.status === s })))
      status.dataset.field = 'status'
      status.addEventListener('change', () => { action.status = status.value; this._changed() })
      const serves = el('select', { ariaLabel: t('vision.serves') }, el('option', { value: '', textContent: '—' }),
        ...v.statements.map((s) => el('option', { value: s.id, textContent: s.theme || s.text.slice(0, 60) || t('vision.untitled_theme'), selected: action.statement === s.id })))
      serves.dataset.field = 'statement'
      serves.addEventListener('change', () => { action.statement = serves.value || null; this._changed() })
      body.append(el('tr', {}, cell('title'), cell('owner'), cell('due', { type: 'date' }), el('td', {}, status), el('td', {}, serves),
        el('td', {}, this._button(t('vision.remove'), 'remove-action', () => { v.actions.splice(index, 1); this._changed(); this._render() }))))
    })
    const add = this._button(t('vision.add_action'), 'add-action', () => {
      v.actions.push({ id: newId(), title: '', owner: '', due: '', status: 'planned', statement: null })
      this._changed()
      this._render()
    })
    return el('section', { className: 'card stack' }, el('h2', { textContent: t('vision.plan') }),
      el('table', { className: 'vision-plan' }, el('thead', {}, head), body), add)
  }

  _versionOptions (selected) {
    return [el('option', { value: 'current', textContent: this.t('vision.draft'), selected: selected === 'current' }),
      ...this.state.versions.map((v) => el('option', { value: v.name, textContent: v.name, selected: selected === v.name }))]
  }

  _versions () {
    const t = this.t
    const name = el('input', { id: 'vision-version-name', type: 'text', maxLength: 40 })
    const make = this._button(t('vision.version_save'), 'save-version', async () => {
      if (this.dirty && !(await this.save())) return
      try {
        const made = await this.api.post('/vision/versions', { name: name.value })
        this.state = await this.api.get('/vision')
        this._render()
        this._say(t('vision.version_made', { name: made.name }))
      } catch (error) {
        this._say(t('vision.error', { detail: error.detail || error.code }), true)
      }
    })
    const names = this.state.versions
    const from = el('select', { id: 'compare-from' }, ...this._versionOptions(names.length ? names[0].name : 'current'))
    const to = el('select', { id: 'compare-to' }, ...this._versionOptions(names.length > 1 ? names[names.length - 1].name : 'current'))
    const out = el('div', { className: 'vision-compare', dataset: { compare: '' } })
    const run = this._button(t('vision.compare_run'), 'compare', () => this._compare(from.value, to.value, out))
    return el('section', { className: 'card stack' },
      el('h2', { textContent: t('vision.versions') }),
      el('ul', { className: 'vision-version-list' }, ...names.map((v) => el('li', { textContent: `${v.name} — ${new Date(v.at).toLocaleDateString(this.config.language)}` }))),
      el('label', { htmlFor: name.id, textContent: t('vision.version_name') }), name, make,
      el('h2', { textContent: t('vision.compare') }),
      el('div', { className: 'vision-compare-controls' },
        el('label', { htmlFor: from.id, textContent: t('vision.compare_from') }), from,
        el('label', { htmlFor: to.id, textContent: t('vision.compare_to') }), to, run),
      out)
  }

  async _compare (from, to, out) {
    const t = this.t
    let result
    try {
      result = await this.api.get(`/vision/compare?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&lang=${this.config.language}`)
    } catch (error) {
      return this._say(t('vision.error', { detail: error.detail || error.code }), true)
    }
    const link = el('a', { href: `/b/${this.config.board_id}/vision/compare.html?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, textContent: t('vision.export_compare') })
    if (!result.changes.length) return out.replaceChildren(el('p', { textContent: t('vision.no_changes') }), link)
    out.replaceChildren(...result.changes.map((c) => el('article', { className: `vision-change kind-${c.kind}`, dataset: { kind: c.kind } },
      el('h3', { textContent: c.theme || t('vision.untitled_theme') }),
      el('p', { textContent: c.text }),
      ...c.sources.map((src) => el('div', { className: 'vision-why' },
        el('p', { textContent: t('vision.why', { board: src.board_title || src.board_id }) }),
        el('ul', {}, ...src.notes.map((n) => el('li', { textContent: n.missing ? '—' : n.text }))))))), link)
  }

  _comments () {
    const t = this.t
    const out = el('p', { className: 'vision-comment-link' })
    const open = this._button(t('vision.comments_open'), 'open-comments', async () => {
      const made = await this.api.post('/vision/comments')
      out.replaceChildren(t('vision.comments_link'), ' ', el('a', { href: made.url, textContent: made.url }))
    })
    return el('section', { className: 'card stack' }, el('h2', { textContent: t('vision.comments') }), open, out)
  }

  _exports () {
    const t = this.t
    const pick = el('select', { id: 'export-version' }, ...this._versionOptions(this.state.versions.length ? this.state.versions[this.state.versions.length - 1].name : 'current'))
    const base = `/b/${this.config.board_id}/vision`
    const links = el('ul', { className: 'vision-exports' })
    const fill = () => {
      const q = pick.value === 'current' ? '' : `?version=${encodeURIComponent(pick.value)}`
      const entries = [['docx', `${base}.docx${q}`], ['html', `${base}.html${q}`], ['plan_docx', `${base}/plan.docx${q}`], ['plan_csv', `${base}/plan.csv${q}`], ['json', `${base}.json`]]
      links.replaceChildren(...entries.map(([k, href]) => el('li', {}, el('a', { href, textContent: t(`vision.export_${k}`) }))))
    }
    pick.addEventListener('change', fill)
    fill()
    return el('section', { className: 'card stack' }, el('h2', { textContent: t('vision.exports') }),
      el('label', { htmlFor: pick.id, textContent: t('vision.versions') }), pick, links)
  }
}

const configEl = document.getElementById('samsyn-config')
const root = document.querySelector('[data-vision-root]')
if (configEl && root) {
  const page = new VisionPage({ root, status: document.querySelector('[data-vision-status]'), config: JSON.parse(configEl.textContent) })
  page.load()
  page.watch()
  window.addEventListener('beforeunload', (event) => { if (page.dirty) event.preventDefault() })
}
