// Clusters: a titled, coloured box; a note is in one through its `cluster` field.
import * as Y from 'yjs'
import {
  CLUSTER_MIN_SIZE, DEFAULT_CLUSTER_SIZE, NOTE_COLORS, change, child, ensureText, finite, finiteFields, insertMap, newId, num, replaceText, roots, setPosition, str
} from './doc.js'
import { sectionAt } from './sections.js'
import { boardLayout, clusterAtPoint } from './layout.js'

export function createCluster (doc, {
  x, y, w = DEFAULT_CLUSTER_SIZE.w, h = DEFAULT_CLUSTER_SIZE.h, color = NOTE_COLORS[3].value,
  title = '', section = undefined, id = newId()
}) {
  const inSection = section === undefined ? sectionAt(doc, x + w / 2, y + h / 2) : section
  return insertMap(doc, roots(doc).clusters, id, {
    title: new Y.Text(title),
    // Made with the cluster, so two people who start the statement at once share one text.
    statement: new Y.Text(''),
    // The statement's drafts from a formulera round (workshop/formulera.js), made with it
    // for the same reason.
    proposals: new Y.Map(),
    ...finiteFields({ x, y, w, h }),
    color,
    section: inSection
  })
}

export function getCluster (doc, id) { return child(doc, 'clusters', id) }

export function clusterTitle (doc, id) { return ensureText(doc, getCluster(doc, id), 'title') }

export function setClusterTitle (doc, id, value) { return replaceText(doc, clusterTitle(doc, id), value) }

/** The cluster's vision statement ("Biblioteket är …"), written together in the discuss phase. */
export function clusterStatement (doc, id) { return ensureText(doc, getCluster(doc, id), 'statement') }

/** Move a cluster and every note that belongs to it by the same offset. */
export function moveCluster (doc, id, x, y) {
  const cluster = getCluster(doc, id)
  if (!cluster) return false
  const dx = Math.round(x) - num(cluster.get('x'))
  const dy = Math.round(y) - num(cluster.get('y'))
  const section = sectionAt(doc, x + num(cluster.get('w')) / 2, y + num(cluster.get('h')) / 2)
  change(doc, () => {
    setPosition(cluster, x, y)
    if (cluster.get('section') !== section) cluster.set('section', section)
    for (const note of roots(doc).notes.values()) {
      if (!(note instanceof Y.Map) || note.get('cluster') !== id) continue
      note.set('x', num(note.get('x')) + dx)
      note.set('y', num(note.get('y')) + dy)
      if (note.get('section') !== section) note.set('section', section)
    }
  })
  return true
}

export function resizeCluster (doc, id, w, h) {
  const cluster = getCluster(doc, id)
  if (!cluster) return false
  change(doc, () => {
    cluster.set('w', Math.max(CLUSTER_MIN_SIZE.w, finite(w, 'w')))
    cluster.set('h', Math.max(CLUSTER_MIN_SIZE.h, finite(h, 'h')))
  })
  return true
}

export function recolorCluster (doc, id, color) {
  const cluster = getCluster(doc, id)
  if (!cluster) return false
  if (cluster.get('color') !== color) change(doc, () => cluster.set('color', color))
  return true
}

/** Delete a cluster; its notes stay where they are, no longer in any cluster. */
export function deleteCluster (doc, id) {
  const { clusters, notes } = roots(doc)
  if (!clusters.has(id)) return false
  change(doc, () => {
    for (const note of notes.values()) {
      if (note instanceof Y.Map && note.get('cluster') === id) note.set('cluster', null)
    }
    clusters.delete(id)
  })
  return true
}

export function readCluster (id, cluster) {
  const title = cluster.get('title')
  return {
    id,
    title: title instanceof Y.Text ? title.toString() : String(title ?? ''),
    statement: textOf(cluster.get('statement')),
    x: num(cluster.get('x')),
    y: num(cluster.get('y')),
    w: num(cluster.get('w')) || DEFAULT_CLUSTER_SIZE.w,
    h: num(cluster.get('h')) || DEFAULT_CLUSTER_SIZE.h,
    color: str(cluster.get('color')) || NOTE_COLORS[3].value,
    section: cluster.get('section') ?? null
  }
}

function textOf (value) { return value instanceof Y.Text ? value.toString() : typeof value === 'string' ? value : '' }

/** The id of the cluster containing the point where it is drawn (layout.js), or null. */
export function clusterAt (doc, x, y) {
  return clusterAtPoint(boardLayout(doc), x, y)
}

export function clusterSection (doc, id) {
  const cluster = getCluster(doc, id)
  return cluster ? cluster.get('section') ?? null : null
}

/** Ids of the notes whose `cluster` field names this cluster. */
export function clusterNotes (doc, id) {
  const ids = []
  for (const [noteId, note] of roots(doc).notes) {
    if (note instanceof Y.Map && note.get('cluster') === id) ids.push(noteId)
  }
  return ids
}
