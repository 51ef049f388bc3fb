// "Follow me": the facilitator's view (the board point at the centre of their screen and
// their zoom) goes to the session doc; participants follow it until they move on their
// own; the wall always follows, and shows the whole board when nobody leads.
import { centreOn, clampZoom, fitBox } from '../core/camera.js'
import { contentBounds, roots } from '../core/model.js'

const SEND_EVERY_MS = 250 // at most 4 view updates a second while the facilitator moves

/** True when two views differ enough to be worth sending. */
export function viewChanged (a, b) {
  if (!a || !b) return true
  return Math.abs(a.x - b.x) > 0.5 || Math.abs(a.y - b.y) > 0.5 || Math.abs(a.zoom - b.zoom) > 0.001
}

/** The box around every cluster and note (sections left out: they would shrink the notes). */
export function workBounds (doc) {
  return contentBounds(doc, { sections: false })
}

export class Follow {
  constructor ({ role, input, renderer, api, doc, onChange = () => {} }) {
    Object.assign(this, { role, input, renderer, api, doc, onChange })
    this.follow = { active: false }
    this.leading = false // facilitator: "Följ mig" is on
    this.brokenAway = false // participant: moved on their own while the facilitator leads
    this._sent = null
    this._sending = false
    this._timer = setInterval(() => this._poll(), SEND_EVERY_MS)
    if (role === 'wall') this._watchBoard()
  }

  /** The session's follow map changed. */
  update (follow) {
    const started = follow.active && !this.follow.active
    this.follow = follow
    if (this.role === 'facilitator') {
      this.leading = Boolean(follow.active)
    } else if (follow.active) {
      if (started) this.brokenAway = false
      if (!this.brokenAway) this._apply(follow)
    } else if (this.role === 'wall') {
      this._fitWork()
    }
    this.onChange(this)
  }

  get following () {
    return this.role !== 'facilitator' && this.follow.active && !this.brokenAway
  }

  /** Facilitator: start or stop bringing everyone to this view. */
  async setLeading (on) {
    this.leading = on
    this.onChange(this)
    const view = this.view()
    this._sent = view
    await this.api.post('/follow', { active: on, ...view })
  }

  breakAway () {
    this.brokenAway = true
    this.onChange(this)
  }

  followAgain () {
    this.brokenAway = false
    if (this.follow.active) this._apply(this.follow)
    this.onChange(this)
  }

  view () {
    const centre = this.renderer.visibleCentre()
    return { x: Math.round(centre.x * 10) / 10, y: Math.round(centre.y * 10) / 10, zoom: this.renderer.camera.zoom }
  }

  _apply ({ x, y, zoom }) {
    const vp = this.renderer.viewport
    const camera = centreOn({ x: 0, y: 0, zoom: clampZoom(Number(zoom) || 1) }, Number(x) || 0, Number(y) || 0, vp.clientWidth, vp.clientHeight)
    this.input.setCamera(camera)
    this.input.cameraTouched = false
  }

  _poll () {
    if (this.role === 'facilitator') {
      if (!this.leading || this._sending) return
      const view = this.view()
      if (!viewChanged(view, this._sent)) return
      this._sent = view
      this._sending = true
      this.api.post('/follow', { active: true, ...view }).catch(() => {}).finally(() => { this._sending = false })
    } else if (this.role !== 'wall' && this.following && this.input.cameraTouched) {
      // The participant panned or zoomed: they have broken away.
      this.breakAway()
    }
  }

  _watchBoard () {
    let pending = null
    const refit = () => {
      clearTimeout(pending)
      pending = setTimeout(() => { if (!this.follow.active) this._fitWork() }, 300)
    }
    const { clusters, notes } = roots(this.doc)
    clusters.observeDeep(refit)
    notes.observeDeep(refit)
    window.addEventListener('resize', refit)
    refit()
  }

  _fitWork () {
    const vp = this.renderer.viewport
    const box = workBounds(this.doc)
    if (!box) return
    this.input.setCamera(fitBox(box, vp.clientWidth, vp.clientHeight, { padding: 72, maxZoom: 1.6 }))
  }

  destroy () { clearInterval(this._timer) }
}
