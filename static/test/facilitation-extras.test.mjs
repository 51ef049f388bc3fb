import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import { readSession, participantList, onlineCount } from '../src/workshop/session.js'
import { pastedLines, sectionChoices } from '../src/workshop/journey.js'
import { EXPORT_FORMATS, exportUrl } from '../src/workshop/exports.js'

function sessionDoc () {
  const doc = new Y.Doc()
  const people = doc.getMap('participants')
  const drafts = doc.getMap('drafts')
  doc.transact(() => {
    people.set('p1', new Y.Map([['name', 'Örjan'], ['online', false]]))
    people.set('p2', new Y.Map([['name', 'Bo'], ['online', true]]))
    people.set('p3', new Y.Map([['name', 'Anna'], ['online', true]]))
    drafts.set('p2', new Y.Map([['name', 'Bo'], ['count', 3]]))
    drafts.set('p9', new Y.Map([['name', 'Cia'], ['count', 1]]))
    doc.getMap('voting').set('round', 2)
  })
  return doc
}

test('participants: online first, then by name, with draft counts', () => {
  const state = readSession(sessionDoc())
  const rows = participantList(state, 'sv')
  assert.deepEqual(rows.map((r) => [r.name, r.online, r.drafts]), [
    ['Anna', true, 0], ['Bo', true, 3], ['Cia', false, 1], ['Örjan', false, 0]
  ])
  assert.equal(onlineCount(state), 2)
  assert.equal(state.voting.round, 2)
})

test('a session doc without participants or round reads as empty and 0', () => {
  const state = readSession(new Y.Doc())
  assert.deepEqual(participantList(state), [])
  assert.equal(onlineCount(state), 0)
  assert.equal(state.voting.round, 0)
})

test('pasted lines: one note per line, blanks and CRLF handled', () => {
  assert.deepEqual(pastedLines('  Ett \r\n\r\nTvå\rTre\n\n'), ['Ett', 'Två', 'Tre'])
  assert.deepEqual(pastedLines(''), [])
})

test('sections for bulk notes come in template order', () => {
  const doc = new Y.Doc()
  const sections = doc.getMap('sections')
  doc.transact(() => {
    sections.set('b', new Y.Map([['title', 'Kunder'], ['order', 2]]))
    sections.set('a', new Y.Map([['title', 'Omvärld'], ['order', 1]]))
  })
  assert.deepEqual(sectionChoices(doc), [{ id: 'a', title: 'Omvärld' }, { id: 'b', title: 'Kunder' }])
})

test('every export format has a link in the contract shape', () => {
  assert.deepEqual([...EXPORT_FORMATS].sort(), ['csv', 'docx', 'html', 'json', 'md', 'svg'])
  assert.equal(exportUrl('a b', 'docx'), '/b/a%20b/export.docx')
})

test('removed participants are left out of the list and the online count', () => {
  const doc = sessionDoc()
  doc.getMap('removed').set('p2', 1700000000000)
  const state = readSession(doc)
  assert.deepEqual(state.removed, { p2: 1700000000000 })
  const rows = participantList(state, 'sv')
  assert.deepEqual(rows.map((r) => [r.name, r.joined]), [['Anna', true], ['Cia', false], ['Örjan', true]])
  assert.equal(onlineCount(state), 1)
})
