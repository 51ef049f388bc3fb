import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import { formatClock, timerView } from '../src/workshop/timer.js'
import { capabilities, clockOffset, readSession } from '../src/workshop/session.js'
import { initialVotes, rankTargets, votesReducer } from '../src/workshop/votes.js'
import { groupCode, displayUrl } from '../src/workshop/wall.js'
import { pendingDrafts } from '../src/workshop/drafts.js'
import { viewChanged } from '../src/workshop/follow.js'
import { createNote } from '../src/core/model.js'

test('formatClock: mm:ss, hours only when needed, never negative', () => {
  assert.equal(formatClock(300), '05:00')
  assert.equal(formatClock(59.2), '01:00')
  assert.equal(formatClock(0), '00:00')
  assert.equal(formatClock(-5), '00:00')
  assert.equal(formatClock(3725), '1:02:05')
})

test('timerView counts down from ends_at on the server clock, pauses and ends', () => {
  const timer = { ends_at: 1_000_000 + 300_000, duration_s: 300, paused_left_s: null }
  assert.deepEqual(timerView(timer, 1_000_000), { state: 'running', left: 300 })
  assert.deepEqual(timerView(timer, 1_000_000 + 1_500), { state: 'running', left: 299 })
  // A local clock a few ms behind the server never shows more than the duration.
  assert.deepEqual(timerView(timer, 1_000_000 - 40), { state: 'running', left: 300 })
  assert.deepEqual(timerView(timer, 1_000_000 + 300_000), { state: 'done', left: 0 })
  assert.deepEqual(timerView({ ends_at: null, duration_s: 300, paused_left_s: 42 }, 0), { state: 'paused', left: 42 })
  assert.deepEqual(timerView({ ends_at: null, duration_s: 300, paused_left_s: null }, 0), { state: 'idle', left: null })
})

test('clockOffset: the server read its clock halfway through the round trip', () => {
  assert.equal(clockOffset(1000, 1100, 5050), 4000)
  assert.equal(clockOffset(1000, 1000, 1000), 0)
  // Two screens with clocks 7 s apart agree on the time left once corrected.
  const endsAt = 10_000_000
  const timer = { ends_at: endsAt, duration_s: 600, paused_left_s: null }
  const a = clockOffset(9_700_000, 9_700_020, 9_700_010) // in step with the server
  const b = clockOffset(9_693_000, 9_693_020, 9_700_010) // 7 s slow
  assert.equal(timerView(timer, 9_700_010 + a).left, timerView(timer, 9_693_010 + b).left)
})

test('capabilities follow boards/facilitation.py for participants; the facilitator may all', () => {
  const none = { moveOthers: false, editOthers: false, deleteOthers: false, clusters: false, propose: false }
  // Cluster and discuss: everyone's notes may be moved and grouped and clusters made,
  // but only an author changes or deletes a note.
  const arrange = { moveOthers: true, editOthers: false, deleteOthers: false, clusters: true, propose: false }
  assert.deepEqual(capabilities('brainstorm'), { silentNotes: true, addNotes: true, edit: true, vote: false, ...none })
  assert.deepEqual(capabilities('cluster'), { silentNotes: false, addNotes: true, edit: true, vote: false, ...arrange })
  assert.deepEqual(capabilities('vote'), { silentNotes: false, addNotes: false, edit: false, vote: true, ...none })
  assert.deepEqual(capabilities('vote', { notesWhileVoting: true }), {
    silentNotes: false, addNotes: true, edit: true, vote: true, moveOthers: true, editOthers: true, deleteOthers: false, clusters: false, propose: false
  })
  assert.deepEqual(capabilities('discuss'), { silentNotes: false, addNotes: true, edit: true, vote: false, ...arrange })
  // Proposals for the themes' statements only while a formulera round is open, and not under a lock.
  assert.deepEqual(capabilities('discuss', { formuleraOpen: true }), { silentNotes: false, addNotes: true, edit: true, vote: false, ...arrange, propose: true })
  assert.equal(capabilities('cluster', { formuleraOpen: true }).propose, false)
  assert.equal(capabilities('discuss', { formuleraOpen: true, locked: true }).propose, false)
  for (const phase of ['closed', 'brainstorm']) {
    const locked = phase === 'brainstorm'
    assert.deepEqual(capabilities(phase, { locked }), { silentNotes: false, addNotes: false, edit: false, vote: false, ...none })
  }
  assert.deepEqual(capabilities('closed', { locked: true, facilitator: true }), {
    silentNotes: false, addNotes: true, edit: true, vote: true, moveOthers: true, editOthers: true, deleteOthers: true, clusters: true, propose: true
  })
})

test('readSession fills defaults and drops junk tallies', () => {
  const doc = new Y.Doc()
  assert.equal(readSession(doc).phase.name, 'brainstorm')
  doc.getMap('phase').set('name', 'vote')
  doc.getMap('tallies').set('c1', 3)
  doc.getMap('tallies').set('c2', 0)
  const drafts = new Y.Map()
  doc.getMap('drafts').set('p1', drafts)
  drafts.set('name', 'Anna')
  drafts.set('count', 2)
  const state = readSession(doc)
  assert.equal(state.phase.name, 'vote')
  assert.deepEqual(state.tallies, { c1: 3 })
  assert.deepEqual(state.drafts, { p1: { name: 'Anna', count: 2 } })
  assert.equal(state.voting.budget, 5)
})

test('votesReducer: optimistic dots, the budget, refusals, and the server having the last word', () => {
  let s = votesReducer(initialVotes, { type: 'loaded', remaining: 2, mine: {} })
  s = votesReducer(s, { type: 'cast', target: 'a', delta: 1 })
  s = votesReducer(s, { type: 'cast', target: 'a', delta: 1 })
  assert.deepEqual([s.remaining, s.mine, s.pending], [0, { a: 2 }, 2])
  const full = votesReducer(s, { type: 'cast', target: 'b', delta: 1 })
  assert.equal(full.error, 'budget_exhausted')
  assert.equal(full.pending, 2)
  // The first answer arrives while the second is in flight: keep the optimistic view.
  s = votesReducer(s, { type: 'confirmed', remaining: 1, mine: { a: 1 } })
  assert.deepEqual([s.remaining, s.mine, s.pending], [0, { a: 2 }, 1])
  s = votesReducer(s, { type: 'confirmed', remaining: 0, mine: { a: 2 } })
  assert.deepEqual([s.remaining, s.mine, s.pending], [0, { a: 2 }, 0])
  // Taking a dot away frees it; there is nothing to take from a target without dots.
  s = votesReducer(s, { type: 'cast', target: 'a', delta: -1 })
  assert.deepEqual([s.remaining, s.mine], [1, { a: 1 }])
  assert.equal(votesReducer(s, { type: 'cast', target: 'z', delta: -1 }), s)
  s = votesReducer(s, { type: 'refused', code: 'voting_closed' })
  assert.deepEqual([s.error, s.pending], ['voting_closed', 0])
  assert.throws(() => votesReducer(s, { type: 'nope' }), /unknown action/)
})

test('rankTargets: most votes first, ties share a rank in Swedish order', () => {
  const labels = new Map([['a', 'Öppettider'], ['b', 'Läsfrämjande'], ['c', 'Mötesplatser'], ['d', 'Ingen röst']])
  const rows = rankTargets({ a: 4, b: 2, c: 2, gone: 9 }, labels, 'sv')
  assert.deepEqual(rows.map((r) => [r.rank, r.label, r.count]), [
    [1, 'Öppettider', 4], [2, 'Läsfrämjande', 2], [2, 'Mötesplatser', 2]
  ])
})

test('join codes read aloud in threes; URLs without the scheme', () => {
  assert.equal(groupCode('abc123'), 'ABC 123')
  assert.equal(groupCode('ABC 12'), 'ABC 12')
  assert.equal(groupCode(''), '')
  assert.equal(displayUrl('https://bibliotek.se/'), 'bibliotek.se')
})

test('pendingDrafts: revealed drafts leave the tray, the rest stay in writing order', () => {
  const doc = new Y.Doc()
  const second = createNote(doc, { x: 0, y: 0, text: 'två', now: 2 })
  const first = createNote(doc, { x: 0, y: 0, text: 'ett', now: 1 })
  const gone = createNote(doc, { x: 0, y: 0, text: 'visad', now: 0 })
  doc.getMap('notes').get(gone).set('revealed', true)
  assert.deepEqual(pendingDrafts(doc).map((d) => d.id), [first, second])
})

test('viewChanged ignores sub-pixel jitter', () => {
  assert.equal(viewChanged({ x: 1, y: 1, zoom: 1 }, { x: 1.2, y: 1, zoom: 1 }), false)
  assert.equal(viewChanged({ x: 1, y: 1, zoom: 1 }, { x: 3, y: 1, zoom: 1 }), true)
  assert.equal(viewChanged({ x: 1, y: 1, zoom: 1 }, null), true)
})
