// The wall view for the projector (1920x1080 from the back of a room): the join code, QR
// code and link, the phase, the timer, how many are here, the results, and the board
// following the facilitator. Nothing to click: the room watches it.
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

export class WallView {
  constructor ({ config, t, lang, doc, timer, phaseNames }) {
    Object.assign(this, { config, t, lang, doc })
    this.state = null

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
    this.top.append(el('div', 'wall-heading'), timer.el)
    this.top.firstChild.append(this.title, this.current, this.steps)

    // Side: how to join, who is here, the results.
    this.side = el('aside', 'wall-side')
    this.side.setAttribute('aria-label', t('wall.join'))
    const join = el('section', 'wall-join')
    join.append(
      el('h2', 'wall-label', t('wall.join')),
      el('p', 'wall-url', displayUrl((config.join_url || '').replace(/\/j\/[^/]*$/, ''))),
      el('p', 'wall-label', t('wall.code'))
    )
    const code = el('p', 'wall-code', groupCode(config.join_code))
    code.dataset.joinCode = config.join_code || ''
    const qr = el('img', 'wall-qr')
    qr.src = `/b/${encodeURIComponent(config.board_id)}/qr.svg`
    qr.alt = t('facil.qr_alt')
    qr.width = 240
    qr.height = 240
    join.append(code, qr)
    this.count = el('p', 'wall-count')
    this.count.dataset.participantCount = '0'
    this.resultsBox = el('section', 'wall-results')
    this.resultsBox.hidden = true
    this.results = el('ol', 'results')
    this.resultsBox.append(el('h2', 'wall-label', t('vote.results')), this.results)
    this.side.append(join, this.count, this.resultsBox)

    afterContentChanges(doc, () => this._renderResults())
  }

  /** Place the wall's parts on the page: the top above the board, the side beside it. */
  mount (root) {
    document.body.prepend(this.top)
    root.append(this.side)
  }

  update (state) {
    this.state = state
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
  }
}
