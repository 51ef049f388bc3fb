import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import { diffText, transformIndex } from '../src/core/text.js'

const apply = (s, d) => s.slice(0, d.index) + d.insert + s.slice(d.index + d.remove)

test('diffText finds the single changed span', () => {
  assert.equal(diffText('abc', 'abc'), null)
  assert.deepEqual(diffText('abc', 'abXc'), { index: 2, remove: 0, insert: 'X' })
  assert.deepEqual(diffText('abc', 'ac'), { index: 1, remove: 1, insert: '' })
  assert.deepEqual(diffText('', 'hej'), { index: 0, remove: 0, insert: 'hej' })
  assert.deepEqual(diffText('aaa', 'aa'), { index: 2, remove: 1, insert: '' })
})

test('diffText round-trips random edits', () => {
  const chars = 'aåb ✓😀\n'
  const rand = (n) => Array.from({ length: n }, () => [...chars][Math.floor(Math.random() * [...chars].length)]).join('')
  for (let i = 0; i < 500; i++) {
    const a = rand(Math.floor(Math.random() * 8))
    const b = rand(Math.floor(Math.random() * 8))
    const d = diffText(a, b)
    assert.equal(d ? apply(a, d) : a, b)
  }
})

test('diffText never splits an emoji (surrogate pair)', () => {
  // 😀 and 😃 share the high surrogate.
  const d = diffText('x😀y', 'x😃y')
  assert.deepEqual(d, { index: 1, remove: 2, insert: '😃' })
  const e = diffText('😀a', '😀')
  assert.deepEqual(e, { index: 2, remove: 1, insert: '' })
})

test('transformIndex follows a remote Y.Text delta', () => {
  const doc = new Y.Doc()
  const text = doc.getText('t')
  text.insert(0, 'hello world')
  let delta = null
  text.observe((event) => { delta = event.delta })
  text.insert(0, '>> ') // before the caret
  assert.equal(transformIndex(delta, 5), 8)
  text.insert(text.length, '!') // after the caret
  assert.equal(transformIndex(delta, 5), 5)
  text.delete(0, 3) // deletes before the caret
  assert.equal(transformIndex(delta, 5), 2)
  text.delete(2, 6) // deletes around the caret
  assert.equal(transformIndex(delta, 5), 2)
  // insert exactly at the caret stays after the caret
  assert.equal(transformIndex([{ retain: 3 }, { insert: 'xx' }], 3), 3)
})
