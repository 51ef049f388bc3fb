// The content doc itself (schema 1 of DESIGN.md): its roots, the local origin, the sizes
// and colours the client draws with, and the field helpers the other model modules share.
import * as Y from 'yjs'
import { diffText } from '../text.js'

export const SCHEMA = 1

/**
 * The origin of every change made by this person in this tab. The undo manager tracks only
 * this origin, so Ctrl+Z never undoes what others did (their updates arrive with the
 * provider as origin, IndexedDB's with the persistence object).
 */
export const LOCAL_ORIGIN = Symbol('samsyn-local')

/** Run `fn` as one transaction of the local person. */
export function change (doc, fn) {
  return doc.transact(fn, LOCAL_ORIGIN)
}

// Pastel note colours; dark text (#1f2328) on each has a contrast ratio above 12:1.
export const NOTE_COLORS = Object.freeze([
  { id: 'yellow', value: '#fff3a6' },
  { id: 'orange', value: '#ffd8a8' },
  { id: 'pink', value: '#ffd1e3' },
  { id: 'blue', value: '#cfe6ff' },
  { id: 'green', value: '#cdf0d2' },
  { id: 'lilac', value: '#e5d9ff' }
])
export const DEFAULT_NOTE_COLOR = NOTE_COLORS[0].value

// Notes have no size in the doc; the client draws them at this size and uses it to decide
// which cluster or section a dropped note lands in.
export const NOTE_SIZE = Object.freeze({ w: 168, h: 112 })
export const DEFAULT_CLUSTER_SIZE = Object.freeze({ w: 420, h: 300 })
export const CLUSTER_MIN_SIZE = Object.freeze({ w: 200, h: 140 })

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** A random url-safe id (base64url alphabet), 12 characters = 72 bits. */
export function newId (length = 12) {
  const bytes = new Uint8Array(length)
  globalThis.crypto.getRandomValues(bytes)
  let id = ''
  for (const b of bytes) id += ID_ALPHABET[b & 63]
  return id
}

/** The four top-level maps of the content doc. */
export function roots (doc) {
  return {
    meta: doc.getMap('meta'),
    sections: doc.getMap('sections'),
    clusters: doc.getMap('clusters'),
    notes: doc.getMap('notes')
  }
}

/** Fill in meta fields that are still missing (the server normally does this). */
export function initMeta (doc, { title = '', template = '', language = 'sv', now = Date.now() } = {}) {
  const { meta } = roots(doc)
  change(doc, () => {
    if (!meta.has('schema')) meta.set('schema', SCHEMA)
    if (!meta.has('title')) meta.set('title', title)
    if (!meta.has('template')) meta.set('template', template)
    if (!meta.has('language')) meta.set('language', language)
    if (!meta.has('created')) meta.set('created', now)
  })
}

export function finite (value, name) {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${name} must be a finite number, got ${String(value)}`)
  }
  return Math.round(value)
}

/** `fields` with every value checked finite and rounded (a bad one throws, naming it). */
export function finiteFields (fields) {
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, finite(value, name)]))
}

/** Set a note's or cluster's x and y (inside the caller's change). */
export function setPosition (map, x, y) {
  map.set('x', finite(x, 'x'))
  map.set('y', finite(y, 'y'))
}

export function num (value) {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0
}

export function str (value) {
  return typeof value === 'string' ? value : ''
}

export function byPosition (a, b) {
  return (a.y - b.y) || (a.x - b.x) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

/** Apply the minimal delete+insert that turns `ytext` into `value`. */
export function applyTextChange (doc, ytext, value) {
  const edit = diffText(ytext.toString(), value)
  if (!edit) return false
  change(doc, () => {
    if (edit.remove > 0) ytext.delete(edit.index, edit.remove)
    if (edit.insert) ytext.insert(edit.index, edit.insert)
  })
  return true
}

/** Create a Y.Map with `fields` (undefined ones left out) under `id` in `parent`, as one change. */
export function insertMap (doc, parent, id, fields) {
  const map = new Y.Map()
  change(doc, () => {
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) map.set(key, value)
    parent.set(id, map)
  })
  return id
}

/** The Y.Map `id` of one of the four roots, or null. */
export function child (doc, root, id) {
  const map = roots(doc)[root].get(id)
  return map instanceof Y.Map ? map : null
}

/** Replace the text of `ytext` (null: nothing there) with `value`; false when nothing changed. */
export function replaceText (doc, ytext, value) {
  return ytext ? applyTextChange(doc, ytext, value) : false
}

/** The Y.Text under `key` of `map` (null: none), created if an older or foreign client left a string or nothing. */
export function ensureText (doc, map, key) {
  if (!map) return null
  let text = map.get(key)
  if (!(text instanceof Y.Text)) {
    text = new Y.Text(typeof text === 'string' ? text : '')
    change(doc, () => map.set(key, text))
  }
  return text
}
