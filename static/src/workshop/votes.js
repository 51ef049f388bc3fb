// Dot voting in the browser: my dots (a small reducer, so clicks feel instant and the
// server stays the judge), the dot buttons and tally badges on the board, and the ranking.
import * as Y from 'yjs'
import { roots, readCluster, readNote, readSection, boardLayout, NOTE_SIZE, SECTION_HEADER } from '../core/model.js'
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
 * {type: 'cast', target, delta, max?} (optimistic; max: dots allowed per item, 0 = any), {type: 'confirmed', remaining, mine},
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
      if (action.delta > 0 && action.max > 0 && current >= action.max) {
        return { ...state, error: 'item_limit' }
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
    this.maxPerItem = 0 // the facilitator's maximum of dots on one item (0: none)
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
    this._dispatch({ type: 'cast', target, delta, max: this.maxPerItem })
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
      case 'item_limit': return this.t('vote.item_limit', { count: this.maxPerItem })
      case 'voting_closed': return this.t('vote.closed_message')
      case 'unknown_target': return this.t('vote.unknown_target')
      default: return this.t('vote.failed')
    }
  }
}

/** One target's vote controls and tally: − (my dots) +, the rank and count once public. */
function buildChip (id, className) {
  const vote = (name, delta, textContent) =>
    make('button', { type: 'button', className: name, textContent, dataset: { voteTarget: id, voteDelta: delta } })
  const rank = make('span', { className: 'vote-rank', attrs: { 'aria-hidden': 'true' } })
  const count = make('span', { className: 'vote-count', dataset: { tallyFor: id } })
  const tally = make('span', { className: 'vote-tally' }, rank, count)
  const minus = vote('vote-button', '-1', '−')
  const dots = make('span', { className: 'vote-dots', dataset: { myVotes: '0' } })
  const plus = vote('vote-button vote-add', '1', '+')
  const controls = make('span', { className: 'vote-controls' }, minus, dots, plus)
  const el = make('div', { className, dataset: { voteFor: id } }, tally, controls)
  return { el, tally, rank, count, controls, minus, dots, plus }
}

function fillChip (chip, { label, row, mine, voting, remaining, max }, t) {
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
  chip.plus.disabled = (remaining !== null && remaining !== undefined && remaining <= 0) || (max > 0 && mine >= max)
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

/** Clicks on any vote button inside `container` cast through `votes()`. */
function listenForVotes (container, votes) {
  container.addEventListener('click', (event) => {
    const button = event.target.closest('[data-vote-delta]')
    const voter = votes()
    if (!button || !voter) return
    voter.cast(button.dataset.voteTarget, Number(button.dataset.voteDelta))
  })
}

/** What every chip needs from the session: is it shown, the ranking, am I voting. */
function ballotView (state, doc, t, lang, votes, canVote) {
  const show = Boolean(state && (state.voting.open || Object.keys(state.tallies).length > 0))
  if (!show) return { show }
  const target = state.voting.target === 'notes' ? 'notes' : 'clusters'
  const labels = targetLabels(doc, target, t)
  const ranking = new Map(rankTargets(state.tallies, labels, lang).map((row) => [row.id, row]))
  return {
    show,
    target,
    labels,
    ranking,
    mine: votes ? votes.state.mine : {},
    voting: Boolean(state.voting.open && canVote && votes),
    remaining: votes?.state.remaining,
    max: Number(state.voting.max_per_item) || 0
  }
}

// Far out (as render.js's semantic zoom) a badge that only shows the tally goes inside
// its cluster, sized to fit: the wall reads names and results there, not notes.
const FAR_OUT = 0.5
const INSET = 8 // board px between a badge inside its item and the item's edge
const BELOW = 4 // screen px between an item and the chip under it

/**
 * Dot buttons and tally badges drawn on their own layer of the board, by each cluster
 * (or note). A chip with buttons keeps its size on screen at any zoom (at least 44 px to
 * touch), so it is scaled by 1/zoom. It sits just below its item, right-aligned, so it
 * never hides the item's own text or author line; where that would cover a section's
 * title it goes inside the item's bottom-right corner instead. A badge with only the
 * tally (the wall, after the vote) is also shrunk to fit inside its item when the item
 * is small on screen. Reads the content doc; never writes it.
 */
export class VoteLayer {
  constructor ({ doc, canvas, t, lang, votes = null, zoom = () => 1 }) {
    Object.assign(this, { doc, t, lang, votes, zoom })
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
    listenForVotes(this.layer, () => this.votes)
    const { clusters, notes, sections } = roots(doc)
    this._observer = () => this.schedule()
    clusters.observeDeep(this._observer)
    notes.observeDeep(this._observer)
    sections.observeDeep(this._observer)
    // The camera is one style write on the canvas: follow it with one on this layer.
    this._zoom = new MutationObserver(() => this._applyZoom())
    this._zoom.observe(canvas, { attributes: true, attributeFilter: ['style'] })
    this._applyZoom()
  }

  _applyZoom () {
    const zoom = Number(this.zoom()) || 1
    if (this._lastZoom === zoom) return
    this._lastZoom = zoom
    // Sizes on the board and the gaps between chips changed: place them again.
    if (this.chips.size && this._spreadFrame == null) {
      this._spreadFrame = requestAnimationFrame(() => { this._spreadFrame = null; this._spread() })
    }
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
    const view = ballotView(this.session, this.doc, this.t, this.lang, this.votes, this.canVote)
    this.layer.hidden = !view.show
    if (!view.show) {
      this.layer.parentNode?.classList.remove('with-badges')
      return
    }
    const seen = new Set()
    const { clusters, notes } = roots(this.doc)
    // Where clusters and clustered notes are drawn (derived, as render.js draws them).
    const layout = boardLayout(this.doc)
    this._layout = layout
    this._blocked = null // the obstacles, measured again from this layout when needed
    for (const [id, label] of view.labels) {
      const map = view.target === 'notes' ? notes.get(id) : clusters.get(id)
      const box = view.target === 'notes'
        ? { ...readNote(id, map), ...layout.notes.get(id), w: NOTE_SIZE.w, h: NOTE_SIZE.h }
        : layout.clusters.get(id) || readCluster(id, map)
      const row = view.ranking.get(id)
      if (!view.voting && !row) continue
      seen.add(id)
      let chip = this.chips.get(id)
      if (!chip) {
        chip = buildChip(id, 'vote-chip')
        this.chips.set(id, chip)
        this.layer.append(chip.el)
      }
      chip.id = id
      chip.section = view.target === 'notes' ? map.get('section') : box.section
      chip.box = { x: box.x, y: box.y, w: box.w, h: box.h || 0 }
      fillChip(chip, { label, row, mine: view.mine[id] || 0, voting: view.voting, remaining: view.remaining, max: view.max }, this.t)
    }
    for (const [id, chip] of this.chips) {
      if (!seen.has(id)) { chip.el.remove(); this.chips.delete(id) }
    }
    this._spread()
  }

  /**
   * What a chip must not cover, in board px: each section's title band (hard: never),
   * and the clusters and loose notes (a chip goes where it covers none of them, when
   * there is such a place beside its own item); and each section's area below its band.
   */
  _obstacles () {
    if (this._blocked) return this._blocked
    const bands = []
    const areas = new Map() // section id -> where its chips may go: below its title band
    const { sections, notes } = roots(this.doc)
    for (const [id, map] of sections) {
      if (!(map instanceof Y.Map)) continue
      const s = readSection(id, map)
      bands.push({ x1: s.x, x2: s.x + s.w, y1: s.y, y2: s.y + SECTION_HEADER })
      areas.set(id, { x1: s.x, x2: s.x + s.w, y1: s.y + SECTION_HEADER, y2: s.y + s.h })
    }
    const items = []
    const layout = this._layout || boardLayout(this.doc)
    for (const [id, c] of layout.clusters) items.push({ id, x1: c.x, x2: c.x + c.w, y1: c.y, y2: c.y + c.h })
    for (const [id, map] of notes) {
      if (!(map instanceof Y.Map) || layout.notes.has(id)) continue
      const n = readNote(id, map)
      items.push({ id, x1: n.x, x2: n.x + NOTE_SIZE.w, y1: n.y, y2: n.y + NOTE_SIZE.h })
    }
    this._blocked = { bands, items, areas }
    return this._blocked
  }

  // Place every chip, its own item never covered: below it, else beside it, inside its
  // section, where it covers no title or chip and the least of other items (none where
  // there is room). Where there is no such place: the first of those places that stays
  // in its section all the same, else inside its item's bottom-right corner; moved down
  // past any chip there. A badge without buttons far out goes inside its item,
  // shrunk to fit (the wall: names and results, no notes).
  _spread () {
    const zoom = Number(this.zoom()) || 1
    const unzoom = 1 / zoom
    const { bands, items, areas } = this._obstacles()
    const hit = (r, o) => r.x1 < o.x2 && o.x1 < r.x2 && r.y1 < o.y2 && o.y1 < r.y2
    const hits = (r, list) => list.some((o) => hit(r, o))
    const placed = []
    const chips = [...this.chips.values()].sort((a, b) =>
      (a.box.y + a.box.h - b.box.y - b.box.h) || (a.box.x + a.box.w - b.box.x - b.box.w))
    // Measure every chip before moving any: one layout, not one per chip. offsetWidth is
    // the chip's own size in CSS px, before its scale.
    const sizes = chips.map((chip) => ({ w: chip.el.offsetWidth, h: chip.el.offsetHeight }))
    chips.forEach((chip, index) => {
      const { w, h } = sizes[index]
      const box = chip.box
      const tallyOnly = chip.controls.hidden
      const at = (x, y, scale) => ({ scale, x1: x, y1: y, x2: x + w * scale, y2: y + h * scale })
      const inside = (scale) => at(box.x + box.w - INSET - w * scale, box.y + box.h - INSET - h * scale, scale)
      const fit = Math.min(unzoom, (box.w - 2 * INSET) / w, (box.h - 2 * INSET) * 0.4 / h)
      let rect
      if (tallyOnly && zoom < FAR_OUT) {
        rect = inside(fit)
      } else {
        const [cw, ch, gap] = [w * unzoom, h * unzoom, BELOW * unzoom]
        const right = box.x + box.w
        const bottom = box.y + box.h
        const others = items.filter((o) => o.id !== chip.id)
        const candidates = [
          at(right - cw, bottom + gap, unzoom), // below, right-aligned
          at(box.x, bottom + gap, unzoom), // below, left-aligned
          at(right + gap, bottom - ch, unzoom), // to the right, at the bottom
          at(box.x - gap - cw, bottom - ch, unzoom) // to the left, at the bottom
        ]
        // Inside the item's section, below its title band: not off the board's edge (out
        // of the fitted view, under the toolbars) nor into the next question.
        const area = areas.get(chip.section)
        const within = (r) => !area || (r.x1 >= area.x1 && r.x2 <= area.x2 && r.y1 >= area.y1 && r.y2 <= area.y2)
        // Of the places that cover no title and no chip, the one that covers least of
        // the other items (none, where there is room).
        const covered = (r) => others.reduce((sum, o) =>
          sum + Math.max(0, Math.min(r.x2, o.x2) - Math.max(r.x1, o.x1)) * Math.max(0, Math.min(r.y2, o.y2) - Math.max(r.y1, o.y1)), 0)
        let least = Infinity
        rect = null
        for (const r of candidates) {
          if (!within(r) || hits(r, bands) || hits(r, placed)) continue
          const cost = covered(r)
          if (cost < least) { least = cost; rect = r }
        }
        // No free place beside it: the first place by it that stays in its section after
        // all (on other items, never its own), or else in its corner (buttons keep their touch
        // size; a badge alone shrinks to fit); moved down past any chip there, whose
        // buttons it must not cover.
        if (!rect) {
          rect = candidates.find((r) => within(r) && !hits(r, bands)) || inside(tallyOnly ? fit : unzoom)
          for (let moved = true; moved;) {
            moved = false
            for (const other of placed) {
              if (!hit(rect, other)) continue
              const dy = other.y2 + gap - rect.y1
              rect.y1 += dy
              rect.y2 += dy
              moved = true
            }
          }
        }
      }
      placed.push(rect)
      const left = `${rect.x1}px`
      const top = `${rect.y1}px`
      const transform = `scale(${rect.scale})`
      if (chip.el.style.left !== left) chip.el.style.left = left
      if (chip.el.style.top !== top) chip.el.style.top = top
      if (chip.el.style.transform !== transform) chip.el.style.transform = transform
    })
    // Far out, cluster names make room at the bottom for the badges inside them.
    this.layer.parentNode?.classList.toggle('with-badges', zoom < FAR_OUT && chips.some((c) => c.controls.hidden))
  }

  destroy () {
    const { clusters, notes, sections } = roots(this.doc)
    clusters.unobserveDeep(this._observer)
    notes.unobserveDeep(this._observer)
    sections.unobserveDeep(this._observer)
    this._zoom.disconnect()
    this.layer.remove()
  }
}

/**
 * The same controls in the outline (the phone's board): one row under each cluster's
 * heading (or each note), in the outline's slots, redrawn whenever the outline renders.
 */
export class OutlineVotes {
  constructor ({ outline, doc, t, lang, votes = null }) {
    Object.assign(this, { outline, doc, t, lang, votes })
    this.session = null
    this.canVote = false
    this.chips = new Map()
    listenForVotes(outline.container, () => this.votes)
    outline.onRender(() => this.draw())
  }

  setSession (state, canVote) {
    this.session = state
    this.canVote = canVote
    this.draw()
  }

  draw () {
    if (!this.outline.visible) return
    const view = ballotView(this.session, this.doc, this.t, this.lang, this.votes, this.canVote)
    const seen = new Set()
    if (view.show) {
      for (const [id, label] of view.labels) {
        const row = view.ranking.get(id)
        const slot = this.outline.slot(view.target === 'notes' ? 'note' : 'cluster', id)
        if (!slot || (!view.voting && !row)) continue
        seen.add(id)
        let chip = this.chips.get(id)
        if (!chip) {
          chip = buildChip(id, 'outline-vote')
          this.chips.set(id, chip)
        }
        if (chip.el.parentNode !== slot) slot.append(chip.el)
        fillChip(chip, { label, row, mine: view.mine[id] || 0, voting: view.voting, remaining: view.remaining, max: view.max }, this.t)
      }
    }
    for (const [id, chip] of this.chips) {
      if (!seen.has(id)) { chip.el.remove(); this.chips.delete(id) }
    }
  }
}

/**
 * The ranking for participants once the vote is over (closed ballot with public tallies):
 * a panel beside the board they can hide and bring back.
 */
export class ResultsPanel {
  constructor ({ doc, t, lang }) {
    Object.assign(this, { doc, t, lang })
    this.state = null
    this.dismissed = false
    this.list = make('ol', { className: 'results', attrs: { 'aria-labelledby': 'samsyn-results-heading' } })
    const close = make('button', { type: 'button', className: 'button small results-hide', textContent: t('vote.results_hide') })
    close.addEventListener('click', () => { this.dismissed = true; this.render() })
    this.reopen = make('button', { type: 'button', className: 'button results-show', textContent: t('vote.results'), hidden: true })
    this.reopen.addEventListener('click', () => { this.dismissed = false; this.render() })
    this.panel = make('section', { className: 'results-panel', hidden: true, attrs: { 'aria-labelledby': 'samsyn-results-heading' } },
      make('div', { className: 'results-panel-head' },
        make('h2', { id: 'samsyn-results-heading', textContent: t('vote.results') }), close),
      this.list)
    this.el = make('div', { className: 'results-dock' }, this.panel, this.reopen)
    afterContentChanges(doc, () => this.render())
  }

  update (state) {
    const wasOpen = this.state?.voting.open
    this.state = state
    if (wasOpen && !state.voting.open) this.dismissed = false // a new result: show it
    this.render()
  }

  render () {
    const state = this.state
    const over = Boolean(state && !state.voting.open)
    const shown = over
      ? renderResults(this.list, { tallies: state.tallies, target: state.voting.target }, this.doc, this.t, this.lang)
      : 0
    this.panel.hidden = shown === 0 || this.dismissed
    this.reopen.hidden = shown === 0 || !this.dismissed
  }
}

/** Run `fn` a moment after clusters or notes change (renamed while the results show),
 * once per burst of changes. */
export function afterContentChanges (doc, fn, ms = 250) {
  let pending = null
  const later = () => {
    if (pending !== null) return
    pending = setTimeout(() => { pending = null; fn() }, ms)
  }
  roots(doc).clusters.observeDeep(later)
  roots(doc).notes.observeDeep(later)
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
