import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as cam from '../src/core/camera.js'

test('toBoard and toScreen are inverse', () => {
  const camera = { x: 120, y: -40, zoom: 0.5 }
  const p = cam.toBoard(camera, 300, 200)
  assert.deepEqual(cam.toScreen(camera, p.x, p.y), { x: 300, y: 200 })
})

test('zoomAt keeps the point under the pointer still and clamps the zoom', () => {
  const camera = { x: 10, y: 20, zoom: 1 }
  const before = cam.toBoard(camera, 400, 300)
  const zoomed = cam.zoomAt(camera, 2, 400, 300)
  assert.equal(zoomed.zoom, 2)
  assert.deepEqual(cam.toBoard(zoomed, 400, 300), before)
  assert.equal(cam.zoomAt(camera, 100, 0, 0).zoom, cam.ZOOM_MAX)
  assert.equal(cam.zoomAt(camera, 0, 0, 0).zoom, cam.ZOOM_MIN)
})

test('fitBox shows the whole box centred, never zooming in past maxZoom', () => {
  const box = { x0: 1000, y0: 500, x1: 5000, y1: 2500 }
  const camera = cam.fitBox(box, 1000, 800, { padding: 50 })
  const a = cam.toScreen(camera, box.x0, box.y0)
  const b = cam.toScreen(camera, box.x1, box.y1)
  assert.ok(a.x >= 49.9 && a.y >= 49.9 && b.x <= 950.1 && b.y <= 750.1)
  assert.ok(Math.abs((a.x + b.x) / 2 - 500) < 0.01)
  const small = cam.fitBox({ x0: 0, y0: 0, x1: 100, y1: 100 }, 1000, 800)
  assert.equal(small.zoom, 1)
})

test('isVisible says whether a rectangle is fully in view', () => {
  const camera = { x: 0, y: 0, zoom: 1 }
  assert.equal(cam.isVisible(camera, 800, 600, { x: 100, y: 100, w: 100, h: 100 }), true)
  assert.equal(cam.isVisible(camera, 800, 600, { x: 750, y: 100, w: 100, h: 100 }), false)
  const centred = cam.centreOn(camera, 2000, 2000, 800, 600)
  assert.deepEqual(cam.toBoard(centred, 400, 300), { x: 2000, y: 2000 })
})
