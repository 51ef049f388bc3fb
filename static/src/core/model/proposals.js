// A theme's statement proposals from a formulera round: clusters[id].proposals, one
// Y.Map per proposal {text: Y.Text, by, author, author_id, created}. The server makes
// each theme's map as the round opens and signs new proposals with their author; the
// browser never makes the map, so two people starting at once write into the same one.
import * as Y from 'yjs'
import { change, newId, num, str } from './doc.js'
import { getCluster } from './clusters.js'

function proposalsMap (doc, clusterId) {
  const map = getCluster(doc, clusterId)?.get('proposals')
  return map instanceof Y.Map ? map : null
}

/** May proposals be written for this theme yet (the server has made its map)? */
export function hasProposals (doc, clusterId) { return proposalsMap(doc, clusterId) !== null }

/** The theme's proposals, oldest first: [{id, text, by, author, authorId, created}]. */
export function readProposals (doc, clusterId) {
  const map = proposalsMap(doc, clusterId)
  if (!map) return []
  const list = []
  for (const [id, p] of map) {
    if (!(p instanceof Y.Map)) continue
    const text = p.get('text')
    list.push({
      id,
      text: text instanceof Y.Text ? text.toString() : '',
      by: str(p.get('by')),
      author: str(p.get('author')),
      authorId: p.get('author_id') || null,
      created: num(p.get('created'))
    })
  }
  return list.sort((a, b) => (a.created - b.created) || (a.id < b.id ? -1 : 1))
}

/** Start a proposal for the theme, written for `by` (a group's name or one's own); its id, or null. */
export function createProposal (doc, clusterId, { by = '', author = '', authorId = null, text = '', now = Date.now(), id = newId() } = {}) {
  const map = proposalsMap(doc, clusterId)
  if (!map) return null
  const proposal = new Y.Map()
  proposal.set('text', new Y.Text(text))
  proposal.set('by', by)
  proposal.set('author', author)
  if (authorId) proposal.set('author_id', authorId)
  proposal.set('created', now)
  change(doc, () => map.set(id, proposal))
  return id
}

/** The Y.Text of a proposal (bound to its field while someone types), or null. */
export function proposalText (doc, clusterId, id) {
  const text = proposalsMap(doc, clusterId)?.get(id)?.get('text')
  return text instanceof Y.Text ? text : null
}

/** Change whom a proposal is written for. */
export function setProposalBy (doc, clusterId, id, by) {
  const proposal = proposalsMap(doc, clusterId)?.get(id)
  if (!(proposal instanceof Y.Map) || proposal.get('by') === by) return false
  change(doc, () => proposal.set('by', by))
  return true
}
