// The panel's "Keep access" section: the link that opens this board as its facilitator on
// any PC, the wall link (with a QR code), and, for the facilitator proper, the revocable
// co-facilitator link. The keys are hashed on the server, so the links come from
// GET /access, which answers only facilitators, with the key each one proved itself with.
import { el } from '../core/dom.js'
import { rememberBoard, myBoards } from '../core/myboards.js'

function copyField (name, label, value, t) {
  const id = `access-${name}`
  const input = el('input', { id, type: 'text', readOnly: true, value, className: 'access-link', dataset: { access: name } })
  input.addEventListener('focus', () => input.select())
  const copy = el('button', { type: 'button', className: 'button', textContent: t('access.copy') })
  copy.addEventListener('click', async () => {
    input.select()
    try {
      await navigator.clipboard.writeText(input.value)
      copy.textContent = t('access.copied')
    } catch {
      copy.textContent = t('access.copy_by_hand')
    }
  })
  return el('div', { className: 'facil-field access-field' },
    el('label', { htmlFor: id, textContent: label }), el('div', { className: 'facil-row' }, input, copy))
}

export class AccessLinks {
  constructor ({ config, t, api, storage = globalThis.localStorage }) {
    Object.assign(this, { config, t, api, storage })
    this.el = el('div', { className: 'access', dataset: { accessState: 'loading' } })
    this.load()
  }

  async load () {
    let access
    try {
      access = await this.api.get('/access')
    } catch {
      this.el.dataset.accessState = 'error'
      this.el.replaceChildren(el('p', { className: 'facil-hint error', textContent: this.t('access.error') }))
      return
    }
    this.access = access
    const known = myBoards(this.storage).find((b) => b.id === this.config.board_id)
    this.coLink = access.cofacilitator.active ? known?.co_link || null : null
    this._remember()
    this.render()
  }

  _remember () {
    rememberBoard(this.storage, {
      id: this.config.board_id,
      title: this.config.title,
      link: this.access.link,
      role: this.access.role,
      co_link: this.coLink
    })
  }

  render () {
    const t = this.t
    const a = this.access
    const own = a.role === 'cofacilitator' ? t('access.own_link_co') : t('access.own_link')
    const qr = el('img', {
      src: `/b/${encodeURIComponent(this.config.board_id)}/wall-qr.svg`,
      alt: t('access.wall_qr_alt'),
      className: 'join-qr access-qr',
      width: 120,
      height: 120
    })
    const parts = [
      el('p', { className: 'access-keep', attrs: { role: 'note' }, textContent: t('access.keep') }),
      copyField('own', own, a.link, t),
      copyField('wall', t('access.wall_link'), a.wall, t),
      qr,
      el('p', { className: 'facil-hint', textContent: t('access.wall_hint') })
    ]
    if (a.may_manage) parts.push(this._coSection())
    this.el.dataset.accessState = 'ready'
    this.el.replaceChildren(...parts)
  }

  _coSection () {
    const t = this.t
    const active = this.access.cofacilitator.active
    const box = el('div', { className: 'access-co', dataset: { coActive: String(active) } },
      el('h4', { textContent: t('access.co_heading') }),
      el('p', { className: 'facil-hint', textContent: active ? t('access.co_active') : t('access.co_none') }))
    if (this.coLink) box.append(copyField('cofacilitator', t('access.co_link'), this.coLink, t))
    const issue = el('button', { type: 'button', className: 'button', dataset: { action: 'issue-cofacilitator' }, textContent: active ? t('access.co_new') : t('access.co_create') })
    issue.addEventListener('click', () => this._change('/cofacilitator'))
    const row = el('div', { className: 'facil-row' }, issue)
    if (active) {
      const revoke = el('button', { type: 'button', className: 'button danger', dataset: { action: 'revoke-cofacilitator' }, textContent: t('access.co_revoke') })
      revoke.addEventListener('click', () => this._change('/cofacilitator/revoke'))
      row.append(revoke)
    }
    box.append(row)
    return box
  }

  async _change (path) {
    let result
    try {
      result = await this.api.post(path, {})
    } catch {
      this.el.querySelector('.access-co .facil-hint').textContent = this.t('access.error')
      return
    }
    this.access.cofacilitator.active = result.active
    this.coLink = result.link || null
    this._remember()
    this.render()
  }
}
