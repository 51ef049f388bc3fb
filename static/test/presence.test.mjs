import { test } from 'node:test'
import assert from 'node:assert/strict'
import { peopleFrom, personColor, PEOPLE_COLORS } from '../src/net/presence.js'
import { connectionState, refusalKey, websocketBase } from '../src/net/connect.js'

test('personColor is stable and from the palette', () => {
  assert.equal(personColor('Anna'), personColor('Anna'))
  assert.ok(PEOPLE_COLORS.includes(personColor('Björn')))
})

test('peopleFrom lists people with a user, self first, ignoring junk', () => {
  const states = new Map([
    [3, { user: { name: 'Örjan', color: '#175cd3' }, cursor: { x: 1, y: 2 }, editing: 'n1', drag: null }],
    [1, { user: { name: 'Anna', color: '#027a48' }, cursor: { x: 'bad' }, drag: { kind: 'note', id: 'n2', x: 5, y: 6 } }],
    [2, { user: { name: 'Me' } }],
    [4, {}],
    [5, null]
  ])
  const people = peopleFrom(states, 2)
  assert.deepEqual(people.map((p) => p.name), ['Me', 'Anna', 'Örjan'])
  assert.equal(people[0].self, true)
  assert.equal(people[1].cursor, null)
  assert.deepEqual(people[1].drag, { kind: 'note', id: 'n2', x: 5, y: 6 })
  assert.equal(people[2].editing, 'n1')
})

test('connectionState maps provider status, browser online flag and refusals', () => {
  assert.equal(connectionState({ status: 'connected', online: true, closedCode: null }), 'connected')
  assert.equal(connectionState({ status: 'connecting', online: true, closedCode: null }), 'reconnecting')
  assert.equal(connectionState({ status: 'disconnected', online: true, closedCode: null }), 'reconnecting')
  assert.equal(connectionState({ status: 'connected', online: false, closedCode: null }), 'offline')
  assert.equal(connectionState({ status: 'disconnected', online: true, closedCode: 4403 }), 'offline')
})

test('websocketBase follows the page scheme', () => {
  assert.equal(websocketBase({ protocol: 'https:', host: 'samsyn.example' }), 'wss://samsyn.example/ws')
  assert.equal(websocketBase({ protocol: 'http:', host: '127.0.0.1:8000' }, '/ws'), 'ws://127.0.0.1:8000/ws')
})

test('refusalKey names the message of each reason the server gives for taking an edit back', async () => {
  assert.equal(refusalKey('quota_participant: at most 500 notes per participant on a board'), 'guard.quota_participant')
  assert.equal(refusalKey('quota_board: at most 5000 notes on a board; it has 5000'), 'guard.quota_board')
  assert.equal(refusalKey('not_allowed: other people\'s notes cannot be deleted in this phase'), 'guard.not_allowed')
  assert.equal(refusalKey('read-only'), 'guard.read_only')
  // An unknown reason still gets a message rather than none.
  assert.equal(refusalKey('something new'), 'guard.not_allowed')
  const en = (await import('../src/i18n/en.json', { with: { type: 'json' } })).default
  const sv = (await import('../src/i18n/sv.json', { with: { type: 'json' } })).default
  for (const key of ['guard.read_only', 'guard.not_allowed', 'guard.quota_participant', 'guard.quota_board']) {
    assert.ok(en[key] && sv[key] && en[key] !== sv[key], key)
  }
})
