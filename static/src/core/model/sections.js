// Sections: the template's fixed areas (a prompt each); notes and clusters fall into one.
import * as Y from 'yjs'
import { finiteFields, insertMap, newId, num, roots, str } from './doc.js'

export function createSection (doc, { title = '', prompt = '', x, y, w, h, order = 0, id = newId() }) {
  return insertMap(doc, roots(doc).sections, id, {
    title,
    prompt,
    ...finiteFields({ x, y, w, h }),
    order
  })
}

export function readSection (id, section) {
  return {
    id,
    title: str(section.get('title')),
    prompt: str(section.get('prompt')),
    x: num(section.get('x')),
    y: num(section.get('y')),
    w: num(section.get('w')),
    h: num(section.get('h')),
    order: num(section.get('order'))
  }
}

/** The id of the section containing the point, or null (lowest `order` wins on overlap). */
export function sectionAt (doc, x, y) {
  let best = null
  for (const [id, section] of roots(doc).sections) {
    if (!(section instanceof Y.Map)) continue
    const s = readSection(id, section)
    if (x >= s.x && x <= s.x + s.w && y >= s.y && y <= s.y + s.h) {
      if (!best || s.order < best.order) best = s
    }
  }
  return best ? best.id : null
}

/** The section `id` as a plain box, or null when there is none. */
export function sectionBox (doc, id) {
  const map = id ? roots(doc).sections.get(id) : null
  return map instanceof Y.Map ? readSection(id, map) : null
}
