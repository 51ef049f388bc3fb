// The toolbar, derived from the command table (commands.js): a click runs the command
// its button's data-action names, and after every selection change each button's
// enabled state, the pressed swatch and the selection count are refreshed.
import { NOTE_COLORS, getCluster, getNote } from '../core/model.js'
import { el } from '../core/dom.js'
import { COMMANDS, allowed, commandNamed } from './commands.js'

/** Run the command of a clicked `[data-action]` button under `root`. */
export function listenToToolbar (root, input) {
  root.addEventListener('click', (event) => {
    const button = event.target.closest('[data-action]')
    if (!button || button.disabled) return
    const command = commandNamed(button.dataset.action)
    if (command && allowed(command, input)) command.run(input, { button, event })
  })
  // Keep focus (and so the note editor) when pressing toolbar buttons with a mouse.
  for (const bar of root.querySelectorAll('.toolbar, .zoom')) {
    bar.addEventListener('mousedown', (event) => {
      if (event.target.closest('button')) event.preventDefault()
    })
  }
}

/** One swatch per note colour in `[data-palette]`: each runs the `color` command. */
export function buildPalette (root, t) {
  const palette = root.querySelector('[data-palette]')
  if (!palette) return
  palette.replaceChildren(...NOTE_COLORS.map((color) => {
    const button = el('button', {
      type: 'button', className: 'swatch', title: t(`color.${color.id}`),
      dataset: { action: 'color', color: color.value }, attrs: { 'aria-label': t(`color.${color.id}`) }
    })
    button.style.setProperty('--swatch', color.value)
    return button
  }))
}

function selectedColor (input) {
  const [noteId] = input.selection.notes
  if (noteId) return getNote(input.doc, noteId)?.get('color') || null
  const [clusterId] = input.selection.clusters
  return clusterId ? getCluster(input.doc, clusterId)?.get('color') || null : null
}

/** Refresh what the toolbar shows from the selection and the command table. */
export function updateToolbar (root, input) {
  const current = selectedColor(input) || input.color
  for (const swatch of root.querySelectorAll('[data-action="color"]')) {
    swatch.setAttribute('aria-pressed', String(swatch.dataset.color === current))
  }
  for (const command of COMMANDS) {
    if (!command.enabled) continue
    const on = allowed(command, input) && Boolean(command.enabled(input))
    for (const button of root.querySelectorAll(`[data-action="${command.name}"]`)) button.disabled = !on
  }
  const notes = input.selection.notes.size
  const clusters = input.selection.clusters.size
  const count = root.querySelector('[data-selection-count]')
  if (count) {
    const n = notes + clusters
    count.hidden = n < 2
    count.textContent = n < 2 ? '' : input.t('toolbar.selected', { count: n })
  }
}
