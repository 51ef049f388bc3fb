// Board page entry point: read the server's config, connect, draw, listen.
import * as Y from 'yjs'
import { pickLanguage, translator } from './core/i18n.js'
import { connectDoc, refusalKey, TERMINAL_CLOSE_CODES } from './net/connect.js'
import { Renderer } from './board/render.js'
import { Presence } from './net/presence.js'
import { Input } from './board/input.js'
import { Access } from './board/access.js'
import { Find } from './board/find.js'
import { OutlineView } from './board/outline.js'
import * as model from './core/model.js'
import { startWorkshop } from './workshop/start.js'
import { openCheckpoint } from './workshop/checkpoints.js'
import { startVisionDrawer } from './workshop/vision-drawer.js'

// Above this many people, cursors are hidden unless someone asks for them.
const CURSOR_LIMIT = 30
// Below this width the outline is the default view (phones).
const NARROW = '(max-width: 700px)'
// How long the reason of a refused edit stays on screen.
const REFUSAL_SHOWN_MS = 8000

function readConfig () {
  const el = document.getElementById('samsyn-config')
  if (!el) throw new Error('samsyn: expected a #samsyn-config JSON element on the page, found none')
  return JSON.parse(el.textContent)
}

function start () {
  const config = readConfig()
  const lang = pickLanguage({
    search: location.search,
    cookie: document.cookie,
    boardLanguage: config.language,
    htmlLang: document.documentElement.lang
  })
  const t = translator(lang)
  const readOnly = Boolean(config.read_only) || config.role === 'wall'
  const anonymous = Boolean(config.anonymous)
  const access = new Access({ fixed: readOnly })

  const doc = new Y.Doc()
  const root = document.body
  const viewport = root.querySelector('[data-board-viewport]')
  const canvas = root.querySelector('[data-board-canvas]')
  const status = root.querySelector('[data-connection-state]')
  const banner = root.querySelector('[data-board-message]')

  const renderer = new Renderer({ doc, viewport, canvas, t, access, anonymous })

  // The banner says why a doc stopped for good: the board's close first, else the
  // session's or the drafts' (a board state change must not hide theirs).
  // Below them, for a while, why the server took this person's last edit back.
  const closed = { board: null, other: null }
  let refusal = null
  let refusalTimer = null
  const showClosed = () => {
    if (!banner) return
    const code = closed.board ?? closed.other
    const key = code != null ? TERMINAL_CLOSE_CODES[code] : refusal
    banner.hidden = !key
    banner.textContent = key ? t(key) : ''
    banner.dataset.refusal = code == null && refusal ? refusal : ''
  }
  const showRefusal = (reason) => {
    refusal = refusalKey(reason)
    clearTimeout(refusalTimer)
    refusalTimer = setTimeout(() => { refusal = null; showClosed() }, REFUSAL_SHOWN_MS)
    showClosed()
  }
  const showState = (state, closedCode) => {
    if (status) {
      status.dataset.connectionState = state
      const label = status.querySelector('[data-connection-label]') || status
      label.textContent = t(`conn.${state}`)
      status.title = t('conn.title', { state: t(`conn.${state}`) })
    }
    closed.board = closedCode ?? null
    showClosed()
  }
  // A checkpoint is a saved state: read once over HTTP, shown read-only, never synced.
  const sync = config.checkpoint_id
    ? openCheckpoint({ doc, config, onState: showState })
    : connectDoc({ doc, config, room: config.board_id, persist: `samsyn-board-${config.board_id}`, onState: showState, onRefused: showRefusal })

  const presence = new Presence(sync.awareness, {
    name: config.name || t('presence.anonymous'),
    seed: config.participant_id || config.name || String(doc.clientID),
    visible: config.role !== 'wall'
  })
  const cursors = { wanted: null } // null: automatic (on for small rooms)
  const showCursors = (people) => {
    const on = cursors.wanted ?? people.length <= CURSOR_LIMIT
    renderer.setCursorsVisible(on)
    for (const button of root.querySelectorAll('[data-action="toggle-cursors"]')) {
      button.setAttribute('aria-pressed', String(on))
    }
  }
  presence.onChange((people) => {
    renderer.setPeople(people)
    renderPeople(root, people, t)
    showCursors(people)
  })
  root.querySelector('[data-action="toggle-cursors"]')?.addEventListener('click', (event) => {
    cursors.wanted = event.currentTarget.getAttribute('aria-pressed') !== 'true'
    showCursors(presence.people())
  })

  // Keep the visible title in step with the doc (the facilitator may rename the board).
  const title = root.querySelector('[data-board-title]')
  const meta = model.roots(doc).meta
  meta.observe(() => {
    const value = meta.get('title')
    if (title && typeof value === 'string' && value && title.textContent !== value) {
      title.textContent = value
      title.title = value
      document.title = `${value} – Samsyn`
    }
  })

  const input = new Input({ doc, renderer, presence, t, config, root, access })
  const find = new Find({ doc, renderer, input, root, t, lang })
  const outlineEl = root.querySelector('[data-outline]')
  const outline = outlineEl ? new OutlineView({ doc, container: outlineEl, t, config, readOnly, anonymous, access }) : null

  // The first view (input.firstView: the first question at a readable zoom) the first
  // time there is something to show, unless the person has already moved the view.
  const hasContent = () => {
    const { notes, clusters, sections } = model.roots(doc)
    return notes.size + clusters.size + sections.size > 0
  }
  const stopFitting = renderer.onRender(() => {
    if (input.cameraTouched) return stopFitting()
    if (!hasContent()) return
    input.firstView()
    stopFitting()
  })
  // What IndexedDB had may be older than the server's board: fit once more on first sync.
  // A board that is empty then stays put: the first note someone writes must not move it.
  const fitOnSync = (synced) => {
    if (!synced) return
    sync.provider.off('sync', fitOnSync)
    stopFitting()
    requestAnimationFrame(() => { if (!input.cameraTouched && hasContent()) input.firstView() })
  }
  sync.provider?.on('sync', fitOnSync)

  const views = setUpViews({ root, viewport, outline, input, config })
  registerServiceWorker()
  // Handy when debugging in the console and for tests that inspect the live doc.
  window.samsyn = { doc, model, provider: sync.provider, renderer, input, presence, config, find, outline, views }
  // Phases, drafts, votes, timer, follow me, the facilitator panel and the wall.
  // The session and drafts docs show their terminal closes in the same banner.
  const onClosed = (code) => { if (code != null) { closed.other = code; showClosed() } }
  window.samsyn.workshop = startWorkshop({ config, t, lang, doc, renderer, outline, input, presence, root, access, onClosed })
  // The målbild of the journey, for every role (read only; a round opens parts to write).
  window.samsyn.vision = startVisionDrawer({ config, t, session: window.samsyn.workshop.session, root })
}

/** Canvas or outline: a toggle button, remembered per browser; phones start in the outline. */
function setUpViews ({ root, viewport, outline, input, config }) {
  const toggle = root.querySelector('[data-action="toggle-view"]')
  const key = 'samsyn-view'
  const show = (view) => {
    const isOutline = view === 'outline' && Boolean(outline)
    document.body.dataset.view = isOutline ? 'outline' : 'canvas'
    viewport.hidden = isOutline
    for (const el of root.querySelectorAll('[data-canvas-only]')) el.hidden = isOutline
    input.active = !isOutline
    if (isOutline) input.stopEditing()
    outline?.show(isOutline)
    if (toggle) toggle.setAttribute('aria-pressed', String(isOutline))
  }
  let stored = null
  try { stored = localStorage.getItem(key) } catch { /* storage blocked */ }
  const initial = new URLSearchParams(location.search).get('view') || stored ||
    (matchMedia(NARROW).matches ? 'outline' : 'canvas')
  show(initial)
  toggle?.addEventListener('click', () => {
    const next = document.body.dataset.view === 'outline' ? 'canvas' : 'outline'
    show(next)
    try { localStorage.setItem(key, next) } catch { /* storage blocked */ }
  })
  return { show, current: () => document.body.dataset.view }
}

function registerServiceWorker () {
  // The server serves it at /sw.js so that its scope covers /b/ (offline reloads).
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).then(async () => {
    const registration = await navigator.serviceWorker.ready
    const urls = [location.href.split('#')[0], ...[...document.querySelectorAll('script[src], link[rel=stylesheet]')]
      .map((el) => el.src || el.href)]
    registration.active?.postMessage({ type: 'cache', urls })
  }).catch(() => {
    // Offline reloads are a bonus: the board works without them.
  })
}

function renderPeople (root, people, t) {
  const count = root.querySelector('[data-presence-count]')
  if (count) {
    count.dataset.presenceCount = String(people.length)
    count.textContent = t(people.length === 1 ? 'presence.count_one' : 'presence.count_many', { count: people.length })
  }
  const list = root.querySelector('[data-presence-list]')
  if (!list) return
  list.replaceChildren(...people.map((person) => {
    const item = document.createElement('li')
    item.className = 'person'
    item.style.setProperty('--person-color', person.color)
    item.textContent = person.self ? t('presence.you', { name: person.name }) : person.name
    if (person.editing && !person.self) {
      const doing = document.createElement('span')
      doing.className = 'person-doing'
      doing.textContent = t('presence.editing')
      item.append(' ', doing)
    }
    return item
  }))
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start)
else start()
