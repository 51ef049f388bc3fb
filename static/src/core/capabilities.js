// What a person may do in a phase. The participant rule is data, written once in
// boards/capabilities.json and read by the server's write checks too, so the UI offers
// exactly what the server accepts (tests/test_capabilities_agree.py keeps them equal).
import table from '../../../boards/capabilities.json' with { type: 'json' }

const FACILITATOR = Object.freeze({
  silentNotes: false, addNotes: true, edit: true, vote: true, moveOthers: true, editOthers: true, deleteOthers: true, clusters: true, propose: true
})

const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase())

/** A field's value in a row: true, false, or the name of a board setting it takes. */
function resolve (value, settings) {
  return typeof value === 'string' ? Boolean(settings[value]) : Boolean(value)
}

/**
 * The capabilities of a phase, as boards/facilitation.py `capabilities()` gives them for
 * participants; the facilitator may always do everything.
 */
export function capabilities (phase, { locked = false, notesWhileVoting = false, formuleraOpen = false, facilitator = false } = {}) {
  if (facilitator) return { ...FACILITATOR }
  // An unknown phase never gets here (readSession falls back to the first); if one
  // did, nothing is offered rather than everything.
  const row = locked ? table.read_only : (table.phases[phase] || table.read_only)
  const settings = { notes_while_voting: notesWhileVoting, formulera_open: formuleraOpen }
  return Object.fromEntries(table.fields.map((field) => [camel(field), resolve(row[field], settings)]))
}
