// Who is here, where their pointer is, which note they are editing or dragging.
// Awareness state: {user: {name, color}, cursor: {x, y} | null, editing: noteId | null,
// drag: {kind: 'note'|'cluster', id, x, y} | null}.

// Saturated colours for cursors and editing outlines; each reaches 4.5:1 against white.
export const PEOPLE_COLORS = Object.freeze([
  '#b42318', '#a15c07', '#027a48', '#175cd3', '#6941c6', '#c11574', '#0e7090', '#4e5ba6'
])

export function personColor (seed) {
  let hash = 2166136261
  for (const char of String(seed)) {
    hash ^= char.codePointAt(0)
    hash = Math.imul(hash, 16777619)
  }
  return PEOPLE_COLORS[(hash >>> 0) % PEOPLE_COLORS.length]
}

/** Plain list of people from awareness states, the local one first, then by name. */
export function peopleFrom (states, localId) {
  const people = []
  for (const [clientId, state] of states) {
    if (!state || !state.user) continue
    people.push({
      clientId,
      self: clientId === localId,
      name: String(state.user.name || ''),
      color: String(state.user.color || PEOPLE_COLORS[0]),
      cursor: validPoint(state.cursor),
      editing: typeof state.editing === 'string' ? state.editing : null,
      drag: state.drag && typeof state.drag.id === 'string' && validPoint(state.drag)
        ? { kind: state.drag.kind === 'cluster' ? 'cluster' : 'note', id: state.drag.id, x: state.drag.x, y: state.drag.y }
        : null
    })
  }
  people.sort((a, b) => (b.self - a.self) || a.name.localeCompare(b.name))
  return people
}

function validPoint (p) {
  return p && Number.isFinite(p.x) && Number.isFinite(p.y) ? { x: p.x, y: p.y } : null
}

/** Local presence: throttles cursor updates and reports the people list on change. */
export class Presence {
  constructor (awareness, { name, seed, visible = true }) {
    this.awareness = awareness
    this._listeners = new Set()
    this._throttle = {}
    if (visible) {
      awareness.setLocalState({
        user: { name, color: personColor(seed || name) },
        cursor: null,
        editing: null,
        drag: null
      })
    } else {
      // The wall is not a participant: it watches without being counted.
      awareness.setLocalState(null)
    }
    this._onChange = () => {
      const people = this.people()
      for (const listener of this._listeners) listener(people)
    }
    awareness.on('change', this._onChange)
  }

  people () {
    return peopleFrom(this.awareness.getStates(), this.awareness.clientID)
  }

  onChange (listener) {
    this._listeners.add(listener)
    listener(this.people())
    return () => this._listeners.delete(listener)
  }

  _set (field, value) {
    if (this.awareness.getLocalState() === null) return
    this.awareness.setLocalStateField(field, value)
  }

  // Pointer and drag positions change at pointer-event rate; send at most one per interval,
  // always ending on the latest value.
  _throttled (field, value, interval = 60) {
    const slot = this._throttle[field] || (this._throttle[field] = { timer: null, pending: undefined, sent: undefined })
    slot.pending = value
    if (slot.timer !== null) return
    slot.sent = value
    this._set(field, value)
    slot.timer = setTimeout(() => {
      slot.timer = null
      if (slot.pending !== slot.sent) this._throttled(field, slot.pending, interval)
    }, interval)
  }

  setCursor (point) { this._throttled('cursor', point) }
  setDrag (drag) {
    if (drag === null) {
      // The drop must not be overtaken by a late drag frame.
      const slot = this._throttle.drag
      if (slot) { clearTimeout(slot.timer); slot.timer = null; slot.pending = slot.sent = null }
      this._set('drag', null)
    } else {
      this._throttled('drag', drag)
    }
  }

  setEditing (noteId) { this._set('editing', noteId) }

  destroy () {
    this.awareness.off('change', this._onChange)
    for (const slot of Object.values(this._throttle)) clearTimeout(slot.timer)
  }
}
