// Selection commands, find and outline of model.js, and the undo rule: only my changes.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import * as model from '../src/core/model.js'

const sync = (a, b) => {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)), 'remote')
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)), 'remote')
}
const note = (doc, id) => model.readNote(id, model.getNote(doc, id))

test('moveItems moves a cluster with its notes and drops loose notes into clusters', () => {
  const doc = new Y.Doc()
  const c = model.createCluster(doc, { x: 0, y: 0, w: 400, h: 300 })
  const inside = model.createNote(doc, { x: 20, y: 60, cluster: c })
  const loose = model.createNote(doc, { x: 1000, y: 1000 })
  model.moveItems(doc, { clusters: [c] }, 100, 50)
  assert.deepEqual([note(doc, inside).x, note(doc, inside).y], [120, 110])
  assert.equal(note(doc, loose).x, 1000)
  // Dropping the loose note onto the cluster's new place puts it in.
  model.moveItems(doc, { notes: [loose] }, -800, -800)
  assert.equal(note(doc, loose).cluster, c)
  // Moving cluster and member together moves the member once, not twice.
  model.moveItems(doc, { clusters: [c], notes: [inside] }, 10, 0)
  assert.equal(note(doc, inside).x, 130)
})

test('duplicateNotes copies text and colour next to the originals', () => {
  const doc = new Y.Doc()
  const a = model.createNote(doc, { x: 10, y: 10, text: 'Läsfrämjande', color: '#cfe6ff', author: 'Anna' })
  const [copy] = model.duplicateNotes(doc, [a])
  const n = note(doc, copy)
  assert.notEqual(copy, a)
  assert.equal(n.text, 'Läsfrämjande')
  assert.equal(n.color, '#cfe6ff')
  assert.deepEqual([n.x, n.y], [34, 34])
  assert.equal(model.roots(doc).notes.size, 2)
})

test('groupIntoCluster draws a cluster around the notes and sets their cluster field', () => {
  const doc = new Y.Doc()
  const a = model.createNote(doc, { x: 100, y: 200 })
  const b = model.createNote(doc, { x: 400, y: 260 })
  const c = model.groupIntoCluster(doc, [a, b], { title: 'Digital delaktighet' })
  const cluster = model.readCluster(c, model.getCluster(doc, c))
  assert.equal(cluster.title, 'Digital delaktighet')
  assert.ok(cluster.x <= 100 && cluster.y <= 200 - 40)
  assert.ok(cluster.x + cluster.w >= 400 + model.NOTE_SIZE.w)
  assert.ok(cluster.y + cluster.h >= 260 + model.NOTE_SIZE.h)
  assert.deepEqual(model.clusterNotes(doc, c).sort(), [a, b].sort())
  assert.equal(model.groupIntoCluster(doc, []), null)
})

test('tidyCluster lays notes out in a grid in reading order and fits the cluster', () => {
  const doc = new Y.Doc()
  const c = model.createCluster(doc, { x: 0, y: 0, w: 300, h: 200 })
  const ids = [[500, 10], [20, 400], [300, 10], [10, 10], [200, 500]].map(([x, y]) =>
    model.createNote(doc, { x, y, cluster: c }))
  model.tidyCluster(doc, c)
  const placed = ids.map((id) => note(doc, id))
  const cols = model.gridColumns(5)
  assert.equal(cols, 3)
  // Reading order before: (10,10) (300,10) (500,10) (20,400) (200,500).
  const order = [3, 2, 0, 1, 4]
  order.forEach((index, slot) => {
    assert.deepEqual([placed[index].x, placed[index].y], Object.values(model.gridSlot({ x: 0, y: 0 }, slot, cols)))
  })
  const cluster = model.readCluster(c, model.getCluster(doc, c))
  for (const n of placed) {
    assert.ok(n.x + model.NOTE_SIZE.w <= cluster.x + cluster.w)
    assert.ok(n.y + model.NOTE_SIZE.h <= cluster.y + cluster.h)
  }
})

test('moveNoteToCluster moves a note into a cluster slot and back out', () => {
  const doc = new Y.Doc()
  const a = model.createCluster(doc, { x: 0, y: 0, w: 420, h: 200 })
  const b = model.createCluster(doc, { x: 1000, y: 0, w: 420, h: 200 })
  const n = model.createNote(doc, { x: 20, y: 60, cluster: a })
  model.moveNoteToCluster(doc, n, b)
  assert.equal(note(doc, n).cluster, b)
  assert.equal(model.clusterAt(doc, note(doc, n).x + 10, note(doc, n).y + 10), b)
  // Fill b: it grows so the next note still lies inside it.
  for (let i = 0; i < 5; i++) model.addNoteToCluster(doc, b, { text: String(i) })
  const cluster = model.readCluster(b, model.getCluster(doc, b))
  for (const id of model.clusterNotes(doc, b)) {
    const m = note(doc, id)
    assert.ok(m.y + model.NOTE_SIZE.h <= cluster.y + cluster.h, 'note inside the grown cluster')
  }
  model.moveNoteToCluster(doc, n, null)
  assert.equal(note(doc, n).cluster, null)
})

test('deleteItems deletes clusters without losing their notes', () => {
  const doc = new Y.Doc()
  const c = model.createCluster(doc, { x: 0, y: 0 })
  const n = model.createNote(doc, { x: 20, y: 60, cluster: c })
  const m = model.createNote(doc, { x: 800, y: 60 })
  model.deleteItems(doc, { clusters: [c], notes: [m] })
  assert.equal(model.roots(doc).clusters.size, 0)
  assert.equal(note(doc, n).cluster, null)
  assert.equal(model.getNote(doc, m), null)
})

test('findNotes matches case-insensitively, in reading order', () => {
  const doc = new Y.Doc()
  const b = model.createNote(doc, { x: 0, y: 500, text: 'Öppna BIBLIOTEKET' })
  const a = model.createNote(doc, { x: 0, y: 0, text: 'Meröppet bibliotek' })
  model.createNote(doc, { x: 0, y: 100, text: 'Läsning' })
  assert.deepEqual(model.findNotes(doc, 'bibliotek'), [a, b])
  assert.deepEqual(model.findNotes(doc, 'ÖPPNA'), [b])
  assert.deepEqual(model.findNotes(doc, '   '), [])
})

test('outline groups notes by section and cluster, in order', () => {
  const doc = new Y.Doc()
  const s2 = model.createSection(doc, { title: 'Två', x: 0, y: 1000, w: 1000, h: 800, order: 2 })
  const s1 = model.createSection(doc, { title: 'Ett', x: 0, y: 0, w: 1000, h: 800, order: 1 })
  const c = model.createCluster(doc, { x: 50, y: 50, w: 400, h: 300 })
  const inCluster = model.createNote(doc, { x: 60, y: 110, cluster: c })
  const inSection = model.createNote(doc, { x: 600, y: 1100, section: s2 })
  const nowhere = model.createNote(doc, { x: 5000, y: 0 })
  const tree = model.outline(doc)
  assert.deepEqual(tree.map((g) => g.section && g.section.title), ['Ett', 'Två', null])
  assert.equal(tree[0].clusters[0].cluster.id, c)
  assert.deepEqual(tree[0].clusters[0].notes.map((n) => n.id), [inCluster])
  assert.deepEqual(tree[1].notes.map((n) => n.id), [inSection])
  assert.deepEqual(tree[2].notes.map((n) => n.id), [nowhere])
  assert.equal(s1.length, 12)
})

test('an undo manager tracking LOCAL_ORIGIN undoes my change and never a peer\'s', () => {
  const mine = new Y.Doc()
  const theirs = new Y.Doc()
  const scope = [model.roots(mine).notes, model.roots(mine).clusters]
  const undo = new Y.UndoManager(scope, { trackedOrigins: new Set([model.LOCAL_ORIGIN]), captureTimeout: 0 })
  const a = model.createNote(mine, { x: 0, y: 0, text: 'min' })
  const b = model.createNote(theirs, { x: 300, y: 0, text: 'deras' })
  sync(mine, theirs)
  assert.equal(model.roots(mine).notes.size, 2)
  undo.undo()
  sync(mine, theirs)
  assert.equal(model.getNote(mine, a), null)
  assert.ok(model.getNote(mine, b))
  assert.ok(model.getNote(theirs, b))
  assert.equal(undo.canUndo(), false, 'the peer\'s note is not on my undo stack')
  undo.redo()
  assert.ok(model.getNote(mine, a))
})
