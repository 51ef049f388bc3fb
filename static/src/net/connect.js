// The one way this client connects a Y.Doc to the server: the y-websocket provider, the
// same reconnect backoff with jitter and the same handling of terminal closes for the
// board, the session and the drafts docs, and (for the board) y-indexeddb so reloading
// while offline still shows it. Nothing here touches the DOM.
import { WebsocketProvider, messageAuth } from 'y-websocket'
import { readAuthMessage } from 'y-protocols/auth'
import { IndexeddbPersistence } from 'y-indexeddb'

// Close codes after which reconnecting cannot help (DESIGN.md, WebSocket contract).
export const TERMINAL_CLOSE_CODES = Object.freeze({
  4401: 'conn.error_4401',
  4403: 'conn.error_4403',
  4404: 'conn.error_4404',
  4410: 'conn.error_4410'
})

export const MAX_BACKOFF_MS = 5000

/** A reconnect cap between half and all of MAX_BACKOFF_MS. */
export function jitteredBackoff (random = Math.random) {
  return Math.round(MAX_BACKOFF_MS * (0.5 + random() / 2))
}

/** The state people see: connected | reconnecting | offline. */
export function connectionState ({ status, online, closedCode }) {
  if (closedCode != null || !online) return 'offline'
  return status === 'connected' ? 'connected' : 'reconnecting'
}

export function websocketBase (location, path = '/ws') {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  return `${scheme}://${location.host}${path}`
}

/**
 * Connect `doc` to the server's room `room` (`{board}`, `{board}/session`, `{board}/drafts`).
 * `persist` names an IndexedDB store to keep the doc in; `presence: false` clears the local
 * awareness state (docs only the server writes need nobody's cursor).
 * `onState(state, closedCode)` is called whenever the visible connection state changes;
 * after a terminal close (TERMINAL_CLOSE_CODES) the provider stops retrying.
 */
// The message (i18n key) of each reason the server gives for taking an update back;
// the reason is `code: detail` (server/services/guard.py) or the lock's `read-only`.
export const REFUSALS = Object.freeze({
  'read-only': 'guard.read_only',
  not_allowed: 'guard.not_allowed',
  quota_participant: 'guard.quota_participant',
  quota_board: 'guard.quota_board',
  round_closed: 'guard.round_closed',
  quota_proposals: 'guard.quota_proposals'
})

/** The i18n key that explains a refusal's reason to the person whose edit it was. */
export function refusalKey (reason) {
  const code = String(reason || '').split(':')[0].trim()
  return REFUSALS[code] || REFUSALS.not_allowed
}

export function connectDoc ({ doc, config, room, persist = null, presence = true, onState = () => {}, onRefused = () => {}, location = window.location }) {
  const provider = new WebsocketProvider(
    websocketBase(location, config.ws_url || '/ws'),
    room,
    doc,
    // The wall shares the facilitator's cookie; saying what it is lets the server make
    // its socket read-only (an unknown parameter is ignored).
    {
      params: config.role === 'wall' ? { view: 'wall' } : {},
      maxBackoffTime: jitteredBackoff()
    }
  )
  if (!presence) provider.awareness.setLocalState(null)
  // The server took an update back (the phase does not allow it, a quota): say why,
  // instead of y-websocket's console warning. The board itself is put right by the
  // server's own update that follows.
  provider.messageHandlers[messageAuth] = (_encoder, decoder) => {
    readAuthMessage(decoder, doc, (_doc, reason) => onRefused(reason))
  }
  // Edits made offline are merged on reconnect.
  const persistence = persist ? new IndexeddbPersistence(persist, doc) : null

  const current = { status: 'connecting', online: navigator.onLine, closedCode: null }
  let shown = null
  const publish = () => {
    const state = connectionState(current)
    if (state !== shown) {
      shown = state
      onState(state, current.closedCode)
    }
  }

  provider.on('status', ({ status }) => {
    current.status = status
    publish()
  })
  provider.on('connection-close', (event) => {
    // Jitter without forking y-websocket: its next delay is min(2^n * 100 ms, maxBackoffTime)
    // with n counted up right after this event, so a random fraction added to n spreads
    // each attempt over [d, 2d), and the cap itself is redrawn. After a server restart a
    // full room then comes back over seconds rather than all in the same millisecond.
    provider.wsUnsuccessfulReconnects += Math.random()
    provider.maxBackoffTime = jitteredBackoff()
    // y-websocket 3.1 stops by itself on 44xx; being explicit keeps that true across versions.
    if (event && event.code in TERMINAL_CLOSE_CODES) {
      current.closedCode = event.code
      provider.disconnect()
      publish()
    }
  })
  provider.on('closed', ({ code }) => {
    if (code in TERMINAL_CLOSE_CODES) {
      current.closedCode = code
      publish()
    }
  })

  const onOnline = () => {
    current.online = true
    if (current.closedCode == null) provider.connect()
    publish()
  }
  const onOffline = () => {
    // The browser knows the network is gone before a socket times out: stop now, so
    // edits queue (in IndexedDB for the board) and go out as one merge when it is back.
    current.online = false
    provider.disconnect()
    publish()
  }
  window.addEventListener('online', onOnline)
  window.addEventListener('offline', onOffline)
  publish()

  return {
    provider,
    awareness: provider.awareness,
    persistence,
    destroy () {
      window.removeEventListener('online', onOnline)
      window.removeEventListener('offline', onOffline)
      provider.destroy()
      persistence?.destroy()
    }
  }
}
