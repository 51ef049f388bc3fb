// The parts of the målbild a writing round can open (boards/vision_parts.py has the same
// names), and the merge a refused part save offers. Pure: no DOM, no network.

export const PROSE = Object.freeze(['purpose', 'summary', 'market', 'operating_model'])
export const LISTS = Object.freeze(['waves', 'intents', 'questions'])
export const STATEMENT_PREFIX = 'statement:'

/** Every part of the document in reading order: {part, kind: 'prose'|'statement'|'list', ...}. */
export function partsOf (vision) {
  const prose = (name) => ({ part: name, kind: 'prose', name, text: vision[name] || '' })
  const list = (name) => ({ part: name, kind: 'list', name, items: vision[name] || [] })
  return [
    prose('purpose'),
    prose('summary'),
    ...(vision.statements || []).map((s) => ({ part: STATEMENT_PREFIX + s.id, kind: 'statement', statement: s, text: s.text || '' })),
    list('waves'),
    prose('market'),
    prose('operating_model'),
    list('intents'),
    list('questions')
  ]
}

/** The round as the session doc's `vision` map says it: {rev, round, parts}. */
export function roundOf (map) {
  const data = map || {}
  const parts = Array.isArray(data.parts) ? data.parts.filter((p) => typeof p === 'string') : []
  return { rev: Number(data.rev) || 0, round: data.round === true, parts }
}

/** What a person may write in now: a facilitator nothing here (the page edits), a participant the open parts. */
export function openToMe (round, role, part) {
  return role === 'participant' && round.round && round.parts.includes(part)
}

/** Both texts, when someone saved the part while I wrote: theirs first, then mine. */
export function mergeTexts (current, mine) {
  const a = (current || '').trim()
  const b = (mine || '').trim()
  if (!a) return b
  if (!b || a.includes(b)) return a
  if (b.includes(a)) return b
  return `${a}\n\n${b}`
}
