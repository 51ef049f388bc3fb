// The board read for people: search, and the outline view's tree.
import * as Y from 'yjs'
import { byPosition, roots } from './doc.js'
import { readNote } from './notes.js'
import { readCluster } from './clusters.js'
import { readSection } from './sections.js'

/** Case-insensitive search of note text; ids in reading order (top to bottom, left to right). */
export function findNotes (doc, query, locale = 'sv') {
  const needle = String(query || '').trim().toLocaleLowerCase(locale)
  if (!needle) return []
  const found = []
  for (const [id, map] of roots(doc).notes) {
    if (!(map instanceof Y.Map)) continue
    const note = readNote(id, map)
    if (note.text.toLocaleLowerCase(locale).includes(needle)) found.push(note)
  }
  return found.sort(byPosition).map((note) => note.id)
}

/**
 * The board as a tree for the outline view: sections (by order) > clusters > notes, each
 * in reading order. A clustered note belongs where its cluster is; clusters and notes
 * outside every section come last, in a group with `id: null`.
 */
export function outline (doc) {
  const { sections, clusters, notes } = roots(doc)
  const groups = new Map()
  const ordered = [...sections].filter(([, s]) => s instanceof Y.Map).map(([id, s]) => readSection(id, s))
    .sort((a, b) => (a.order - b.order) || byPosition(a, b))
  for (const section of ordered) groups.set(section.id, { section, clusters: [], notes: [] })
  const rest = { section: null, clusters: [], notes: [] }
  const groupOf = (sectionId) => groups.get(sectionId) || rest

  const clusterNodes = new Map()
  const clusterList = [...clusters].filter(([, c]) => c instanceof Y.Map).map(([id, c]) => readCluster(id, c)).sort(byPosition)
  for (const cluster of clusterList) {
    const node = { cluster, notes: [] }
    clusterNodes.set(cluster.id, node)
    groupOf(cluster.section).clusters.push(node)
  }
  const noteList = [...notes].filter(([, n]) => n instanceof Y.Map).map(([id, n]) => readNote(id, n)).sort(byPosition)
  for (const note of noteList) {
    const node = note.cluster && clusterNodes.get(note.cluster)
    if (node) node.notes.push(note)
    else groupOf(note.section).notes.push(note)
  }
  const result = [...groups.values()]
  if (rest.clusters.length || rest.notes.length || result.length === 0) result.push(rest)
  return result
}
