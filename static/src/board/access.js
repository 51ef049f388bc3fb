// Whether this person may change the board now, owned in one place. `fixed` is the page's
// own read-only (a view link, the wall); the phase rules may make a participant read-only
// for a while on top of it (workshop/start.js calls set()), and say which notes and
// clusters they may change (setRules: the same capabilities the server's write checks
// use, core/capabilities.js). The body's `read-only` class, the input, the renderer's
// fields and the toolbar all follow this object.
export class Access {
  constructor ({ fixed = false, body = document.body } = {}) {
    this.fixed = Boolean(fixed)
    this.readOnly = this.fixed
    this._body = body
    this._listeners = new Set()
    // A participant's rules and id; null (the facilitator) means every item may change.
    this.rules = null
    this.me = null
    body.classList.toggle('read-only', this.readOnly)
  }

  /** Make the board read-only or not (a page that is read-only stays so). */
  set (readOnly) {
    const next = this.fixed || Boolean(readOnly)
    this._body.classList.toggle('read-only', next)
    if (next === this.readOnly) return
    this.readOnly = next
    this._notify()
  }

  /** A participant's capabilities now, and the participant id their own notes carry. */
  setRules (rules, me) {
    const same = JSON.stringify(rules) === JSON.stringify(this.rules) && me === this.me
    this.rules = rules
    this.me = me || null
    if (!same) this._notify()
  }

  /** May clusters and sections be made, named, moved or deleted now? */
  mayChangeClusters () {
    return !this.readOnly && (!this.rules || Boolean(this.rules.clusters))
  }

  /**
   * May `what` ('edit' its text or colour, 'move' it, 'delete' it) be done to a note?
   * `note` is its Y.Map (or anything with `get('author_id')`); one's own notes follow
   * `edit`, everyone else's `editOthers`, `moveOthers` and `deleteOthers`.
   */
  mayNote (what, note) {
    if (this.readOnly) return false
    if (!this.rules) return true
    const owner = note && typeof note.get === 'function' ? note.get('author_id') : null
    if (owner && owner === this.me) return Boolean(this.rules.edit)
    return Boolean({ edit: this.rules.editOthers, move: this.rules.moveOthers, delete: this.rules.deleteOthers }[what])
  }

  /** Call `listener(readOnly)` on every change; returns the unsubscribe function. */
  onChange (listener) {
    this._listeners.add(listener)
    return () => this._listeners.delete(listener)
  }

  _notify () {
    for (const listener of this._listeners) listener(this.readOnly)
  }
}
