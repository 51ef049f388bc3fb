// The formulera round (session doc `formulera`): while the facilitator has it open,
// participants (or the groups they write for) draft the theme's statement as proposals in
// the content doc, live for everyone; the wall shows every proposal large; the facilitator
// picks one ("Välj den här"), which the server copies into the theme's statement.
// Three views of the same data: ProposalTray (participants), FormuleraSection (the
// facilitator's panel) and FormuleraWall (the projector).
import * as Y from 'yjs'
import {
  createProposal, hasProposals, proposalText, readCluster, readProposals, roots, setProposalBy
} from '../core/model.js'
import { bindTextField } from '../core/editor.js'
import { el } from '../core/dom.js'

const MAX_PROPOSAL = 500
// The wall's text shrinks to fit every proposal, down to this size in px (legible from
// the back of a room at 1920x1080).
const WALL_MAX_PX = 40
const WALL_MIN_PX = 22

/** The themes of the round: the one it is about, or every cluster, in board order. */
export function roundThemes (doc, formulera) {
  const list = []
  for (const [id, map] of roots(doc).clusters) {
    if (!(map instanceof Y.Map)) continue
    if (formulera.cluster && formulera.cluster !== id) continue
    list.push({ ...readCluster(id, map), statementFrom: map.get('statement_from') || null })
  }
  return list.sort((a, b) => (a.y - b.y) || (a.x - b.x) || (a.id < b.id ? -1 : 1))
}

/** Make `parent`'s children exactly `children`, moving only those out of place. */
function placeInOrder (parent, children) {
  children.forEach((child, index) => {
    if (parent.children[index] !== child) parent.insertBefore(child, parent.children[index] || null)
  })
  while (parent.children.length > children.length) parent.lastElementChild.remove()
}

function themeTitle (theme, t) { return theme.title || t('formulera.untitled') }

/** Redraw at most once a frame on changes of the clusters (titles, statements, proposals). */
function onClusters (doc, draw) {
  let pending = false
  roots(doc).clusters.observeDeep(() => {
    if (pending) return
    pending = true
    requestAnimationFrame(() => { pending = false; draw() })
  })
}

// ------------------------------------------------------------------ participants

/** A participant's drafting tray while the round is open: for each theme, their own
 * proposal (the group it is written for and its text) and everyone else's, live. */
export class ProposalTray {
  constructor ({ config, t, doc, onLeave = () => {} }) {
    Object.assign(this, { config, t, doc, onLeave })
    this.formulera = { open: false, cluster: null }
    this.allowed = false
    this.themes = new Map() // cluster id -> { section, title, current, mine, others, editor }
    this.list = el('div', { className: 'formulera-themes' })
    this.el = el('aside', {
      className: 'formulera-tray',
      id: 'samsyn-formulera',
      hidden: true,
      attrs: { 'aria-labelledby': 'samsyn-formulera-heading' }
    },
    el('div', { className: 'formulera-head' },
      el('h2', { id: 'samsyn-formulera-heading', textContent: t('formulera.heading') }),
      el('p', { className: 'formulera-hint', textContent: t('formulera.hint') })),
    el('div', { className: 'formulera-scroll' }, this.list))
    // Keys typed here belong to these fields, not to the board's shortcuts.
    this.el.addEventListener('keydown', (event) => {
      event.stopPropagation()
      if (event.key === 'Escape') this.onLeave()
    })
    onClusters(doc, () => this.render())
  }

  /** The round's state and whether this person may write proposals now. */
  update (formulera, allowed) {
    this.formulera = formulera
    this.allowed = allowed
    this.render()
  }

  render () {
    const open = Boolean(this.formulera.open)
    this.el.hidden = !open
    document.body.classList.toggle('formulera-open', open)
    if (!open) return
    const themes = roundThemes(this.doc, this.formulera)
    const seen = new Set()
    for (const theme of themes) {
      seen.add(theme.id)
      const part = this.themes.get(theme.id) || this._theme(theme.id)
      this._fill(part, theme)
    }
    for (const [id, part] of this.themes) {
      if (seen.has(id)) continue
      part.editor?.unbind()
      part.section.remove()
      this.themes.delete(id)
    }
    // Re-placing a section that holds the focused field would blur it mid-word.
    placeInOrder(this.list, themes.map((theme) => this.themes.get(theme.id).section))
  }

  _theme (id) {
    const t = this.t
    const part = {
      title: el('h3', { className: 'formulera-theme-title' }),
      current: el('p', { className: 'formulera-current', dataset: { statement: '' } }),
      mine: el('div', { className: 'formulera-mine' }),
      othersLabel: el('p', { className: 'formulera-label', textContent: t('formulera.others'), hidden: true }),
      others: el('ul', { className: 'formulera-others', attrs: { 'aria-label': t('formulera.others') } }),
      start: el('button', { type: 'button', className: 'button primary formulera-start', textContent: t('formulera.write') }),
      editor: null
    }
    part.start.dataset.action = 'write-proposal'
    part.start.addEventListener('click', () => {
      const pid = createProposal(this.doc, id, {
        by: this._lastBy(), author: this.config.name || '', authorId: this.config.participant_id || null
      })
      if (pid) {
        this.render()
        this.themes.get(id)?.editor?.text.focus()
      }
    })
    part.section = el('section', { className: 'formulera-theme', dataset: { cluster: id } },
      part.title, part.current, part.mine, part.start, part.othersLabel, part.others)
    this.themes.set(id, part)
    return part
  }

  _fill (part, theme) {
    const t = this.t
    const title = themeTitle(theme, t)
    if (part.title.textContent !== title) part.title.textContent = title
    const statement = theme.statement
    part.current.dataset.statement = statement
    part.current.textContent = statement ? t('formulera.current', { text: statement }) : t('formulera.no_statement')
    const proposals = readProposals(this.doc, theme.id)
    const me = this.config.participant_id
    const mine = proposals.find((p) => me && p.authorId === me)
    if (mine && !part.editor) part.editor = this._editor(theme.id, mine)
    if (part.editor) {
      if (part.editor.el.parentNode !== part.mine) part.mine.replaceChildren(part.editor.el)
      part.editor.setEnabled(this.allowed)
      part.editor.sync(mine)
    }
    part.start.hidden = Boolean(part.editor)
    part.start.disabled = !this.allowed || !hasProposals(this.doc, theme.id)
    const others = proposals.filter((p) => p !== mine)
    part.othersLabel.hidden = others.length === 0
    part.others.replaceChildren(...others.map((p) => el('li', { className: 'formulera-other', dataset: { proposal: p.id } },
      el('span', { className: 'formulera-other-text', textContent: p.text || t('formulera.empty') }),
      el('span', { className: 'formulera-by', textContent: p.by || p.author || t('presence.anonymous') }))))
  }

  _editor (clusterId, proposal) {
    const t = this.t
    const byId = `formulera-by-${clusterId}`
    const textId = `formulera-text-${clusterId}`
    const by = el('input', { type: 'text', id: byId, className: 'formulera-by-field', maxLength: 60, value: proposal.by })
    const text = el('textarea', {
      id: textId, className: 'formulera-text', rows: 3, maxLength: MAX_PROPOSAL, placeholder: t('cluster.statement_placeholder')
    })
    by.addEventListener('change', () => {
      const value = by.value.trim()
      setProposalBy(this.doc, clusterId, proposal.id, value)
      this._rememberBy(value)
    })
    const ytext = proposalText(this.doc, clusterId, proposal.id)
    const unbindText = ytext ? bindTextField(text, ytext, this.doc) : () => {}
    const box = el('div', { className: 'formulera-editor', dataset: { proposal: proposal.id } },
      el('label', { htmlFor: textId, className: 'formulera-label', textContent: t('formulera.my_proposal') }), text,
      el('label', { htmlFor: byId, className: 'formulera-label', textContent: t('formulera.by') }), by)
    return {
      el: box,
      text,
      setEnabled (on) { text.readOnly = !on; by.readOnly = !on },
      sync (p) { if (p && document.activeElement !== by && by.value !== p.by) by.value = p.by },
      unbind () { unbindText() }
    }
  }

  // The group one writes for is typed once and offered again for the next theme.
  _lastBy () {
    try { return localStorage.getItem('samsyn-formulera-by') || this.config.name || '' } catch { return this.config.name || '' }
  }

  _rememberBy (value) {
    try { localStorage.setItem('samsyn-formulera-by', value) } catch { /* private mode: not remembered */ }
  }
}

// ------------------------------------------------------------------ facilitator

/** The facilitator's panel section: open or close the round (one theme or all), and on
 * every proposal "Välj den här", which makes its text the theme's statement. */
export class FormuleraSection {
  constructor ({ t, doc, api, notify }) {
    Object.assign(this, { t, doc, api, notify })
    this.formulera = { open: false, cluster: null }
    this.theme = el('select', { id: 'formulera-theme' })
    this.toggle = el('button', { type: 'button', className: 'button primary', textContent: t('formulera.open') })
    this.toggle.dataset.action = 'toggle-formulera'
    this.toggle.addEventListener('click', () => this._toggle())
    this.status = el('p', { className: 'facil-hint', dataset: { formuleraState: 'closed' } })
    this.list = el('div', { className: 'formulera-facil-themes' })
    this.el = el('div', { className: 'formulera-facil' },
      el('p', { className: 'facil-hint', textContent: t('formulera.facil_hint') }),
      el('div', { className: 'facil-field' }, el('label', { htmlFor: 'formulera-theme', textContent: t('formulera.theme') }), this.theme),
      el('div', { className: 'facil-row' }, this.toggle), this.status, this.list)
    onClusters(doc, () => this.render())
    this.render()
  }

  update (formulera, phase) {
    this.formulera = formulera
    this.phase = phase
    this.render()
  }

  async _toggle () {
    const body = this.formulera.open ? { open: false } : { open: true, cluster: this.theme.value || null }
    try {
      await this.api.post('/formulera', body)
    } catch (error) {
      this.notify(error?.code === 'wrong_phase' ? this.t('formulera.wrong_phase') : this.t('facil.error'), true)
    }
  }

  async settle (clusterId, proposalId) {
    try {
      await this.api.post('/formulera/settle', { cluster: clusterId, proposal: proposalId })
      this.notify(this.t('formulera.settled'))
    } catch {
      this.notify(this.t('facil.error'), true)
    }
  }

  render () {
    const t = this.t
    const open = Boolean(this.formulera.open)
    const all = roundThemes(this.doc, { cluster: null })
    if (document.activeElement !== this.theme) {
      const value = open ? (this.formulera.cluster || '') : this.theme.value
      this.theme.replaceChildren(new Option(t('formulera.all_themes'), ''),
        ...all.map((theme) => new Option(themeTitle(theme, t), theme.id)))
      this.theme.value = all.some((theme) => theme.id === value) ? value : ''
    }
    this.theme.disabled = open
    this.toggle.textContent = open ? t('formulera.close') : t('formulera.open')
    this.toggle.disabled = !open && all.length === 0
    this.status.dataset.formuleraState = open ? 'open' : 'closed'
    this.status.textContent = open ? t('formulera.status_open') : (all.length ? t('formulera.status_closed') : t('formulera.no_themes'))
    // The round's themes while it is open; afterwards every theme that has proposals,
    // so the wording can still be settled.
    const themes = (open ? roundThemes(this.doc, this.formulera) : all)
      .map((theme) => ({ theme, proposals: readProposals(this.doc, theme.id) }))
      .filter(({ proposals }) => open || proposals.length > 0)
    this.list.replaceChildren(...themes.map(({ theme, proposals }) => el('section', { className: 'formulera-facil-theme', dataset: { cluster: theme.id } },
      el('h4', { textContent: themeTitle(theme, t) }),
      el('p', { className: 'formulera-current', dataset: { statement: theme.statement }, textContent: theme.statement ? t('formulera.current', { text: theme.statement }) : t('formulera.no_statement') }),
      proposals.length
        ? el('ol', { className: 'formulera-facil-list' }, ...proposals.map((p) => this._proposal(theme, p)))
        : el('p', { className: 'facil-hint', textContent: t('formulera.none_yet') }))))
  }

  _proposal (theme, p) {
    const t = this.t
    const chosen = theme.statementFrom === p.id && theme.statement === p.text.trim()
    const choose = el('button', { type: 'button', className: 'button small', textContent: t('formulera.choose') })
    choose.dataset.action = 'settle-proposal'
    choose.disabled = !p.text.trim()
    choose.setAttribute('aria-label', t('formulera.choose_label', { by: p.by || p.author || t('presence.anonymous') }))
    choose.addEventListener('click', () => this.settle(theme.id, p.id))
    return el('li', { className: 'formulera-facil-item', dataset: { proposal: p.id, chosen: String(chosen) } },
      el('p', { className: 'formulera-other-text', textContent: p.text || t('formulera.empty') }),
      el('p', { className: 'formulera-by', textContent: p.by || p.author || t('presence.anonymous') }),
      chosen ? el('span', { className: 'formulera-chosen', textContent: t('formulera.chosen') }) : choose)
  }
}

// ------------------------------------------------------------------ wall

/** The projector while the round is open: the theme(s) and every proposal, as large as
 * they all fit. */
export class FormuleraWall {
  constructor ({ t, doc }) {
    Object.assign(this, { t, doc })
    this.formulera = { open: false, cluster: null }
    this.body = el('div', { className: 'formulera-wall-body' })
    this.el = el('section', { className: 'formulera-wall', hidden: true, attrs: { 'aria-labelledby': 'formulera-wall-heading' } },
      el('h2', { id: 'formulera-wall-heading', className: 'formulera-wall-heading', textContent: t('formulera.wall_heading') }),
      this.body)
    onClusters(doc, () => this.render())
    window.addEventListener('resize', () => this._fit())
  }

  mount (root) { root.append(this.el) }

  update (formulera) {
    this.formulera = formulera
    this.render()
  }

  render () {
    const t = this.t
    const open = Boolean(this.formulera.open)
    this.el.hidden = !open
    document.body.classList.toggle('formulera-wall-open', open)
    if (!open) return
    const themes = roundThemes(this.doc, this.formulera)
    this.body.replaceChildren(...themes.map((theme) => {
      const proposals = readProposals(this.doc, theme.id)
      return el('section', { className: 'formulera-wall-theme', dataset: { cluster: theme.id } },
        el('h3', { className: 'formulera-wall-title', textContent: themeTitle(theme, t) }),
        el('p', { className: 'formulera-wall-statement', dataset: { statement: theme.statement }, textContent: theme.statement || t('formulera.no_statement') }),
        proposals.length
          ? el('ol', { className: 'formulera-wall-list' }, ...proposals.map((p) =>
            el('li', { className: 'formulera-wall-card', dataset: { proposal: p.id, chosen: String(theme.statementFrom === p.id) } },
              el('p', { className: 'formulera-wall-text', textContent: p.text || t('formulera.empty') }),
              el('p', { className: 'formulera-wall-by', textContent: p.by || p.author || t('presence.anonymous') }))))
          : el('p', { className: 'formulera-wall-none', textContent: t('formulera.none_yet') }))
    }))
    this._fit()
  }

  // One text size for every card, the largest at which the whole round fits the wall.
  _fit () {
    if (this.el.hidden) return
    let size = WALL_MAX_PX
    const fits = () => this.body.scrollHeight <= this.body.clientHeight + 1 &&
      [...this.body.querySelectorAll('.formulera-wall-card')].every((card) => card.scrollHeight <= card.clientHeight + 1)
    this.el.style.setProperty('--formulera-px', `${size}px`)
    while (!fits() && size > WALL_MIN_PX) {
      size = Math.max(WALL_MIN_PX, Math.floor(size * 0.92))
      this.el.style.setProperty('--formulera-px', `${size}px`)
    }
    this.el.dataset.fontPx = String(size)
  }
}
