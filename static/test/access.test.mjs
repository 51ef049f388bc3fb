// board/access.js: the one owner of "may this person change the board now".
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Access } from '../src/board/access.js'

const fakeBody = () => {
  const classes = new Set()
  return { classes, classList: { toggle: (name, on) => (on ? classes.add(name) : classes.delete(name)) } }
}

test('the phase rules switch read-only on and off, and listeners hear each change once', () => {
  const body = fakeBody()
  const access = new Access({ body })
  const heard = []
  access.onChange((readOnly) => heard.push(readOnly))
  assert.equal(access.readOnly, false)
  access.set(true)
  access.set(true)
  assert.equal(access.readOnly, true)
  assert.ok(body.classes.has('read-only'))
  access.set(false)
  assert.equal(body.classes.has('read-only'), false)
  assert.deepEqual(heard, [true, false])
})

test('a page that is read-only (view link, wall) stays read-only whatever the phase says', () => {
  const body = fakeBody()
  const access = new Access({ fixed: true, body })
  const heard = []
  access.onChange((readOnly) => heard.push(readOnly))
  access.set(false)
  assert.equal(access.readOnly, true)
  assert.ok(body.classes.has('read-only'))
  assert.deepEqual(heard, [])
})

test('a participant may change their own notes; others\' follow the phase rules', () => {
  const access = new Access({ body: fakeBody() })
  const note = (owner) => ({ get: (key) => (key === 'author_id' ? owner : undefined) })
  // No rules yet (the facilitator): everything.
  assert.equal(access.mayNote('delete', note('p2')), true)
  assert.equal(access.mayChangeClusters(), true)
  const heard = []
  access.onChange(() => heard.push('change'))
  const cluster = { silentNotes: false, addNotes: true, edit: true, vote: false, moveOthers: true, editOthers: false, deleteOthers: false, clusters: true }
  access.setRules(cluster, 'p1')
  access.setRules({ ...cluster }, 'p1')
  assert.deepEqual(heard, ['change'])
  assert.equal(access.mayNote('edit', note('p1')), true)
  assert.equal(access.mayNote('delete', note('p1')), true)
  assert.equal(access.mayNote('move', note('p2')), true)
  assert.equal(access.mayNote('edit', note('p2')), false)
  assert.equal(access.mayNote('delete', note('p2')), false)
  // A note without an author (the facilitator's) is someone else's.
  assert.equal(access.mayNote('edit', note(undefined)), false)
  assert.equal(access.mayChangeClusters(), true)
  access.setRules({ ...cluster, moveOthers: false, clusters: false }, 'p1')
  assert.equal(access.mayNote('move', note('p2')), false)
  assert.equal(access.mayChangeClusters(), false)
  access.set(true)
  assert.equal(access.mayNote('edit', note('p1')), false)
})
