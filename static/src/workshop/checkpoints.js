// Named checkpoints of a board ("Slut på dag 1", "Målbild 0.5"): save, list, view read-only,
// fork into a new board, restore in place. Also the read-only viewer of one checkpoint.
import * as Y from 'yjs'
import { Awareness } from 'y-protocols/awareness'
import { el as make } from '../core/dom.js'

/** Checkpoints newest first. */
export function sortCheckpoints (list) {
  return [...list].sort((a, b) => (b.at - a.at) || (a.id < b.id ? -1 : 1))
}

export function formatWhen (at, lang) {
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'sv-SE', {
    weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit'
  }).format(new Date(at))
}

/** The facilitator's checkpoint controls: a name field, save, and the list. */
export class CheckpointList {
  constructor ({ api, config, t, lang, notify }) {
    Object.assign(this, { api, config, t, lang, notify })
    this.field = make('input', {
      type: 'text', id: 'checkpoint-name', maxLength: 120, placeholder: t('checkpoint.placeholder'), required: true
    })
    const form = make('form', { className: 'facil-row checkpoint-form' },
      make('label', { htmlFor: 'checkpoint-name', textContent: t('checkpoint.name') }),
      this.field,
      make('button', { type: 'submit', className: 'button', textContent: t('checkpoint.save') }))
    form.addEventListener('submit', (event) => { event.preventDefault(); this.save() })
    this.list = make('ul', { className: 'checkpoint-list', attrs: { 'aria-label': t('checkpoint.list_label') } })
    this.empty = make('p', { className: 'facil-hint', textContent: t('checkpoint.empty') })
    this.el = make('div', { className: 'checkpoints' }, form, this.empty, this.list)
    this.refresh()
  }

  async refresh () {
    try {
      this.render(await this.api.get('/checkpoints'))
    } catch { /* the list stays as it was */ }
  }

  async save () {
    const name = this.field.value.trim()
    if (!name) { this.field.focus(); return }
    try {
      const created = await this.api.post('/checkpoints', { name })
      this.field.value = ''
      this.notify(this.t('checkpoint.saved', { name: created.name }))
      await this.refresh()
    } catch {
      this.notify(this.t('facil.error'), true)
    }
  }

  async fork (checkpoint) {
    // Open the tab now, inside the click, so no pop-up blocker stops it; fill it in later.
    const tab = window.open('', '_blank')
    try {
      const board = await this.api.post(`/checkpoints/${encodeURIComponent(checkpoint.id)}/fork`, {})
      if (tab) {
        tab.opener = null
        tab.location.href = board.urls.facilitator
      } else {
        window.location.href = board.urls.facilitator
      }
      this.notify(this.t('checkpoint.forked', { name: checkpoint.name }))
    } catch {
      tab?.close()
      this.notify(this.t('facil.error'), true)
    }
  }

  async restore (checkpoint) {
    const t = this.t
    try {
      const result = await this.api.post(`/checkpoints/${encodeURIComponent(checkpoint.id)}/restore`, {})
      this.notify(t('checkpoint.restored', { name: checkpoint.name, before: result.before.name }))
    } catch (error) {
      this.notify(t(error.code === 'checkpoint_not_found' ? 'error.no_checkpoint' : 'facil.error'), true)
    }
    // The list gains the checkpoint the restore saved first (or loses one deleted meanwhile).
    await this.refresh()
  }

  /** Ask before restoring: it changes the board for everyone. The row's actions give way to
   * the question, a confirm button and a cancel button until one of them is chosen. */
  askRestore (checkpoint, actions) {
    const t = this.t
    const shown = [...actions.children]
    const question = make('p', {
      className: 'checkpoint-question', textContent: t('checkpoint.restore_question', { name: checkpoint.name })
    })
    const confirm = make('button', {
      type: 'button', className: 'button small danger', textContent: t('checkpoint.restore_confirm'),
      dataset: { action: 'confirm-restore' }
    })
    const cancel = make('button', {
      type: 'button', className: 'button small', textContent: t('checkpoint.restore_cancel'),
      dataset: { action: 'cancel-restore' }
    })
    const back = () => { actions.replaceChildren(...shown); shown.find((b) => b.dataset.action === 'restore')?.focus() }
    cancel.addEventListener('click', back)
    confirm.addEventListener('click', () => {
      confirm.disabled = true
      cancel.disabled = true
      this.restore(checkpoint)
    })
    actions.replaceChildren(question, confirm, cancel)
    actions.classList.add('asking')
    cancel.focus()
  }

  render (checkpoints) {
    const t = this.t
    const sorted = sortCheckpoints(checkpoints)
    this.empty.hidden = sorted.length > 0
    this.list.replaceChildren(...sorted.map((checkpoint) => {
      const li = document.createElement('li')
      li.className = 'checkpoint'
      li.dataset.checkpointId = checkpoint.id
      const name = document.createElement('span')
      name.className = 'checkpoint-name'
      name.textContent = checkpoint.name
      const when = document.createElement('time')
      when.className = 'checkpoint-when'
      when.dateTime = new Date(checkpoint.at).toISOString()
      when.textContent = formatWhen(checkpoint.at, this.lang)
      const open = document.createElement('a')
      open.className = 'checkpoint-open'
      open.href = `/b/${encodeURIComponent(this.config.board_id)}/checkpoints/${encodeURIComponent(checkpoint.id)}`
      open.target = '_blank'
      open.rel = 'noopener'
      open.textContent = t('checkpoint.open')
      open.setAttribute('aria-label', t('checkpoint.open_label', { name: checkpoint.name }))
      const fork = document.createElement('button')
      fork.type = 'button'
      fork.className = 'button small'
      fork.textContent = t('checkpoint.fork')
      fork.setAttribute('aria-label', t('checkpoint.fork_label', { name: checkpoint.name }))
      fork.addEventListener('click', () => this.fork(checkpoint))
      const restore = make('button', {
        type: 'button', className: 'button small', textContent: t('checkpoint.restore'),
        dataset: { action: 'restore' }, attrs: { 'aria-label': t('checkpoint.restore_label', { name: checkpoint.name }) }
      })
      const actions = document.createElement('span')
      actions.className = 'checkpoint-actions'
      restore.addEventListener('click', () => this.askRestore(checkpoint, actions))
      actions.append(open, fork, restore)
      li.append(name, when, actions)
      return li
    }))
  }
}

/**
 * Load a checkpoint's content into `doc` for reading: one Yjs update over HTTP, no socket.
 * Returns the same shape as connectDoc() so the page treats it alike.
 */
export function openCheckpoint ({ doc, config, onState = () => {} }) {
  const base = `/api/boards/${encodeURIComponent(config.board_id)}/checkpoints/${encodeURIComponent(config.checkpoint_id)}`
  const ready = fetch(`${base}/state`, { credentials: 'same-origin' })
    .then((response) => {
      if (!response.ok) throw new Error(`checkpoint state: expected 200, got ${response.status}`)
      return response.arrayBuffer()
    })
    .then((buffer) => {
      Y.applyUpdate(doc, new Uint8Array(buffer), 'checkpoint')
      onState('connected', null)
    })
  return { provider: null, awareness: new Awareness(doc), persistence: null, ready, destroy () {} }
}

/** The strip above a checkpoint's board: which checkpoint, from when, and the way back. */
export function checkpointBanner ({ api, config, t, lang }) {
  const el = document.createElement('div')
  el.className = 'checkpoint-banner'
  el.setAttribute('role', 'note')
  const text = document.createElement('span')
  text.textContent = t('checkpoint.viewing_unknown')
  const back = document.createElement('a')
  back.href = `/b/${encodeURIComponent(config.board_id)}`
  back.textContent = t('checkpoint.back')
  el.append(text, back)
  api.get('/checkpoints').then((list) => {
    const found = list.find((c) => c.id === config.checkpoint_id)
    if (found) text.textContent = t('checkpoint.viewing', { name: found.name, time: formatWhen(found.at, lang) })
  }).catch(() => {})
  return el
}
