// The facilitator's side panel: join code and QR, the links to keep (access.js),
// participants and their draft counts (and removing one),
// reveal, phases, timer, voting, the formulera round, lock, anonymity, follow me, the plan, checkpoints, the exports,
// bulk notes and the next board. Every control
// calls the API; what it shows comes back through the session doc.
import { PHASES, participantList } from './session.js'
import { CheckpointList } from './checkpoints.js'
import { renderResults } from './votes.js'
import { outline, roots } from '../core/model.js'
import { groupCode } from './wall.js'
import { exportLinks } from './exports.js'
import { BulkNotes, NextBoard } from './journey.js'
import { AccessLinks } from './access.js'
import { el } from '../core/dom.js'
import { FormuleraSection } from './formulera.js'
import { PlanSection } from './plan.js'

const TIMER_PRESETS = [3, 5, 10]

export function phaseNames (t) {
  return {
    brainstorm: t('phase.brainstorm'),
    cluster: t('phase.cluster'),
    vote: t('phase.vote'),
    discuss: t('phase.discuss'),
    closed: t('phase.closed')
  }
}

function button (text, onClick, className = 'button') {
  const b = el('button', { type: 'button', className, textContent: text })
  b.addEventListener('click', onClick)
  return b
}

function checkbox (id, text, onChange) {
  const input = el('input', { type: 'checkbox', id })
  input.addEventListener('change', () => onChange(input.checked, input))
  const label = el('label', { htmlFor: id, className: 'facil-check' }, input, ' ', text)
  return { input, label }
}

export class FacilitatorPanel {
  constructor ({ config, t, lang, api, doc, follow }) {
    Object.assign(this, { config, t, lang, api, doc, follow })
    this.state = null
    this.names = phaseNames(t)

    this.el = el('aside', {
      className: 'facil-panel',
      id: 'samsyn-facil-panel',
      attrs: { 'aria-labelledby': 'facil-panel-heading' }
    })
    this.el.append(el('h2', { id: 'facil-panel-heading', className: 'facil-title', textContent: t('facil.panel') }))
    this.status = el('p', { className: 'facil-status', attrs: { role: 'status', 'aria-live': 'polite' } })
    this.el.append(
      this._joinSection(),
      this._section('access', t('access.heading'), (this.access = new AccessLinks({ config, t, api })).el),
      this._participantsSection(),
      this._phaseSection(),
      this._timerSection(),
      this._votingSection(),
      this._section('formulera', t('formulera.heading'),
        (this.formulera = new FormuleraSection({ t, doc, api, notify: (m, e) => this.notify(m, e) })).el),
      this._boardSection(),
      this._section('plan', t('plan.heading'),
        (this.plan = new PlanSection({ t, doc, api, notify: (m, e) => this.notify(m, e) })).el),
      this._checkpointSection(),
      this._section('export', t('export.heading'),
        el('p', { className: 'facil-hint', textContent: t('export.hint') }), exportLinks({ boardId: config.board_id, t })),
      this._section('bulk', t('bulk.heading'), (this.bulk = new BulkNotes({ api, doc, t })).el),
      this._section('continue', t('continue.heading'), (this.next = new NextBoard({ api, t })).el),
      this.status
    )
    // Space, arrows and letters typed here operate these controls, not the board behind.
    this.el.addEventListener('keydown', (event) => event.stopPropagation())

    let pending = null
    const { clusters, notes } = roots(doc)
    const later = () => {
      if (pending !== null) return
      pending = setTimeout(() => { pending = null; this._renderResults() }, 250)
    }
    clusters.observeDeep(later)
    notes.observeDeep(later)
  }

  _section (key, title, ...content) {
    const id = `facil-${key}-heading`
    return el('section', { className: `facil-section facil-${key}`, attrs: { 'aria-labelledby': id } },
      el('h3', { id, textContent: title }), ...content)
  }

  notify (message, error = false) {
    this.status.textContent = message
    this.status.classList.toggle('error', error)
  }

  async _post (path, body) {
    try {
      return await this.api.post(path, body)
    } catch {
      this.notify(this.t('facil.error'), true)
      return null
    }
  }

  // ------------------------------------------------------------------ sections

  _joinSection () {
    const t = this.t
    const code = el('p', { className: 'join-code', dataset: { joinCode: this.config.join_code || '' } })
    code.textContent = groupCode(this.config.join_code || '')
    code.setAttribute('aria-label', t('wall.code_label', { code: (this.config.join_code || '').split('').join(' ') }))
    const link = el('a', { href: this.config.join_url || '#', className: 'join-url', textContent: this.config.join_url || '' })
    const qr = el('img', {
      src: `/b/${encodeURIComponent(this.config.board_id)}/qr.svg`,
      alt: t('facil.qr_alt'),
      className: 'join-qr',
      width: 136,
      height: 136
    })
    const wall = el('a', {
      href: `/b/${encodeURIComponent(this.config.board_id)}/wall`,
      target: '_blank',
      rel: 'noopener',
      textContent: t('facil.open_wall')
    })
    Object.assign(this, { joinCodeEl: code, joinLink: link, joinQr: qr })
    const renew = el('button', { type: 'button', className: 'button', dataset: { action: 'renew-join-code' }, textContent: t('facil.code_renew') })
    const ask = el('div', { className: 'facil-code-confirm', hidden: true, attrs: { role: 'group' } },
      el('p', { className: 'facil-code-text', textContent: t('facil.code_renew_question') }))
    const yes = el('button', { type: 'button', className: 'button danger', textContent: t('facil.code_renew_yes') })
    const no = el('button', { type: 'button', className: 'button', textContent: t('participants.cancel') })
    ask.append(el('div', { className: 'facil-row' }, yes, no))
    renew.addEventListener('click', () => { ask.hidden = false; renew.hidden = true })
    no.addEventListener('click', () => { ask.hidden = true; renew.hidden = false })
    yes.addEventListener('click', async () => {
      yes.disabled = true
      const result = await this._post('/join-code', {})
      yes.disabled = false
      ask.hidden = true
      renew.hidden = false
      if (result) {
        this._showJoinCode(result.join_code, result.join_url)
        this.notify(t('facil.code_renewed', { code: groupCode(result.join_code) }))
      }
    })
    return this._section('join', t('facil.join_heading'),
      el('div', { className: 'join-box' }, qr, el('div', {}, code, link)), el('p', { className: 'facil-hint' }, wall), renew, ask)
  }

  /** Show `code` as the board's join code (a new one, from here or another facilitator). */
  _showJoinCode (code, url = null) {
    if (!code || code === this.joinCodeEl.dataset.joinCode) return
    const t = this.t
    this.joinCodeEl.dataset.joinCode = code
    this.joinCodeEl.textContent = groupCode(code)
    this.joinCodeEl.setAttribute('aria-label', t('wall.code_label', { code: code.split('').join(' ') }))
    const joinUrl = url || (this.joinLink.href || '').replace(/\/j\/[^/]*$/, `/j/${code}`)
    this.joinLink.href = joinUrl
    this.joinLink.textContent = joinUrl
    this.joinQr.src = `/b/${encodeURIComponent(this.config.board_id)}/qr.svg?code=${encodeURIComponent(code)}`
  }

  _participantsSection () {
    const t = this.t
    this.people = el('ul', { className: 'facil-people', attrs: { 'aria-label': t('facil.participants') } })
    this.noPeople = el('p', { className: 'facil-hint', textContent: t('facil.no_participants') })
    this.peopleCount = el('p', { className: 'facil-hint facil-people-count', dataset: { online: '0' } })
    this.reveal = button(t('drafts.reveal'), async () => {
      const result = await this._post('/reveal', {})
      if (result) this.notify(t('drafts.revealed', { count: result.revealed }))
    }, 'button primary')
    this.reveal.dataset.action = 'reveal'
    this.draftTotal = el('p', { className: 'facil-hint', dataset: { draftTotal: '0' } })
    // Removing someone asks first, here under the list: the list itself is redrawn on
    // every change of the session doc.
    this.removing = null
    this.removeText = el('p', { className: 'facil-remove-text' })
    const yes = button(t('participants.confirm_yes'), () => this._remove(), 'button danger')
    yes.dataset.action = 'confirm-remove'
    const no = button(t('participants.cancel'), () => this._askRemove(null))
    no.dataset.action = 'cancel-remove'
    this.removeConfirm = el('div', { className: 'facil-remove-confirm', attrs: { role: 'alertdialog', 'aria-label': t('participants.remove') } },
      this.removeText, el('div', { className: 'facil-row' }, yes, no))
    this.removeConfirm.hidden = true
    return this._section('people', t('facil.participants'), this.peopleCount, this.people, this.noPeople,
      this.removeConfirm, this.draftTotal, this.reveal)
  }

  _askRemove (person) {
    this.removing = person
    this.removeConfirm.hidden = !person
    this.removeText.textContent = person ? this.t('participants.confirm', { name: person.name || this.t('presence.anonymous') }) : ''
    if (person) this.removeConfirm.querySelector('[data-action="confirm-remove"]').focus()
  }

  async _remove () {
    const person = this.removing
    if (!person) return
    this._askRemove(null)
    try {
      const result = await this.api.delete(`/participants/${encodeURIComponent(person.id)}`)
      const count = result.notes_kept
      const key = count === 0 ? 'participants.removed_none' : count === 1 ? 'participants.removed_one' : 'participants.removed_many'
      this.notify(this.t(key, { name: result.name, count }))
    } catch {
      this.notify(this.t('facil.error'), true)
    }
  }

  _phaseSection () {
    const t = this.t
    this.phaseButtons = new Map()
    const group = el('div', { className: 'facil-phases', attrs: { role: 'group', 'aria-label': t('phase.steps_label') } })
    for (const name of PHASES) {
      const b = button(this.names[name], () => this._post('/phase', { name }), 'button phase-button')
      b.dataset.phase = name
      b.setAttribute('aria-pressed', 'false')
      this.phaseButtons.set(name, b)
      group.append(b)
    }
    // The question put up now: participants' private notes start under it.
    this.question = el('select', { id: 'facil-question' })
    this.question.addEventListener('change', () => this._post('/settings', { question: this.question.value || null }))
    const fillQuestions = () => {
      const sections = outline(this.doc).filter((g) => g.section).map((g) => g.section)
      this.question.replaceChildren(new Option(t('facil.question_none'), ''),
        ...sections.map((s, i) => new Option(s.title || t('drafts.question_n', { number: i + 1 }), s.id)))
      this.question.value = this.state?.board.question || ''
    }
    roots(this.doc).sections.observeDeep(fillQuestions)
    fillQuestions()
    return this._section('phase', t('phase.heading'), group,
      el('div', { className: 'facil-field' }, el('label', { htmlFor: 'facil-question', textContent: t('facil.question') }), this.question))
  }

  _timerSection () {
    const t = this.t
    const presets = el('div', { className: 'facil-row', attrs: { role: 'group', 'aria-label': t('timer.presets') } })
    for (const minutes of TIMER_PRESETS) {
      const b = button(t('timer.minutes', { count: minutes }), () => this._post('/timer', { duration_s: minutes * 60 }))
      b.dataset.timerMinutes = String(minutes)
      b.setAttribute('aria-label', t('timer.start_minutes', { count: minutes }))
      presets.append(b)
    }
    const custom = el('form', { className: 'facil-row timer-custom' })
    const minutes = el('input', { type: 'number', id: 'timer-minutes', min: 1, max: 240, step: 1, value: 15, className: 'number' })
    custom.append(el('label', { htmlFor: 'timer-minutes', textContent: t('timer.custom') }), minutes,
      el('button', { type: 'submit', className: 'button', textContent: t('timer.start') }))
    custom.addEventListener('submit', (event) => {
      event.preventDefault()
      const value = Math.round(Number(minutes.value))
      if (value >= 1 && value <= 240) this._post('/timer', { duration_s: value * 60 })
    })
    this.pause = button(t('timer.pause'), () => this._post('/timer', { action: 'pause' }))
    this.resume = button(t('timer.resume'), () => this._post('/timer', { action: 'resume' }))
    this.stop = button(t('timer.stop'), () => this._post('/timer', { action: 'stop' }))
    return this._section('timer', t('timer.heading'), presets, custom, el('div', { className: 'facil-row' }, this.pause, this.resume, this.stop))
  }

  _votingSection () {
    const t = this.t
    this.votingToggle = button(t('vote.open'), () => this._post('/voting', { open: !this.state?.voting.open }), 'button primary')
    this.votingToggle.dataset.action = 'toggle-voting'
    this.votingState = el('p', { className: 'facil-hint', dataset: { votingState: 'closed' } })
    this.budget = el('input', { type: 'number', id: 'vote-budget', min: 1, max: 100, step: 1, value: 5, className: 'number' })
    this.budget.addEventListener('change', () => {
      const value = Math.round(Number(this.budget.value))
      if (value >= 1 && value <= 100) this._post('/voting', { budget: value })
    })
    this.target = el('select', { id: 'vote-target' },
      el('option', { value: 'clusters', textContent: t('vote.target_clusters') }),
      el('option', { value: 'notes', textContent: t('vote.target_notes') }))
    this.target.addEventListener('change', () => this._post('/voting', { target: this.target.value }))
    this.maxPerItem = el('input', { type: 'number', id: 'vote-max', min: 0, max: 100, step: 1, value: 0, className: 'number' })
    this.maxPerItem.addEventListener('change', () => {
      const value = Math.round(Number(this.maxPerItem.value))
      if (value >= 0 && value <= 100) this._post('/voting', { max_per_item: value })
    })
    this.voted = el('p', { className: 'facil-voted', dataset: { voted: '0' } })
    this.stillHas = el('p', { className: 'facil-hint facil-still-has' })
    this.tallies = checkbox('vote-tallies', t('vote.tallies_visible'), (on) => this._post('/voting', { tallies_visible: on }))
    const reset = button(t('vote.reset'), async () => {
      if (await this._post('/voting', { reset: true })) this.notify(t('vote.reset_done'))
    })
    this.results = el('ol', { className: 'results', attrs: { 'aria-label': t('vote.results') } })
    this.resultsHint = el('p', { className: 'facil-hint' })
    return this._section('voting', t('vote.heading'),
      el('div', { className: 'facil-row' }, this.votingToggle), this.votingState, this.voted, this.stillHas,
      el('div', { className: 'facil-field' }, el('label', { htmlFor: 'vote-budget', textContent: t('vote.budget') }), this.budget),
      el('div', { className: 'facil-field' }, el('label', { htmlFor: 'vote-max', textContent: t('vote.max_per_item') }), this.maxPerItem),
      el('div', { className: 'facil-field' }, el('label', { htmlFor: 'vote-target', textContent: t('vote.target') }), this.target),
      this.tallies.label,
      el('h4', { textContent: t('vote.results') }), this.resultsHint, this.results,
      el('div', { className: 'facil-row' }, reset))
  }

  _boardSection () {
    const t = this.t
    this.lock = checkbox('board-lock', t('facil.lock'), (on) => this._post('/lock', { content: on }))
    this.anonymous = checkbox('board-anonymous', t('facil.anonymous'), (on) => this._post('/settings', { anonymous: on }))
    this.notesWhileVoting = checkbox('board-notes-voting', t('facil.notes_while_voting'), (on) => this._post('/settings', { notes_while_voting: on }))
    this.followButton = button(t('facil.follow'), () => this.follow.setLeading(!this.follow.leading).catch(() => this.notify(t('facil.error'), true)))
    this.followButton.dataset.action = 'follow-me'
    this.followButton.setAttribute('aria-pressed', 'false')
    this.followHint = el('p', { className: 'facil-hint', textContent: t('facil.follow_hint') })
    return this._section('board', t('facil.board_heading'),
      this.lock.label, this.anonymous.label, this.notesWhileVoting.label,
      el('div', { className: 'facil-row' }, this.followButton), this.followHint)
  }

  _checkpointSection () {
    this.checkpoints = new CheckpointList({
      api: this.api, config: this.config, t: this.t, lang: this.lang, notify: (m, e) => this.notify(m, e)
    })
    return this._section('checkpoints', this.t('checkpoint.heading'), this.checkpoints.el)
  }

  // ------------------------------------------------------------------ state

  update (state) {
    const t = this.t
    this.state = state
    this._showJoinCode(state.board.join_code)
    for (const [name, b] of this.phaseButtons) b.setAttribute('aria-pressed', String(name === state.phase.name))

    const people = participantList(state, this.lang)
    this.noPeople.hidden = people.length > 0
    this.people.replaceChildren(...people.map((person) => {
      const count = el('span', {
        className: 'draft-count',
        dataset: { draftsFor: person.id, count: String(person.drafts) },
        textContent: t(person.drafts === 1 ? 'drafts.count_one' : 'drafts.count_many', { count: person.drafts })
      })
      const status = el('span', {
        className: 'facil-person-status',
        textContent: person.online ? t('facil.person_online') : t('facil.person_offline')
      })
      const name = el('span', { className: 'facil-person-name', textContent: person.name || t('presence.anonymous') })
      const row = el('li', { className: 'facil-person', dataset: { participant: person.id, online: String(person.online) } },
        el('span', { className: 'facil-person-dot', attrs: { 'aria-hidden': 'true' } }), name, status, count)
      if (person.joined) {
        const remove = button(t('participants.remove'), () => this._askRemove(person), 'button small facil-person-remove')
        remove.dataset.action = 'remove-participant'
        remove.setAttribute('aria-label', t('participants.remove_label', { name: person.name || t('presence.anonymous') }))
        row.append(remove)
      }
      return row
    }))
    // Someone removed meanwhile (by a co-facilitator) needs no confirming any more.
    if (this.removing && !people.some((person) => person.id === this.removing.id)) this._askRemove(null)
    const online = people.filter((person) => person.online).length
    this.peopleCount.textContent = t('facil.people_count', { online, count: people.length })
    this.peopleCount.dataset.online = String(online)
    const total = people.reduce((sum, person) => sum + person.drafts, 0)
    this.draftTotal.dataset.draftTotal = String(total)
    this.draftTotal.textContent = t('drafts.total', { count: total })

    const timer = state.timer
    const running = timer.ends_at != null
    const paused = timer.paused_left_s != null
    this.pause.disabled = !running
    this.resume.disabled = !paused
    this.stop.disabled = !running && !paused

    const voting = state.voting
    this.votingToggle.textContent = voting.open ? t('vote.close') : t('vote.open')
    this.votingState.dataset.votingState = voting.open ? 'open' : 'closed'
    this.votingState.textContent = voting.open ? t('vote.status_open') : t('vote.status_closed')
    if (document.activeElement !== this.budget) this.budget.value = String(voting.budget)
    this.target.value = voting.target === 'notes' ? 'notes' : 'clusters'
    this.tallies.input.checked = Boolean(voting.tallies_visible)
    if (document.activeElement !== this.maxPerItem) this.maxPerItem.value = String(voting.max_per_item || 0)
    this._showVoted(voting, people.length)

    if (document.activeElement !== this.question) this.question.value = state.board.question || ''
    this.lock.input.checked = Boolean(state.lock.content)
    this.anonymous.input.checked = Boolean(state.board.anonymous)
    this.notesWhileVoting.input.checked = Boolean(state.board.notes_while_voting)
    this.formulera.update(state.formulera, state.phase.name)
    this.followButton.setAttribute('aria-pressed', String(Boolean(state.follow.active)))
    this.followButton.textContent = state.follow.active ? t('facil.follow_stop') : t('facil.follow')
    this._renderResults()
  }

  // "14 av 20 har röstat" from the session's counts; who still has dots from the
  // facilitator-only /votes/status, fetched again when the counts move.
  _showVoted (voting, count) {
    const t = this.t
    const voted = Number(voting.voted) || 0
    this.voted.dataset.voted = String(voted)
    this.voted.textContent = t('vote.voted', { voted, count })
    this.voted.hidden = !voting.open && voted === 0
    const key = `${voting.open}:${voted}:${voting.dots}:${voting.budget}:${count}`
    if (!voting.open) { this.stillHas.hidden = true; this._votedKey = key; return }
    if (this._votedKey === key) return
    this._votedKey = key
    clearTimeout(this._votedTimer)
    this._votedTimer = setTimeout(async () => {
      const status = await this.api.get('/votes/status').catch(() => null)
      if (!status || this._votedKey !== key) return
      const names = status.voters.filter((v) => v.remaining > 0).map((v) => v.name || t('presence.anonymous'))
      this.stillHas.hidden = false
      this.stillHas.textContent = names.length ? t('vote.still_has', { names: names.join(', ') }) : t('vote.all_used')
    }, 300)
  }

  _renderResults () {
    if (!this.state) return
    const shown = renderResults(this.results, this.state.voting.target === 'notes'
      ? { tallies: this.state.tallies, target: 'notes' }
      : { tallies: this.state.tallies, target: 'clusters' }, this.doc, this.t, this.lang)
    const secret = this.state.voting.open && !this.state.voting.tallies_visible
    this.resultsHint.hidden = shown > 0
    this.resultsHint.textContent = secret ? this.t('vote.results_hidden') : this.t('vote.results_empty')
  }
}
