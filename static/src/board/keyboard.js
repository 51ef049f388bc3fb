// Keys on the board page -> the command table (commands.js), plus the keys that are not
// commands: Escape (leave a field, drop the selection) and holding space to pan.
import { allowed, commandForKey } from './commands.js'

/**
 * Undo and redo, wherever focus is: called in the capture phase, before panels that keep
 * their keys from the board (the facilitator panel, the drafts tray, the phase bar) stop
 * them. Only a text field of its own (not a note or cluster name) keeps its native undo.
 */
export function handleUndoKey (input, event) {
  if (!input.active || event.altKey) return
  const command = commandForKey(event)
  if (!command?.inFields) return
  const target = event.target
  const inField = target instanceof HTMLElement && target.matches('input, textarea, select, [contenteditable="true"]')
  if (inField && !target.matches('.note-editor, .cluster-title')) return
  event.preventDefault()
  if (allowed(command, input)) command.run(input, { event })
}

/** Handle one keydown for `input` (board/input.js); leaves keys it does not use alone. */
export function handleKey (input, event) {
  if (!input.active) return
  const target = event.target
  const inField = target instanceof HTMLElement &&
    (target.matches('input, textarea, select, [contenteditable="true"]'))
  const mod = event.ctrlKey || event.metaKey
  const onBoard = input.root.contains(target) || target === document.body
  if (!onBoard) return
  const command = commandForKey(event)

  if (command?.inFields) return // handleUndoKey had it first

  // Enter finishes a note (Shift+Enter: a new line); the note stays selected.
  const finishNote = event.key === 'Enter' && !event.shiftKey && !mod && !event.altKey && !event.isComposing
  if (event.key === 'Escape' || (finishNote && target.matches?.('.note-editor'))) {
    if (event.key === 'Enter') event.preventDefault()
    if (input.editing) {
      const id = input.editing.id
      input.stopEditing()
      input.renderer.noteElement(id)?.focus({ preventScroll: true })
    } else if (target.classList?.contains('cluster-title')) {
      target.closest('.cluster')?.focus({ preventScroll: true })
    } else if (!inField) {
      input.select(null)
    }
    return
  }
  if (inField || event.altKey) return
  if (mod) {
    // Ctrl+D and Ctrl+A are the board's, never the browser's, even when read-only.
    if (!command) return
    event.preventDefault()
    if (allowed(command, input)) command.run(input, { event })
    return
  }
  if (event.key === ' ') {
    // Hold to pan with the mouse; on a focused note, toggles it in the selection.
    event.preventDefault()
    if (!event.repeat) {
      const note = target.closest?.('.note')
      if (note) input.toggleSelected('note', note.dataset.noteId)
    }
    input.spaceHeld = true
    input.viewport.classList.add('space-pan')
    return
  }
  // A key that means nothing here (or now) keeps its default.
  if (!command || !allowed(command, input)) return
  if (command.run(input, { event }) !== false) event.preventDefault()
}
