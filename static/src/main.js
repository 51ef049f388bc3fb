// Board page entry point: read the server's config, connect, draw, listen.
import * as Y from 'yjs'
import { pickLanguage, translator } from './i18n.js'
import { connectBoard, TERMINAL_CLOSE_CODES } from './sync.js'
import { Renderer } from './render.js'
import { Presence } from './presence.js'
import { Input } from './input.js'
import { roots } from './model.js'

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
  document.body.classList.toggle('read-only', readOnly)

  const doc = new Y.Doc()
  const root = document.body
  const viewport = root.querySelector('[data-board-viewport]')
  const canvas = root.querySelector('[data-board-canvas]')
  const status = root.querySelector('[data-connection-state]')
  const banner = root.querySelector('[data-board-message]')

  const renderer = new Renderer({ doc, viewport, canvas, t, readOnly })

  const showState = (state, closedCode) => {
    if (status) {
      status.dataset.connectionState = state
      const label = status.querySelector('[data-connection-label]') || status
      label.textContent = t(`conn.${state}`)
      status.title = t('conn.title', { state: t(`conn.${state}`) })
    }
    if (banner) {
      const key = closedCode != null ? TERMINAL_CLOSE_CODES[closedCode] : null
      banner.hidden = !key
      banner.textContent = key ? t(key) : ''
    }
  }
  const sync = connectBoard({ doc, config, onState: showState })

  const presence = new Presence(sync.awareness, {
    name: config.name || t('presence.anonymous'),
    seed: config.participant_id || config.name || String(doc.clientID),
    visible: config.role !== 'wall'
  })
  presence.onChange((people) => {
    renderer.setPeople(people)
    renderPeople(root, people, t)
  })

  // Keep the visible title in step with the doc (the facilitator may rename the board).
  const title = root.querySelector('[data-board-title]')
  const meta = roots(doc).meta
  meta.observe(() => {
    const value = meta.get('title')
    if (title && typeof value === 'string' && value && title.textContent !== value) {
      title.textContent = value
      title.title = value
      document.title = `${value} – Samsyn`
    }
  })

  const input = new Input({ doc, renderer, presence, t, config, root, readOnly })
  // Handy when debugging in the console and for tests that inspect the live doc.
  window.samsyn = { doc, provider: sync.provider, renderer, input, presence, config }
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
    return item
  }))
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start)
else start()
