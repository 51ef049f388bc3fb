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
