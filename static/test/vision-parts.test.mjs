import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mergeTexts, openToMe, partsOf, roundOf } from '../src/workshop/vision-parts.js'

test('the parts come in the document order the server checks', () => {
  const parts = partsOf({ summary: 'S', statements: [{ id: 'a', text: 'A' }], questions: [{ id: 'q', text: 'Q' }] })
  assert.deepEqual(parts.map((p) => p.part), ['purpose', 'summary', 'statement:a', 'waves', 'market', 'operating_model', 'intents', 'questions'])
  assert.equal(parts[2].text, 'A')
  assert.deepEqual(parts[7].items, [{ id: 'q', text: 'Q' }])
})

test('a participant writes only in the parts of an open round', () => {
  const round = roundOf({ rev: 3, round: true, parts: ['summary', 7] })
  assert.deepEqual(round, { rev: 3, round: true, parts: ['summary'] })
  assert.equal(openToMe(round, 'participant', 'summary'), true)
  assert.equal(openToMe(round, 'participant', 'purpose'), false)
  assert.equal(openToMe(round, 'wall', 'summary'), false)
  assert.equal(openToMe(roundOf({ round: false, parts: ['summary'] }), 'participant', 'summary'), false)
  assert.deepEqual(roundOf(undefined), { rev: 0, round: false, parts: [] })
})

test('a merge keeps both texts once', () => {
  assert.equal(mergeTexts('Deras text', 'Min text'), 'Deras text\n\nMin text')
  assert.equal(mergeTexts('Bas och mer', 'Bas'), 'Bas och mer')
  assert.equal(mergeTexts('', 'Min'), 'Min')
  assert.equal(mergeTexts('Bas', 'Bas utökad'), 'Bas utökad')
})
