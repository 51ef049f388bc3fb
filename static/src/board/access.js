// Whether this person may change the board now, owned in one place. `fixed` is the page's
// own read-only (a view link, the wall); the phase rules may make a participant read-only
// for a while on top of it (workshop/start.js calls set()). The body's `read-only` class,
// the input, the renderer's fields and the toolbar all follow this object.
export class Access {
  constructor ({ fixed = false, body = document.body } = {}) {
    this.fixed = Boolean(fixed)
    this.readOnly = this.fixed
    this._body = body
    this._listeners = new Set()
    body.classList.toggle('read-only', this.readOnly)
  }

  /** Make the board read-only or not (a page that is read-only stays so). */
  set (readOnly) {
    const next = this.fixed || Boolean(readOnly)
    this._body.classList.toggle('read-only', next)
    if (next === this.readOnly) return
    this.readOnly = next
    for (const listener of this._listeners) listener(next)
  }

  /** Call `listener(readOnly)` on every change; returns the unsubscribe function. */
  onChange (listener) {
    this._listeners.add(listener)
    return () => this._listeners.delete(listener)
  }
}
