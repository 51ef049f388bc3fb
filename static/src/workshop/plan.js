// The plan on the board (services/plan_board.py): the facilitator's switch that gives the
// board the målbild's three status sections (Planerad, Pågår, Klar) with a card per
// action, or takes them off again. The cards themselves are notes the server writes; a
// move or edit of one is written back into the målbild by the server.
import { roots } from '../core/model.js'
import { el } from '../core/dom.js'

/** The plan's status sections on this board: status -> section id. */
export function planSections (doc) {
  const out = {}
  for (const [id, section] of roots(doc).sections) {
    const status = section?.get?.('plan')
    if (typeof status === 'string' && status && !(status in out)) out[status] = id
  }
  return out
}

export class PlanSection {
  constructor ({ t, doc, api, notify }) {
    Object.assign(this, { t, doc, api, notify })
    this.toggle = el('button', { type: 'button', className: 'button' })
    this.toggle.dataset.action = 'toggle-plan'
    this.toggle.addEventListener('click', () => this._toggle())
    this.el = el('div', { className: 'plan-facil' },
      el('p', { className: 'facil-hint', textContent: t('plan.hint') }),
      el('div', { className: 'facil-row' }, this.toggle))
    roots(doc).sections.observeDeep(() => this.render())
    this.render()
  }

  get shown () { return Object.keys(planSections(this.doc)).length > 0 }

  render () {
    const shown = this.shown
    this.toggle.textContent = this.t(shown ? 'plan.hide' : 'plan.show')
    this.toggle.setAttribute('aria-pressed', String(shown))
  }

  async _toggle () {
    const show = !this.shown
    try {
      const result = await this.api.post('/plan', { show })
      this.notify(show ? this.t('plan.shown', { count: result.cards }) : this.t('plan.hidden'))
    } catch (error) {
      this.notify(error?.code === 'vision_not_found' ? this.t('plan.no_vision') : this.t('facil.error'), true)
    }
  }
}
