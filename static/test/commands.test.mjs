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
  // Distinct creation times: a cluster orders its grid by them (then by random id).
  const inside = model.createNote(doc, { x: 20, y: 60, cluster: c, now: 1000 })
  const loose = model.createNote(doc, { x: 1000, y: 1000, now: 2000 })
  model.moveItems(doc, { clusters: [c] }, 100, 50)
  // The member goes with it, into its grid slot.
  assert.deepEqual([note(doc, inside).x, note(doc, inside).y], [100 + model.LAYOUT_PAD, 50 + model.CLUSTER_HEADER])
  assert.equal(note(doc, loose).x, 1000)
  // Dropping the loose note onto the cluster's new place (a one-note cluster's size) puts it in.
  model.moveItems(doc, { notes: [loose] }, -850, -880)
  assert.equal(note(doc, loose).cluster, c)
  // Moving cluster and member together moves the member once, not twice.
  model.moveItems(doc, { clusters: [c], notes: [inside] }, 10, 0)
  assert.equal(model.boardLayout(doc).clusters.get(c).x, 110)
  assert.equal(model.boardLayout(doc).notes.get(inside).x, 110 + model.LAYOUT_PAD)
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

test('groupIntoCluster makes a cluster near the notes that holds them all in its grid', () => {
  const doc = new Y.Doc()
  const a = model.createNote(doc, { x: 100, y: 200 })
  const b = model.createNote(doc, { x: 400, y: 260 })
  const c = model.groupIntoCluster(doc, [a, b], { title: 'Digital delaktighet' })
  const cluster = model.readCluster(c, model.getCluster(doc, c))
  assert.equal(cluster.title, 'Digital delaktighet')
  assert.deepEqual([cluster.x, cluster.y], [100 - model.LAYOUT_PAD, 200 - model.CLUSTER_HEADER])
  const layout = model.boardLayout(doc)
  const box = layout.clusters.get(c)
  for (const id of [a, b]) {
    const slot = layout.notes.get(id)
    assert.deepEqual([note(doc, id).x, note(doc, id).y], [slot.x, slot.y], 'the slot is written for exports')
    assert.ok(slot.x >= box.x && slot.x + model.NOTE_SIZE.w <= box.x + box.w)
    assert.ok(slot.y >= box.y + model.CLUSTER_HEADER && slot.y + model.NOTE_SIZE.h <= box.y + box.h)
  }
  assert.deepEqual(model.clusterNotes(doc, c).sort(), [a, b].sort())
  assert.equal(model.groupIntoCluster(doc, []), null)
})

test('a new cluster takes free space in its section, below the title band, beside the others', () => {
  const doc = new Y.Doc()
  const s = model.createSection(doc, { title: 'Fråga', x: 0, y: 0, w: 1200, h: 900 })
  const a = model.createNote(doc, { x: 40, y: 10, section: s })
  const b = model.createNote(doc, { x: 60, y: 30, section: s })
  const first = model.groupIntoCluster(doc, [a])
  const second = model.groupIntoCluster(doc, [b])
  const extra = model.addClusterAt(doc, { x: 100, y: 100 })
  const layout = model.boardLayout(doc)
  const boxes = [first, second, extra].map((id) => layout.clusters.get(id))
  for (const box of boxes) {
    assert.ok(box.y >= model.SECTION_HEADER, 'below the title band')
    assert.ok(box.x >= 0 && box.x + box.w <= 1200 && box.y + box.h <= 900, 'inside the section')
    assert.equal(box.section, s)
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) assert.ok(!model.overlaps(boxes[i], boxes[j]))
  }
})

test('clusters whose wishes overlap are drawn apart, the same on every doc', () => {
  const one = new Y.Doc()
  const s = model.createSection(one, { title: 'Fråga', x: 0, y: 0, w: 1200, h: 900, id: 'sec' })
  for (const id of ['k1', 'k2', 'k3']) model.createCluster(one, { id, x: 30, y: 0, section: s })
  const other = new Y.Doc()
  Y.applyUpdate(other, Y.encodeStateAsUpdate(one))
  const boxes = [...model.boardLayout(one).clusters.values()]
  assert.deepEqual(boxes, [...model.boardLayout(other).clusters.values()])
  for (let i = 0; i < boxes.length; i++) {
    assert.ok(boxes[i].y >= model.SECTION_HEADER)
    for (let j = i + 1; j < boxes.length; j++) assert.ok(!model.overlaps(boxes[i], boxes[j]))
  }
})

test('two people dropping one note into two clusters: every doc draws it in the winner', () => {
  const a = new Y.Doc()
  const b = new Y.Doc()
  const k1 = model.createCluster(a, { x: 0, y: 0, id: 'k1' })
  const k2 = model.createCluster(a, { x: 2000, y: 0, id: 'k2' })
  const n = model.createNote(a, { x: 900, y: 900 })
  sync(a, b)
  model.moveNoteToCluster(a, n, k1)
  model.moveNoteToCluster(b, n, k2)
  sync(a, b)
  const [la, lb] = [model.boardLayout(a), model.boardLayout(b)]
  const winner = model.getNote(a, n).get('cluster')
  assert.equal(model.getNote(b, n).get('cluster'), winner)
  assert.deepEqual(la.notes.get(n), lb.notes.get(n))
  const box = la.clusters.get(winner)
  const slot = la.notes.get(n)
  assert.ok(slot.x >= box.x && slot.x + model.NOTE_SIZE.w <= box.x + box.w && slot.y + model.NOTE_SIZE.h <= box.y + box.h)
})

test('arrangeBoard packs each section: clusters in rows, loose notes below, nothing overlapping', () => {
  const doc = new Y.Doc()
  const s = model.createSection(doc, { title: 'Fråga', x: 0, y: 0, w: 1200, h: 1800 })
  const notes = []
  for (let i = 0; i < 20; i++) notes.push(model.createNote(doc, { x: 10 * i, y: 10 * i, section: s, now: i }))
  for (let k = 0; k < 4; k++) model.groupIntoCluster(doc, notes.slice(k * 4, k * 4 + 3 + (k % 2)))
  model.arrangeBoard(doc)
  const layout = model.boardLayout(doc)
  const boxes = [...layout.clusters.values()]
  for (const [id, map] of model.roots(doc).notes) {
    if (!layout.notes.has(id)) boxes.push({ x: map.get('x'), y: map.get('y'), ...model.NOTE_SIZE })
  }
  assert.equal(boxes.length, 4 + 20 - 14)
  for (let i = 0; i < boxes.length; i++) {
    assert.ok(boxes[i].y >= model.SECTION_HEADER && boxes[i].x >= 0 && boxes[i].x + boxes[i].w <= 1200)
    for (let j = i + 1; j < boxes.length; j++) assert.ok(!model.overlaps(boxes[i], boxes[j]), `${i} and ${j}`)
  }
  // The stored wishes are the packed places: nothing moves when it is resolved.
  for (const [id, box] of layout.clusters) {
    const map = model.getCluster(doc, id)
    assert.deepEqual([map.get('x'), map.get('y')], [box.x, box.y])
  }
})

test('tidyCluster lays notes out in a grid in the order they were written and fits the cluster', () => {
  const doc = new Y.Doc()
  const c = model.createCluster(doc, { x: 0, y: 0, w: 300, h: 200 })
  // Written in this order (created), wherever they lie.
  const ids = [[500, 10], [20, 400], [300, 10], [10, 10], [200, 500]].map(([x, y], i) =>
    model.createNote(doc, { x, y, cluster: c, now: 100 - i }))
  model.tidyCluster(doc, c)
  const placed = ids.map((id) => note(doc, id))
  const cols = model.gridColumns(5)
  assert.equal(cols, 3)
  const order = [4, 3, 2, 1, 0]
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
