// Notes: create, read, edit, move (a drop decides cluster and section), recolour, delete.
import * as Y from 'yjs'
import {
  DEFAULT_NOTE_COLOR, NOTE_SIZE, change, child, ensureText, finiteFields, insertMap, newId, num, replaceText, roots, setPosition, str
} from './doc.js'
import { clusterAt, clusterSection } from './clusters.js'
import { sectionAt } from './sections.js'

/** Create a note and return its id. */
export function createNote (doc, {
  x, y, color = DEFAULT_NOTE_COLOR, author = '', authorId = null, text = '',
  cluster = null, section = null, now = Date.now(), id = newId()
}) {
  return insertMap(doc, roots(doc).notes, id, {
    text: new Y.Text(text),
    ...finiteFields({ x, y }),
    color,
    author,
    author_id: authorId || undefined,
    cluster,
    section,
    created: now
  })
}

export function getNote (doc, id) { return child(doc, 'notes', id) }

/** The Y.Text of a note, created if an older or foreign client left it out. */
export function noteText (doc, id) { return ensureText(doc, getNote(doc, id), 'text') }

/** Replace a note's text with `value`, touching only the changed span. */
export function setNoteText (doc, id, value) { return replaceText(doc, noteText(doc, id), value) }

export function moveNote (doc, id, x, y) {
  const note = getNote(doc, id)
  if (!note) return false
  change(doc, () => {
    setPosition(note, x, y)
  })
  return true
}

/**
 * Move a note and assign it to the cluster and section under its centre.
 * A note belongs to a cluster only through its `cluster` field; dropping it is how
 * people put it there, so the drop decides membership.
 */
export function placeNote (doc, id, x, y) {
  const note = getNote(doc, id)
  if (!note) return false
  const cx = x + NOTE_SIZE.w / 2
  const cy = y + NOTE_SIZE.h / 2
  const cluster = clusterAt(doc, cx, cy)
  const section = cluster ? clusterSection(doc, cluster) ?? sectionAt(doc, cx, cy) : sectionAt(doc, cx, cy)
  change(doc, () => {
    setPosition(note, x, y)
    if (note.get('cluster') !== cluster) note.set('cluster', cluster)
    if (note.get('section') !== section) note.set('section', section)
  })
  return true
}

/** Set the owner or due date of a plan card (the server writes it into the målbild). */
export function setPlanField (doc, id, field, value) {
  const note = getNote(doc, id)
  if (!note || !note.get('action') || (field !== 'owner' && field !== 'due')) return false
  if (note.get(field) !== value) change(doc, () => note.set(field, value))
  return true
}

export function recolorNote (doc, id, color) {
  const note = getNote(doc, id)
  if (!note) return false
  if (note.get('color') !== color) change(doc, () => note.set('color', color))
  return true
}

export function setNoteCluster (doc, id, clusterId) {
  const note = getNote(doc, id)
  if (!note) return false
  change(doc, () => note.set('cluster', clusterId))
  return true
}

export function deleteNote (doc, id) {
  const { notes } = roots(doc)
  if (!notes.has(id)) return false
  change(doc, () => notes.delete(id))
  return true
}

/** A plain snapshot of one note, tolerant of missing fields. */
export function readNote (id, note) {
  const text = note.get('text')
  return {
    id,
    text: text instanceof Y.Text ? text.toString() : String(text ?? ''),
    x: num(note.get('x')),
    y: num(note.get('y')),
    color: str(note.get('color')) || DEFAULT_NOTE_COLOR,
    author: str(note.get('author')),
    authorId: note.get('author_id') ?? null,
    cluster: note.get('cluster') ?? null,
    section: note.get('section') ?? null,
    created: num(note.get('created')),
    // A card of the plan (services/plan_board.py): the action it shows, server-written.
    action: str(note.get('action')) || null,
    owner: str(note.get('owner')),
    due: str(note.get('due')),
    statement: str(note.get('statement'))
  }
}
