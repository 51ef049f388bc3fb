// Dot voting in the browser: my dots (a small reducer, so clicks feel instant and the
// server stays the judge), the dot buttons and tally badges on the board, and the ranking.
import * as Y from 'yjs'
import { roots, readCluster, readNote, NOTE_SIZE } from '../core/model.js'
import { el as make } from '../core/dom.js'

export const initialVotes = Object.freeze({ remaining: null, mine: {}, pending: 0, error: null })

function withCount (mine, target, count) {
  const next = { ...mine }
  if (count > 0) next[target] = count
  else delete next[target]
  return next
}

/**
 * My votes. Actions: {type: 'loaded', remaining, mine} (from the server),
 * {type: 'cast', target, delta} (optimistic), {type: 'confirmed', remaining, mine},
 * {type: 'refused', code}. The server's answer wins once nothing else is in flight.
 */
export function votesReducer (state, action) {
  switch (action.type) {
    case 'loaded':
      return { ...state, remaining: action.remaining, mine: { ...action.mine }, error: null }
    case 'cast': {
      const current = state.mine[action.target] || 0
      if (action.delta > 0 && state.remaining !== null && state.remaining <= 0) {
        return { ...state, error: 'budget_exhausted' }
      }
      if (action.delta < 0 && current <= 0) return state
      return {
        ...state,
        remaining: state.remaining === null ? null : state.remaining - action.delta,
        mine: withCount(state.mine, action.target, current + action.delta),
        pending: state.pending + 1,
        error: null
      }
    }
    case 'confirmed': {
      const pending = Math.max(0, state.pending - 1)
      if (pending > 0) return { ...state, pending }
      return { ...state, pending, remaining: action.remaining, mine: { ...action.mine } }
    }
    case 'refused':
      return { ...state, pending: Math.max(0, state.pending - 1), error: action.code }
    case 'dismiss':
      return { ...state, error: null }
    default:
      throw new TypeError(`votesReducer: unknown action ${JSON.stringify(action.type)}`)
  }
}

/**
 * Targets ranked by votes, most first; ties in alphabetical order of `locale`, sharing
 * a rank (1, 1, 3). `labels` maps id -> label; ids without a label are left out.
 */
export function rankTargets (tallies, labels, locale = 'sv') {
  const collator = new Intl.Collator(locale)
  const rows = Object.entries(tallies)
    .filter(([id, count]) => labels.has(id) && count > 0)
    .map(([id, count]) => ({ id, count, label: labels.get(id) }))
    .sort((a, b) => (b.count - a.count) || collator.compare(a.label, b.label) || (a.id < b.id ? -1 : 1))
  let rank = 0
  rows.forEach((row, index) => {
    if (index === 0 || row.count !== rows[index - 1].count) rank = index + 1
    row.rank = rank
  })
  return rows
}

/** id -> label of what can be voted on: cluster titles, or note texts. */
export function targetLabels (doc, target, t) {
  const labels = new Map()
  const { clusters, notes } = roots(doc)
  if (target === 'notes') {
    for (const [id, map] of notes) {
      if (map instanceof Y.Map) labels.set(id, readNote(id, map).text.trim() || t('note.empty'))
    }
  } else {
    for (const [id, map] of clusters) {
      if (map instanceof Y.Map) labels.set(id, readCluster(id, map).title.trim() || t('cluster.untitled'))
    }
  }
  return labels
}

/** What a voter sees and does: dots on the board, the count left, friendly refusals. */
export class Votes {
  constructor ({ api, t, onChange = () => {} }) {
    this.api = api
    this.t = t
    this.state = initialVotes
    this.onChange = onChange
    this._queue = Promise.resolve()
  }

  _dispatch (action) {
    this.state = votesReducer(this.state, action)
    this.onChange(this.state)
  }

  async load () {
    try {
      const mine = await this.api.get('/votes/me')
      if (this.state.pending === 0) this._dispatch({ type: 'loaded', ...mine })
    } catch { /* shown as unknown until the next load */ }
  }

  /** One dot on (+1) or off (-1) a target; requests go out one after another. */
  cast (target, delta) {
    const before = this.state
    this._dispatch({ type: 'cast', target, delta })
    if (this.state.pending === before.pending) return Promise.resolve() // refused locally
    this._queue = this._queue.then(async () => {
      try {
        const result = await this.api.post('/votes', { target, delta })
        this._dispatch({ type: 'confirmed', ...result })
      } catch (error) {
        this._dispatch({ type: 'refused', code: error.code || 'network' })
        await this.load()
      }
    })
    return this._queue
  }

  /** The localized message for the last refusal, or ''. */
  message () {
    switch (this.state.error) {
      case null: return ''
      case 'budget_exhausted': return this.t('vote.budget_exhausted')
      case 'voting_closed': return this.t('vote.closed_message')
      case 'unknown_target': return this.t('vote.unknown_target')
      default: return this.t('vote.failed')
    }
  }
}

/**
 * Dot buttons and tally badges drawn on their own layer of the board, next to each
 * cluster (or note). Reads the content doc; never writes it.
 */
export class VoteLayer {
  constructor ({ doc, canvas, t, lang, votes = null }) {
    Object.assign(this, { doc, t, lang, votes })
    this.session = null
    this.layer = document.createElement('div')
    this.layer.className = 'layer layer-votes'
    canvas.append(this.layer)
    this.chips = new Map()
    this._frame = null
    // Pressing a dot button must not start a pan or a selection on the board underneath.
    for (const type of ['pointerdown', 'dblclick', 'keydown']) {
      this.layer.addEventListener(type, (event) => event.stopPropagation())
    }
    this.layer.addEventListener('click', (event) => {
      const button = event.target.closest('[data-vote-delta]')
      if (!button || !this.votes) return
      this.votes.cast(button.dataset.voteTarget, Number(button.dataset.voteDelta))
    })
    const { clusters, notes } = roots(doc)
    this._observer = () => this.schedule()
    clusters.observeDeep(this._observer)
    notes.observeDeep(this._observer)
  }

  setSession (state, canVote) {
    this.session = state
    this.canVote = canVote
    this.schedule()
  }

  schedule () {
    if (this._frame !== null) return
    this._frame = requestAnimationFrame(() => { this._frame = null; this.draw() })
  }

  draw () {
    const state = this.session
    const show = state && (state.voting.open || Object.keys(state.tallies).length > 0)
    this.layer.hidden = !show
    if (!show) return
    const target = state.voting.target === 'notes' ? 'notes' : 'clusters'
    const labels = targetLabels(this.doc, target, this.t)
    const ranking = new Map(rankTargets(state.tallies, labels, this.lang).map((row) => [row.id, row]))
    const mine = this.votes ? this.votes.state.mine : {}
    const voting = Boolean(state.voting.open && this.canVote && this.votes)
    const seen = new Set()
    const { clusters, notes } = roots(this.doc)
    for (const [id, label] of labels) {
      const map = target === 'notes' ? notes.get(id) : clusters.get(id)
      const box = target === 'notes'
        ? { ...readNote(id, map), w: NOTE_SIZE.w }
        : readCluster(id, map)
      const row = ranking.get(id)
      if (!voting && !row) continue
      seen.add(id)
      let chip = this.chips.get(id)
      if (!chip) {
        chip = this._chip(id)
        this.chips.set(id, chip)
        this.layer.append(chip.el)
      }
      this._fill(chip, { id, label, box, row, mine: mine[id] || 0, voting, remaining: this.votes?.state.remaining })
    }
    for (const [id, chip] of this.chips) {
      if (!seen.has(id)) { chip.el.remove(); this.chips.delete(id) }
    }
  }

  _chip (id) {
    const vote = (className, delta, textContent) =>
      make('button', { type: 'button', className, textContent, dataset: { voteTarget: id, voteDelta: delta } })
    const rank = make('span', { className: 'vote-rank', attrs: { 'aria-hidden': 'true' } })
    const count = make('span', { className: 'vote-count', dataset: { tallyFor: id } })
    const tally = make('span', { className: 'vote-tally' }, rank, count)
    const minus = vote('vote-button', '-1', '−')
    const dots = make('span', { className: 'vote-dots', dataset: { myVotes: '0' } })
    const plus = vote('vote-button vote-add', '1', '+')
    const controls = make('span', { className: 'vote-controls' }, minus, dots, plus)
    const el = make('div', { className: 'vote-chip', dataset: { voteFor: id } }, tally, controls)
    return { el, tally, rank, count, controls, minus, dots, plus }
  }

  _fill (chip, { label, box, row, mine, voting, remaining }) {
    const t = this.t
    // Anchored at the top-right corner; CSS pulls the chip up and in from there.
    chip.el.style.left = `${box.x + box.w}px`
    chip.el.style.top = `${box.y}px`
    chip.tally.hidden = !row
    if (row) {
      setText(chip.rank, String(row.rank))
      setText(chip.count, t(row.count === 1 ? 'vote.tally_one' : 'vote.tally_many', { count: row.count }))
      chip.el.dataset.rank = String(row.rank)
    } else {
      delete chip.el.dataset.rank
    }
    chip.controls.hidden = !voting
    if (!voting) return
    chip.minus.disabled = mine <= 0
    chip.plus.disabled = remaining !== null && remaining !== undefined && remaining <= 0
    chip.minus.setAttribute('aria-label', t('vote.remove', { title: label }))
    chip.plus.setAttribute('aria-label', t('vote.add', { title: label }))
    chip.minus.title = chip.minus.getAttribute('aria-label')
    chip.plus.title = chip.plus.getAttribute('aria-label')
    chip.dots.dataset.myVotes = String(mine)
    const dots = '●'.repeat(Math.min(mine, 10)) + (mine > 10 ? '+' : '')
    setText(chip.dots, dots)
    chip.dots.setAttribute('aria-label', t('vote.mine', { count: mine }))
    chip.dots.setAttribute('role', 'img')
  }

  destroy () {
    const { clusters, notes } = roots(this.doc)
    clusters.unobserveDeep(this._observer)
    notes.unobserveDeep(this._observer)
    this.layer.remove()
  }
}

function setText (el, text) {
  if (el.textContent !== text) el.textContent = text
}

/** Fill an <ol> with the ranked results; returns how many rows it shows. */
export function renderResults (list, { tallies, target }, doc, t, lang) {
  const rows = rankTargets(tallies, targetLabels(doc, target === 'notes' ? 'notes' : 'clusters', t), lang)
  const top = rows.length ? rows[0].count : 0
  list.replaceChildren(...rows.map((row) => {
    const li = document.createElement('li')
    li.className = 'result'
    li.dataset.resultFor = row.id
    li.dataset.rank = String(row.rank)
    li.style.setProperty('--share', String(top ? row.count / top : 0))
    const rank = document.createElement('span')
    rank.className = 'result-rank'
    rank.textContent = String(row.rank)
    const label = document.createElement('span')
    label.className = 'result-label'
    label.textContent = row.label
    const count = document.createElement('span')
    count.className = 'result-count'
    count.textContent = t(row.count === 1 ? 'vote.tally_one' : 'vote.tally_many', { count: row.count })
    li.append(rank, label, count)
    return li
  }))
  return rows.length
}
