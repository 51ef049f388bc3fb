import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import * as model from '../src/core/model.js'

const sync = (a, b) => {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)))
}

test('newId is 12 url-safe characters and does not repeat', () => {
  const ids = new Set()
  for (let i = 0; i < 2000; i++) {
    const id = model.newId()
    assert.match(id, /^[A-Za-z0-9_-]{12}$/)
    ids.add(id)
  }
  assert.equal(ids.size, 2000)
})

test('createNote writes every schema-1 field with the right types', () => {
  const doc = new Y.Doc()
  const id = model.createNote(doc, { x: 10.4, y: 20, author: 'Anna', authorId: 'p1', text: 'Hej', now: 1234 })
  const note = doc.getMap('notes').get(id)
  assert.ok(note instanceof Y.Map)
  assert.ok(note.get('text') instanceof Y.Text)
  assert.equal(note.get('text').toString(), 'Hej')
  assert.equal(note.get('x'), 10)
  assert.equal(note.get('y'), 20)
  assert.equal(note.get('color'), model.DEFAULT_NOTE_COLOR)
  assert.equal(note.get('author'), 'Anna')
  assert.equal(note.get('author_id'), 'p1')
  assert.equal(note.get('cluster'), null)
  assert.equal(note.get('section'), null)
  assert.equal(note.get('created'), 1234)
})

test('createNote is one transaction, so peers never see a half-made note', () => {
  const doc = new Y.Doc()
  let updates = 0
  doc.on('update', () => updates++)
  model.createNote(doc, { x: 0, y: 0 })
  assert.equal(updates, 1)
})

test('createNote rejects a position that is not a finite number', () => {
  const doc = new Y.Doc()
  assert.throws(() => model.createNote(doc, { x: NaN, y: 0 }), /x must be a finite number, got NaN/)
  assert.equal(doc.getMap('notes').size, 0)
})

test('setNoteText edits only the changed span, so concurrent typing keeps both texts', () => {
  const a = new Y.Doc()
  const b = new Y.Doc()
  const id = model.createNote(a, { x: 0, y: 0, text: 'Barn läser' })
  sync(a, b)
  model.setNoteText(a, id, 'Barn och unga läser')
  model.setNoteText(b, id, 'Barn läser mer')
  sync(a, b)
  const textA = a.getMap('notes').get(id).get('text').toString()
  const textB = b.getMap('notes').get(id).get('text').toString()
  assert.equal(textA, textB)
  assert.equal(textA, 'Barn och unga läser mer')
})

test('setNoteText reports no change for equal text', () => {
  const doc = new Y.Doc()
  const id = model.createNote(doc, { x: 0, y: 0, text: 'x' })
  assert.equal(model.setNoteText(doc, id, 'x'), false)
  assert.equal(model.setNoteText(doc, 'missing', 'x'), false)
})

test('moveNote, recolorNote and deleteNote change the doc', () => {
  const doc = new Y.Doc()
  const id = model.createNote(doc, { x: 0, y: 0 })
  assert.equal(model.moveNote(doc, id, 100, 200), true)
  assert.deepEqual([model.getNote(doc, id).get('x'), model.getNote(doc, id).get('y')], [100, 200])
  model.recolorNote(doc, id, model.NOTE_COLORS[2].value)
  assert.equal(model.getNote(doc, id).get('color'), model.NOTE_COLORS[2].value)
  assert.equal(model.deleteNote(doc, id), true)
  assert.equal(doc.getMap('notes').has(id), false)
  assert.equal(model.deleteNote(doc, id), false)
  assert.equal(model.moveNote(doc, id, 1, 1), false)
})

test('placeNote puts a note in the cluster and section under its centre', () => {
  const doc = new Y.Doc()
  const section = model.createSection(doc, { title: 'Kunder', x: 0, y: 0, w: 2000, h: 1000 })
  const cluster = model.createCluster(doc, { x: 500, y: 100, w: 400, h: 300 })
  assert.equal(model.getCluster(doc, cluster).get('section'), section)
  const id = model.createNote(doc, { x: 0, y: 0 })
  model.placeNote(doc, id, 600, 200)
  assert.equal(model.getNote(doc, id).get('cluster'), cluster)
  assert.equal(model.getNote(doc, id).get('section'), section)
  model.placeNote(doc, id, 50, 500)
  assert.equal(model.getNote(doc, id).get('cluster'), null)
  assert.equal(model.getNote(doc, id).get('section'), section)
  model.placeNote(doc, id, 3000, 3000)
  assert.equal(model.getNote(doc, id).get('section'), null)
})

test('moveCluster carries its notes along; deleteCluster frees them', () => {
  const doc = new Y.Doc()
  const cluster = model.createCluster(doc, { x: 100, y: 100, title: 'Läsfrämjande' })
  const inside = model.createNote(doc, { x: 120, y: 150, cluster })
  const outside = model.createNote(doc, { x: 900, y: 900 })
  model.moveCluster(doc, cluster, 300, 400)
  assert.deepEqual([model.getNote(doc, inside).get('x'), model.getNote(doc, inside).get('y')], [320, 450])
  assert.deepEqual([model.getNote(doc, outside).get('x'), model.getNote(doc, outside).get('y')], [900, 900])
  assert.deepEqual(model.clusterNotes(doc, cluster), [inside])
  assert.equal(model.clusterTitle(doc, cluster).toString(), 'Läsfrämjande')
  model.deleteCluster(doc, cluster)
  assert.equal(doc.getMap('clusters').size, 0)
  assert.equal(model.getNote(doc, inside).get('cluster'), null)
})

test('cluster titles are Y.Text and merge like note text', () => {
  const a = new Y.Doc()
  const b = new Y.Doc()
  const id = model.createCluster(a, { x: 0, y: 0, title: 'Digital' })
  sync(a, b)
  model.setClusterTitle(a, id, 'Digital delaktighet')
  model.setClusterTitle(b, id, 'Mer Digital')
  sync(a, b)
  assert.equal(model.clusterTitle(a, id).toString(), 'Mer Digital delaktighet')
  assert.equal(model.clusterTitle(b, id).toString(), 'Mer Digital delaktighet')
})

test('resizeCluster keeps a minimum size', () => {
  const doc = new Y.Doc()
  const id = model.createCluster(doc, { x: 0, y: 0 })
  model.resizeCluster(doc, id, 10, 10)
  assert.equal(model.getCluster(doc, id).get('w'), model.CLUSTER_MIN_SIZE.w)
  assert.equal(model.getCluster(doc, id).get('h'), model.CLUSTER_MIN_SIZE.h)
})

test('readNote tolerates a note written by another client with missing fields', () => {
  const doc = new Y.Doc()
  const raw = new Y.Map()
  doc.getMap('notes').set('n1', raw)
  raw.set('text', 'plain string')
  const note = model.readNote('n1', raw)
  assert.equal(note.text, 'plain string')
  assert.equal(note.x, 0)
  assert.equal(note.color, model.DEFAULT_NOTE_COLOR)
  // noteText upgrades the field to a Y.Text so it can be edited.
  assert.ok(model.noteText(doc, 'n1') instanceof Y.Text)
  assert.equal(model.noteText(doc, 'n1').toString(), 'plain string')
})

test('initMeta fills only missing fields', () => {
  const doc = new Y.Doc()
  doc.getMap('meta').set('title', 'Från servern')
  model.initMeta(doc, { title: 'x', template: 'malbild-workshop', language: 'en', now: 5 })
  const meta = doc.getMap('meta').toJSON()
  assert.deepEqual(meta, { title: 'Från servern', schema: 1, template: 'malbild-workshop', language: 'en', created: 5 })
})

test('contentBounds covers notes, clusters and sections', () => {
  const doc = new Y.Doc()
  assert.equal(model.contentBounds(doc), null)
  model.createNote(doc, { x: 1000, y: 50 })
  model.createSection(doc, { x: 10, y: 20, w: 100, h: 100 })
  assert.deepEqual(model.contentBounds(doc), { x0: 10, y0: 20, x1: 1000 + model.NOTE_SIZE.w, y1: 50 + model.NOTE_SIZE.h })
})

test('note colours give dark text at least AA contrast', () => {
  const lum = (hex) => {
    const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
  }
  for (const { value } of model.NOTE_COLORS) {
    const ratio = (lum(value) + 0.05) / (lum('#1f2328') + 0.05)
    assert.ok(ratio >= 4.5, `${value}: ${ratio}`)
  }
})

test('proposals: written only into the map the server made, read oldest first, merged from two people', () => {
  const a = new Y.Doc()
  const b = new Y.Doc()
  const id = model.createCluster(a, { x: 0, y: 0, title: 'Mötesplats' })
  // An older cluster without the map (the server gives it one as the round opens).
  model.getCluster(a, id).delete('proposals')
  assert.equal(model.hasProposals(a, id), false)
  assert.equal(model.createProposal(a, id, { by: 'Grupp 1' }), null)
  model.getCluster(a, id).set('proposals', new Y.Map())
  sync(a, b)
  const p2 = model.createProposal(b, id, { by: 'Grupp 2', authorId: 'bo', text: 'Biblioteket är tyst', now: 20 })
  const p1 = model.createProposal(a, id, { by: 'Grupp 1', authorId: 'anna', now: 10 })
  model.proposalText(a, id, p1).insert(0, 'Biblioteket är öppet')
  sync(a, b)
  assert.deepEqual(model.readProposals(b, id).map((p) => [p.id, p.text, p.by, p.authorId]), [
    [p1, 'Biblioteket är öppet', 'Grupp 1', 'anna'],
    [p2, 'Biblioteket är tyst', 'Grupp 2', 'bo']
  ])
  assert.equal(model.setProposalBy(b, id, p1, 'Grupp 3'), true)
  assert.equal(model.setProposalBy(b, id, p1, 'Grupp 3'), false)
  sync(a, b)
  assert.equal(model.readProposals(a, id)[0].by, 'Grupp 3')
})
