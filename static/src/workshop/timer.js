// The workshop timer as every screen shows it: computed from the session's `ends_at` and
// the server clock, so all screens agree to the second; a gentle signal at zero.

/** "mm:ss" (or "h:mm:ss" from an hour up) for a whole number of seconds. */
export function formatClock (seconds) {
  const s = Math.max(0, Math.ceil(Number(seconds) || 0))
  const pad = (n) => String(n).padStart(2, '0')
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`
}

/**
 * The timer at server time `now`: {state: 'idle'|'running'|'paused'|'done', left: seconds|null}.
 * Seconds round up, so a fresh 5-minute timer reads 05:00 and 00:00 means time is up.
 */
export function timerView (timer, now) {
  if (!timer) return { state: 'idle', left: null }
  if (timer.paused_left_s != null && Number.isFinite(Number(timer.paused_left_s))) {
    return { state: 'paused', left: Math.max(0, Math.round(Number(timer.paused_left_s))) }
  }
  const endsAt = Number(timer.ends_at)
  if (timer.ends_at == null || !Number.isFinite(endsAt)) return { state: 'idle', left: null }
  let left = Math.max(0, Math.ceil((endsAt - now) / 1000))
  // A clock offset a few milliseconds off must not show 05:01 for a 5-minute timer.
  const duration = Number(timer.duration_s)
  if (duration > 0) left = Math.min(left, duration)
  return { state: left > 0 ? 'running' : 'done', left }
}

// One AudioContext per page, made inside a user gesture so no browser refuses it.
let audio = null
function unlockAudio () {
  if (audio || typeof window.AudioContext !== 'function') return
  try { audio = new window.AudioContext() } catch { audio = null }
}
if (typeof window !== 'undefined') {
  window.addEventListener('pointerdown', unlockAudio, { once: true, capture: true })
  window.addEventListener('keydown', unlockAudio, { once: true, capture: true })
}

/** Two soft sine notes, quiet and short: a nudge, not an alarm. */
function chime () {
  if (!audio || audio.state === 'closed') return
  try {
    if (audio.state === 'suspended') audio.resume()
    const start = audio.currentTime + 0.05
    for (const [i, freq] of [660, 880].entries()) {
      const osc = audio.createOscillator()
      const gain = audio.createGain()
      osc.type = 'sine'
      osc.frequency.value = freq
      const t0 = start + i * 0.35
      gain.gain.setValueAtTime(0, t0)
      gain.gain.linearRampToValueAtTime(0.08, t0 + 0.04)
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.6)
      osc.connect(gain).connect(audio.destination)
      osc.start(t0)
      osc.stop(t0 + 0.65)
    }
  } catch { /* no sound is fine */ }
}

/** A timer element kept in step with the session; one per screen (or two on the wall). */
export class TimerDisplay {
  constructor ({ clock, t, className = 'timer', sound = true }) {
    Object.assign(this, { clock, t, sound })
    this.timer = null
    this.shown = null
    this.el = document.createElement('div')
    this.el.className = className
    this.el.setAttribute('role', 'timer')
    this.el.setAttribute('aria-label', t('timer.label'))
    this.el.dataset.timerState = 'idle'
    this.text = document.createElement('span')
    this.text.className = 'timer-text'
    this.text.dataset.timerText = ''
    this.note = document.createElement('span')
    this.note.className = 'timer-note'
    this.el.append(this.text, this.note)
    // role=timer is not announced; the end is, once, politely.
    this.announce = document.createElement('span')
    this.announce.className = 'visually-hidden'
    this.announce.setAttribute('aria-live', 'polite')
    this.el.append(this.announce)
    this._interval = null
  }

  update (timer) {
    const before = this.timer
    this.timer = timer
    if (!before || before.ends_at !== timer.ends_at) this._watching = null
    this._tick()
    const running = timer.ends_at != null && timer.paused_left_s == null
    if (running && this._interval === null) this._interval = setInterval(() => this._tick(), 200)
    if (!running && this._interval !== null) { clearInterval(this._interval); this._interval = null }
  }

  _tick () {
    const view = timerView(this.timer, this.clock.now())
    // The signal only for a countdown seen running here, never on opening a finished one.
    if (view.state === 'running') this._watching = this.timer.ends_at
    const finishedNow = view.state === 'done' && this._watching === this.timer.ends_at && this.shown !== 'done'
    this.el.dataset.timerState = view.state
    this.el.hidden = view.state === 'idle'
    const text = view.left == null ? '' : formatClock(view.left)
    if (this.text.textContent !== text) this.text.textContent = text
    const note = view.state === 'paused' ? this.t('timer.paused') : view.state === 'done' ? this.t('timer.done') : ''
    if (this.note.textContent !== note) this.note.textContent = note
    if (finishedNow) {
      this.el.classList.remove('timer-signal')
      void this.el.offsetWidth // restart the pulse animation
      this.el.classList.add('timer-signal')
      this.announce.textContent = this.t('timer.done')
      if (this.sound) chime()
    } else if (view.state !== 'done') {
      this.el.classList.remove('timer-signal')
      this.announce.textContent = ''
    }
    this.shown = view.state
  }

  destroy () { clearInterval(this._interval) }
}
