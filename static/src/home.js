// The home page's "Starta från en Målbild-fil": a JSON export becomes a new board
// (POST /api/boards/import) and the browser goes on as its facilitator. The messages
// come from the page (data-msg-* attributes rendered from the i18n files).
// And "Mina tavlor": the server lists the boards whose facilitator cookie this browser
// holds; the boards the facilitator panel remembered in localStorage are added here.
import { myBoards } from './core/myboards.js'

const MAX_BYTES = 20 * 1024 * 1024 // the server's limit for an import

function message (form, name, detail = '') {
  return (form.dataset[`msg${name}`] || '').replace('{detail}', detail)
}

/** POST the file's JSON; resolves to the new board, or throws Error(code) with .detail. */
export async function importExport (text, fetchFn = (...args) => fetch(...args)) {
  const response = await fetchFn('/api/boards/import', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: text
  })
  const data = await response.json().catch(() => null)
  if (!response.ok) {
    const error = new Error((data && data.error) || `http_${response.status}`)
    error.code = error.message
    error.detail = (data && data.detail) || ''
    throw error
  }
  return data
}

function setUp (form) {
  const input = form.querySelector('input[type=file]')
  const status = form.querySelector('[data-import-status]')
  const submit = form.querySelector('button[type=submit]')
  const show = (text, error = false) => {
    status.textContent = text
    status.classList.toggle('error', error)
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const file = input.files && input.files[0]
    if (!file) return show(message(form, 'NoFile'), true)
    if (file.size > MAX_BYTES) return show(message(form, 'TooLarge'), true)
    let text
    try {
      text = await file.text()
      JSON.parse(text)
    } catch {
      return show(message(form, 'NotJson'), true)
    }
    submit.disabled = true
    show(message(form, 'Working'))
    try {
      const board = await importExport(text)
      location.assign(board.urls.facilitator)
    } catch (error) {
      submit.disabled = false
      if (error.code === 'too_large') show(message(form, 'TooLarge'), true)
      else if (error.code === 'invalid_export' || error.code === 'invalid_json') show(message(form, 'Failed', error.detail), true)
      else show(message(form, 'Failed', error.detail || error.code), true)
    }
  })
}

for (const form of document.querySelectorAll('[data-import-form]')) setUp(form)

function listMyBoards (section) {
  const list = section.querySelector('[data-my-boards-list]')
  const shown = new Set([...list.querySelectorAll('[data-board-id]')].map((li) => li.dataset.boardId))
  for (const board of myBoards(localStorage)) {
    if (shown.has(board.id)) continue
    const link = document.createElement('a')
    link.href = board.link // carries the key: opens the board even without the cookie
    link.textContent = board.title || board.id
    const item = document.createElement('li')
    item.dataset.boardId = board.id
    item.append(link)
    list.append(item)
  }
  section.hidden = list.children.length === 0
}

for (const section of document.querySelectorAll('[data-my-boards]')) listMyBoards(section)
