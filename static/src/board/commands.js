// Every board command, registered once (as Excalidraw's actions): its name is the
// toolbar's `data-action`, `keys` its shortcuts, `enabled` the toolbar button's state and
// `readOnlySafe` whether it may run while the board is read-only. Input derives the click
// handling, the keyboard handling and the buttons' enabled state from this table.
import * as model from '../core/model.js'

const ARROW_STEP = 10
const ARROW_STEP_LARGE = 50
const PAN_STEP = 80

const inCluster = (input) => input.selection.clusters.size > 0 ||
  input.selectedNotes.some((id) => model.getNote(input.doc, id)?.get('cluster'))

/**
 * `run(input, { button, event })` returns false when it did nothing, so a key that means
 * nothing here keeps its default. Keys: 'n', 'mod+d', 'mod+shift+z' (mod: Ctrl or Cmd).
 */
export const COMMANDS = [
  { name: 'add-note', keys: ['n'], run: (input) => input.addNote() },
  { name: 'add-cluster', keys: ['c'], run: (input) => input.addCluster() },
  { name: 'group', keys: ['g'], enabled: (input) => input.selection.notes.size > 0, run: (input) => input.groupSelection() },
  { name: 'tidy', keys: ['t'], enabled: inCluster, run: (input) => input.tidySelection() },
  // Facilitator only: packs every section (clusters in rows, loose notes below) for everyone.
  {
    name: 'arrange',
    keys: ['mod+shift+a'],
    enabled: (input) => input.config.role === 'facilitator',
    run: (input) => input.config.role === 'facilitator' ? input.arrangeAll() : false
  },
  { name: 'duplicate', keys: ['mod+d'], enabled: (input) => input.selection.notes.size > 0, run: (input) => input.duplicateSelection() },
  {
    name: 'delete',
    keys: ['Delete', 'Backspace'],
    enabled: (input) => input.selectionSize > 0,
    run: (input) => input.selectionSize ? input.deleteSelection() : false
  },
  // Undo and redo work in note and cluster fields too: they go through the doc, so they
  // undo only this person's changes and reach everyone.
  { name: 'undo', keys: ['mod+z'], inFields: true, enabled: (input) => input.undo?.canUndo(), run: (input) => input.undo?.undo() },
  { name: 'redo', keys: ['mod+y', 'mod+shift+z'], inFields: true, enabled: (input) => input.undo?.canRedo(), run: (input) => input.undo?.redo() },
  { name: 'select-all', keys: ['mod+a'], readOnlySafe: true, run: (input) => input.selectAll() },
  { name: 'color', readOnlySafe: true, run: (input, { button }) => input.recolor(button.dataset.color) },
  { name: 'tool-select', keys: ['s'], readOnlySafe: true, run: (input) => input.setTool(input.tool === 'select' ? 'hand' : 'select') },
  { name: 'fit', keys: ['f'], readOnlySafe: true, run: (input) => input.fit() },
  { name: 'zoom-in', keys: ['+', '='], readOnlySafe: true, run: (input) => input.zoom(1) },
  { name: 'zoom-out', keys: ['-'], readOnlySafe: true, run: (input) => input.zoom(-1) },
  { name: 'zoom-reset', keys: ['0'], readOnlySafe: true, run: (input) => input.zoom(0) },
  { name: 'open', keys: ['Enter'], readOnlySafe: true, run: (input) => input.openSelection() },
  {
    name: 'arrow',
    keys: ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'],
    readOnlySafe: true,
    // With a selection the arrows move it (a board one may change), otherwise they pan.
    run: (input, { event }) => {
      const unit = [{ ArrowLeft: -1, ArrowRight: 1 }[event.key] || 0, { ArrowUp: -1, ArrowDown: 1 }[event.key] || 0]
      if (input.selectionSize && !input.readOnly) {
        const step = event.shiftKey ? ARROW_STEP_LARGE : ARROW_STEP
        return input.nudge(unit[0] * step, unit[1] * step)
      }
      return input.panBy(-unit[0] * PAN_STEP, -unit[1] * PAN_STEP)
    }
  }
]

const BY_NAME = new Map(COMMANDS.map((command) => [command.name, command]))

const BY_KEY = new Map(COMMANDS.flatMap((command) => (command.keys || []).map((key) => [key, command])))

export function commandNamed (name) { return BY_NAME.get(name) || null }

/**
 * The command of a key press, or null. Shift counts only with mod ('mod+shift+z' is
 * redo), and only where a command tells it apart: Ctrl+Shift+D still duplicates.
 */
export function commandForKey (event) {
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key
  if (!(event.ctrlKey || event.metaKey)) return BY_KEY.get(key) || null
  return (event.shiftKey && BY_KEY.get(`mod+shift+${key}`)) || BY_KEY.get(`mod+${key}`) || null
}

/** May `command` run now? Read-only boards run only the commands safe for them. */
export function allowed (command, input) {
  return Boolean(command.readOnlySafe) || !input.readOnly
}
