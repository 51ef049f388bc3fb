// The panel's "Keep access" section: the link that opens this board as its facilitator on
// any PC, the wall link (with a QR code), and, for the facilitator proper, the revocable
// co-facilitator link. The keys are hashed on the server, so the links come from
// GET /access, which answers only facilitators, with the key each one proved itself with.
// The facilitator proper also finds here where the board belongs (moving it into their
// library's organisation) and how to delete it for good.
import { el } from '../core/dom.js'
import { rememberBoard, myBoards, forgetBoard } from '../core/myboards.js'

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
  constructor ({ config, t, api, storage = globalThis.localStorage, fetchFn = (...args) => fetch(...args), go = (url) => location.assign(url) }) {
    Object.assign(this, { config, t, api, storage, fetchFn, go })
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
    if (a.may_delete) parts.push(this._orgSection(), this._deleteSection())
    this.el.dataset.accessState = 'ready'
    this.el.replaceChildren(...parts)
  }

  _orgSection () {
    const t = this.t
    const box = el('div', { className: 'access-org', dataset: { org: this.access.org ? this.access.org.id : '' } },
      el('h4', { textContent: t('access.org_heading') }))
    if (this.access.org) {
      box.append(el('p', { className: 'facil-hint', textContent: t('access.org_owned', { name: this.access.org.name }) }))
      return box
    }
    const hint = el('p', { className: 'facil-hint', textContent: t('access.org_none') })
    box.append(hint)
    this._offerClaim(box, hint)
    return box
  }

  async _offerClaim (box, hint) {
    const t = this.t
    let me = null
    try {
      const response = await this.fetchFn('/api/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      if (response.ok) me = await response.json()
    } catch {}
    if (!me) {
      const next = encodeURIComponent(location.pathname)
      box.append(el('p', { className: 'facil-hint' },
        el('a', { href: `/login?next=${next}`, textContent: t('access.org_sign_in') })))
      return
    }
    if (!me.orgs.length) return
    const select = el('select', { id: 'access-org-choice', className: 'access-org-choice' },
      ...me.orgs.map((o) => el('option', { value: o.id, textContent: o.name })))
    const move = el('button', { type: 'button', className: 'button', dataset: { action: 'claim-board' }, textContent: t('access.org_claim') })
    move.addEventListener('click', async () => {
      move.disabled = true
      try {
        await this.api.post('/claim', { org: select.value })
      } catch (error) {
        move.disabled = false
        hint.textContent = t('access.org_failed', { detail: error.detail || error.code })
        hint.classList.add('error')
        return
      }
      const chosen = me.orgs.find((o) => o.id === select.value)
      this.access.org = { id: chosen.id, name: chosen.name }
      this.render()
    })
    box.append(el('div', { className: 'facil-field' },
      el('label', { htmlFor: select.id, textContent: t('access.org_choose') }),
      el('div', { className: 'facil-row' }, select, move)))
  }

  _deleteSection () {
    const t = this.t
    const confirm = el('input', { type: 'checkbox', id: 'access-delete-confirm' })
    const remove = el('button', { type: 'button', className: 'button danger', dataset: { action: 'delete-board' }, textContent: t('access.delete_button'), disabled: true })
    const status = el('p', { className: 'facil-hint', attrs: { role: 'status' } })
    confirm.addEventListener('change', () => { remove.disabled = !confirm.checked })
    remove.addEventListener('click', async () => {
      remove.disabled = true
      let response
      try {
        response = await this.fetchFn(this.api.base, { method: 'DELETE', credentials: 'same-origin', headers: { Accept: 'application/json' } })
      } catch {
        response = null
      }
      if (response && response.status === 204) {
        forgetBoard(this.storage, this.config.board_id)
        this.go('/')
        return
      }
      const data = response ? await response.json().catch(() => null) : null
      status.textContent = t('access.delete_failed', { detail: (data && (data.detail || data.error)) || t('access.error') })
      status.classList.add('error')
      remove.disabled = !confirm.checked
    })
    return el('details', { className: 'access-delete' },
      el('summary', { textContent: t('access.delete_heading') }),
      el('p', { className: 'facil-hint', textContent: t('access.delete_help') }),
      el('label', { htmlFor: confirm.id, className: 'facil-check' }, confirm, ` ${t('access.delete_confirm')}`),
      el('div', { className: 'facil-row' }, remove),
      status)
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
