// Pure text helpers for binding a plain text field to a Y.Text.

const isHigh = (code) => code >= 0xd800 && code <= 0xdbff
const isLow = (code) => code >= 0xdc00 && code <= 0xdfff

/**
 * The smallest single change turning `before` into `after`: delete `remove` UTF-16 units
 * at `index`, then insert `insert` there. Null when the strings are equal.
 * Never splits a surrogate pair, so an emoji is replaced whole rather than half.
 */
export function diffText (before, after) {
  if (before === after) return null
  const max = Math.min(before.length, after.length)
  let prefix = 0
  while (prefix < max && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++
  if (prefix > 0 && isHigh(before.charCodeAt(prefix - 1))) prefix--
  let suffix = 0
  while (
    suffix < max - prefix &&
    before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
  ) suffix++
  if (suffix > 0 && isLow(before.charCodeAt(before.length - suffix))) suffix--
  return {
    index: prefix,
    remove: before.length - prefix - suffix,
    insert: after.slice(prefix, after.length - suffix)
  }
}

/**
 * Where a caret at `index` ends up after a remote Y.Text delta. Text inserted exactly at
 * the caret goes after it, so the local typist keeps typing where they were.
 */
export function transformIndex (delta, index) {
  let pos = 0
  let shift = 0
  for (const op of delta) {
    if (op.retain != null) {
      pos += op.retain
    } else if (op.insert != null) {
      const length = typeof op.insert === 'string' ? op.insert.length : 1
      if (pos < index) shift += length
    } else if (op.delete != null) {
      if (pos < index) shift -= Math.min(op.delete, index - pos)
      pos += op.delete
    }
    if (pos >= index) break
  }
  return Math.max(0, index + shift)
}
