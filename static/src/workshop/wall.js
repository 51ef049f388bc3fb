// The wall view for the projector (1920x1080 from the back of a room): the join code, QR
// code and link, the phase and the lock, the timer, how many are here, the results (all
// of them, scaled to fit), and the board following the facilitator. The room only
// watches it; whoever runs the projector may shrink or hide the join panel and go
// fullscreen with two small buttons.
import { afterContentChanges, renderResults } from './votes.js'
import { PHASES, onlineCount } from './session.js'

/** A join code in groups of three, easy to read aloud: "ABC123" -> "ABC 123". */
export function groupCode (code) {
  const clean = String(code || '').replace(/\s+/g, '').toUpperCase()
  return clean.match(/.{1,3}/g)?.join(' ') ?? ''
}

/** The URL people type, without the scheme: "bibliotek.se/j/ABC123". */
export function displayUrl (url) {
  return String(url || '').replace(/^https?:\/\//, '').replace(/\/$/, '')
}

function el (tag, className, text) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined) node.textContent = text
  return node
}

const JOIN_PREF = 'samsyn-wall-join'
const JOIN_MODES = ['full', 'small', 'hidden']
// The results shrink to fit their box down to this share of their size, then the
// rest is counted ("… och 3 till") rather than cut off mid-item.
const MIN_RESULT_SCALE = 0.5

export class WallView {
  constructor ({ config, t, lang, doc, timer, phaseNames, storage = window.localStorage }) {
    Object.assign(this, { config, t, lang, doc, storage })
    this.state = null
    this.joinMode = JOIN_MODES.includes(storage?.getItem(JOIN_PREF)) ? storage.getItem(JOIN_PREF) : 'full'

    // Top: the board's title, the phases, the timer.
    this.top = el('div', 'wall-top')
    this.title = el('p', 'wall-title', config.title || '')
    this.steps = el('ol', 'wall-steps')
    this.steps.setAttribute('aria-label', t('phase.steps_label'))
    this.stepItems = new Map()
    for (const name of PHASES) {
      const item = el('li', 'wall-step', phaseNames[name])
      item.dataset.phase = name
      item.dataset.step = String(PHASES.indexOf(name) + 1)
      this.stepItems.set(name, item)
      this.steps.append(item)
    }
    this.current = el('p', 'wall-phase')
    this.current.dataset.phaseCurrent = ''
    this.lock = el('p', 'wall-lock', t('facil.locked'))
    this.lock.hidden = true
    this.controls = el('div', 'wall-controls')
    this.joinButton = el('button', 'wall-control')
    this.joinButton.type = 'button'
    this.joinButton.dataset.action = 'wall-join'
    this.joinButton.addEventListener('click', () => this.setJoinMode(JOIN_MODES[(JOIN_MODES.indexOf(this.joinMode) + 1) % JOIN_MODES.length]))
    this.fullButton = el('button', 'wall-control', t('wall.fullscreen'))
    this.fullButton.type = 'button'
    this.fullButton.dataset.action = 'wall-fullscreen'
    this.fullButton.addEventListener('click', () => this.toggleFullscreen())
    this.controls.append(this.joinButton, this.fullButton)
    const phaseRow = el('div', 'wall-phase-row')
    phaseRow.append(this.current, this.lock)
    // The question the facilitator has put up, which new private notes start under.
    this.question = el('p', 'wall-question')
    this.question.hidden = true
    this.top.append(el('div', 'wall-heading'), timer.el, this.controls)
    this.top.firstChild.append(this.title, phaseRow, this.steps, this.question)

    // Side: how to join, who is here, the results.
    this.side = el('aside', 'wall-side')
    this.side.setAttribute('aria-label', t('wall.join'))
    const join = el('section', 'wall-join')
    this.join = join
    join.append(
      el('h2', 'wall-label', t('wall.join')),
      el('p', 'wall-url', displayUrl((config.join_url || '').replace(/\/j\/[^/]*$/, ''))),
      el('p', 'wall-label', t('wall.code'))
    )
    const code = el('p', 'wall-code', groupCode(config.join_code))
    code.dataset.joinCode = config.join_code || ''
    const qr = el('img', 'wall-qr')
    qr.src = `/b/${encodeURIComponent(config.board_id)}/qr.svg`
    this.codeEl = code
    this.qr = qr
    qr.alt = t('facil.qr_alt')
    qr.width = 240
    qr.height = 240
    join.append(code, qr)
    this.count = el('p', 'wall-count')
    this.count.dataset.participantCount = '0'
    this.resultsBox = el('section', 'wall-results')
    this.resultsBox.hidden = true
    this.results = el('ol', 'results')
    this.more = el('p', 'wall-more')
    this.more.hidden = true
    this.resultsBox.append(el('h2', 'wall-label', t('vote.results')), this.results, this.more)
    this.side.append(join, this.count, this.resultsBox)
    this._applyJoinMode()
    // A new size (fullscreen, another projector) changes what fits.
    window.addEventListener('resize', () => this._fitResults())

    afterContentChanges(doc, () => this._renderResults())
    doc.getMap('sections').observeDeep(() => this._showQuestion())
  }

  /** Place the wall's parts on the page: the top above the board, the side beside it. */
  mount (root) {
    document.body.prepend(this.top)
    root.append(this.side)
  }

  /** 'full' | 'small' | 'hidden': how much room the join panel takes; remembered. */
  setJoinMode (mode) {
    this.joinMode = mode
    try { this.storage?.setItem(JOIN_PREF, mode) } catch { /* private mode: not remembered */ }
    this._applyJoinMode()
    this._fitResults()
  }

  _applyJoinMode () {
    const mode = this.joinMode
    this.join.hidden = mode === 'hidden'
    this.side.dataset.join = mode
    const next = JOIN_MODES[(JOIN_MODES.indexOf(mode) + 1) % JOIN_MODES.length]
    this.joinButton.textContent = this.t(`wall.join_${next}`)
    this._applySide()
  }

  // Nothing to show beside the board (join hidden, no results): the board takes the width.
  _applySide () {
    const empty = this.joinMode === 'hidden' && this.resultsBox.hidden
    this.side.hidden = empty
    document.body.classList.toggle('wall-side-off', empty)
  }

  _showQuestion () {
    const section = this.state?.board.question ? this.doc.getMap('sections').get(this.state.board.question) : null
    const title = section?.get?.('title') || ''
    this.question.hidden = !title
    if (this.question.textContent !== title) this.question.textContent = title
  }

  toggleFullscreen () {
    if (document.fullscreenElement) return document.exitFullscreen?.()
    return document.documentElement.requestFullscreen?.().catch(() => {})
  }

  update (state) {
    this.state = state
    const joinCode = state.board.join_code
    if (joinCode && joinCode !== this.codeEl.dataset.joinCode) {
      // The facilitator gave the board a new code: the old one lets nobody in now.
      this.codeEl.dataset.joinCode = joinCode
      this.codeEl.textContent = groupCode(joinCode)
      this.qr.src = `/b/${encodeURIComponent(this.config.board_id)}/qr.svg?code=${encodeURIComponent(joinCode)}`
    }
    this.lock.hidden = !state.lock.content
    this._showQuestion()
    this.setCount(onlineCount(state))
    const phase = state.phase.name
    this.current.dataset.phaseCurrent = phase
    this.current.textContent = this.stepItems.get(phase)?.textContent || ''
    for (const [name, item] of this.stepItems) {
      if (name === phase) item.setAttribute('aria-current', 'step')
      else item.removeAttribute('aria-current')
    }
    this._renderResults()
  }

  setCount (count) {
    if (this.count.dataset.participantCount === String(count) && this.count.textContent) return
    this.count.dataset.participantCount = String(count)
    this.count.textContent = this.t(count === 1 ? 'wall.count_one' : 'wall.count_many', { count })
  }

  _renderResults () {
    if (!this.state) return
    const target = this.state.voting.target === 'notes' ? 'notes' : 'clusters'
    const shown = renderResults(this.results, { tallies: this.state.tallies, target }, this.doc, this.t, this.lang)
    this.resultsBox.hidden = shown === 0
    this.side.classList.toggle('has-results', shown > 0)
    this._applySide()
    this._fitResults()
  }

  // Every result fits its box: the list scales down, and past the smallest size the
  // ones that do not fit are counted instead of cut off.
  _fitResults () {
    const list = this.results
    const items = [...list.children]
    for (const item of items) item.hidden = false
    this.more.hidden = true
    if (this.resultsBox.hidden || items.length === 0) return
    const padding = parseFloat(getComputedStyle(this.side).paddingBottom) || 0
    const room = () => this.side.getBoundingClientRect().bottom - padding - this.resultsBox.getBoundingClientRect().bottom
    let scale = 1
    list.style.setProperty('--result-scale', '1')
    while (room() < 0 && scale > MIN_RESULT_SCALE) {
      scale = Math.max(MIN_RESULT_SCALE, scale * 0.9)
      list.style.setProperty('--result-scale', String(scale))
    }
    let hidden = 0
    while (room() < 0 && hidden < items.length - 1) {
      hidden += 1
      items[items.length - hidden].hidden = true
      this.more.hidden = false
      this.more.textContent = this.t('wall.more', { count: hidden })
    }
  }
}
