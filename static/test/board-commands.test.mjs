// The command table of board/commands.js: one entry per toolbar action and shortcut.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { COMMANDS, allowed, commandForKey, commandNamed } from '../src/board/commands.js'

const key = (k, mods = {}) => ({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, ...mods })

test('every toolbar button of the board page runs a command of the table', () => {
  const html = readFileSync(new URL('../../server/templates/board.html', import.meta.url), 'utf8')
  // The view and cursor toggles belong to main.js, not to the board's commands.
  const own = new Set(['toggle-view', 'toggle-cursors'])
  const actions = [...html.matchAll(/data-action="([a-z-]+)"/g)].map((m) => m[1]).filter((a) => !own.has(a))
  assert.ok(actions.length >= 10, `found only ${actions.length} buttons; is the scan broken?`)
  for (const action of actions) assert.ok(commandNamed(action), `no command for data-action="${action}"`)
  assert.ok(commandNamed('color'), 'the palette swatches (built in code) need the color command')
})

test('names and keys are each registered once', () => {
  const names = COMMANDS.map((c) => c.name)
  assert.equal(new Set(names).size, names.length)
  const keys = COMMANDS.flatMap((c) => c.keys || [])
  assert.equal(new Set(keys).size, keys.length)
})

test('keys find their command; shift counts only where a command tells it apart', () => {
  assert.equal(commandForKey(key('n')).name, 'add-note')
  assert.equal(commandForKey(key('N', { shiftKey: true })).name, 'add-note')
  assert.equal(commandForKey(key('z', { ctrlKey: true })).name, 'undo')
  assert.equal(commandForKey(key('Z', { metaKey: true, shiftKey: true })).name, 'redo')
  assert.equal(commandForKey(key('y', { ctrlKey: true, shiftKey: true })).name, 'redo')
  assert.equal(commandForKey(key('D', { ctrlKey: true, shiftKey: true })).name, 'duplicate')
  assert.equal(commandForKey(key('Backspace')).name, 'delete')
  assert.equal(commandForKey(key('n', { ctrlKey: true })), null, 'Ctrl+N stays the browser\'s')
  assert.equal(commandForKey(key('f', { ctrlKey: true })), null, 'Ctrl+F is find, not fit')
  assert.equal(commandForKey(key('q')), null)
})

test('a read-only board runs only the commands safe for it', () => {
  const readOnly = { readOnly: true }
  assert.equal(allowed(commandNamed('fit'), readOnly), true)
  assert.equal(allowed(commandNamed('select-all'), readOnly), true)
  for (const name of ['add-note', 'add-cluster', 'group', 'tidy', 'duplicate', 'delete', 'undo', 'redo']) {
    assert.equal(allowed(commandNamed(name), readOnly), false, name)
    assert.equal(allowed(commandNamed(name), { readOnly: false }), true, name)
  }
})
