// The client's layers, checked rather than hoped for: every import under src/ must point
// down the stack core <- net <- board <- workshop <- main.js (ARCHITECTURE-client.md).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const SRC = fileURLToPath(new URL('../src/', import.meta.url))

// What each folder may import besides itself and npm packages. JSON files are data
// (translations, boards/capabilities.json) and may be read from any layer.
const ALLOWED = {
  core: [],
  net: ['core'],
  board: ['core', 'net'],
  workshop: ['core', 'net', 'board']
}

/** The static and dynamic import specifiers of a module's source. */
export function importsOf (code) {
  const found = []
  const patterns = [
    /^\s*import\s+(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm,
    /^\s*export\s+[^'"]*?\s+from\s+['"]([^'"]+)['"]/gm,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g
  ]
  for (const pattern of patterns) {
    for (const m of code.matchAll(pattern)) found.push(m[1])
  }
  return found
}

/** Why `from` (a path under src/) may not import `spec`, or null if it may. */
export function brokenRule (from, spec) {
  if (!spec.startsWith('.')) return null // an npm package
  if (spec.endsWith('.json')) return null
  const target = relative(SRC, join(SRC, dirname(from), spec))
  if (target.startsWith('..')) return `imports ${spec}, outside static/src`
  if (target === 'main.js') return 'imports main.js, the entry point nothing may import'
  const layer = from.split('/')[0]
  const targetLayer = target.includes('/') ? target.split('/')[0] : null
  if (!(layer in ALLOWED)) return null // an entry point (main.js, home.js, sw.js)
  if (targetLayer === layer) return null
  if (ALLOWED[layer].includes(targetLayer)) return null
  return `${layer}/ may import only ${[layer, ...ALLOWED[layer]].join(', ')} and npm packages; got ${spec}`
}

function sources () {
  return readdirSync(SRC, { recursive: true }).filter((f) => f.endsWith('.js')).sort()
}

test('every module sits in a known layer or is an entry point', () => {
  const entries = ['home.js', 'main.js', 'sw.js']
  for (const file of sources()) {
    const layer = file.includes('/') ? file.split('/')[0] : null
    assert.ok(layer in ALLOWED || entries.includes(file), `${file}: not in core/, net/, board/ or workshop/`)
  }
})

test('imports follow the layers: core <- net <- board <- workshop <- main.js', () => {
  const broken = []
  for (const file of sources()) {
    for (const spec of importsOf(readFileSync(join(SRC, file), 'utf8'))) {
      const why = brokenRule(file, spec)
      if (why) broken.push(`${file}: ${why}`)
    }
  }
  assert.deepEqual(broken, [])
})

test('the rule itself: a forbidden import is caught, an allowed one is not', () => {
  assert.match(brokenRule('core/model.js', '../board/render.js'), /core\/ may import only core/)
  assert.match(brokenRule('net/connect.js', '../workshop/session.js'), /net\/ may import only net, core/)
  assert.match(brokenRule('workshop/start.js', '../main.js'), /main\.js/)
  assert.equal(brokenRule('workshop/start.js', '../board/render.js'), null)
  assert.equal(brokenRule('board/render.js', 'yjs'), null)
  assert.equal(brokenRule('main.js', './workshop/start.js'), null)
  assert.deepEqual(importsOf("import * as Y from 'yjs'\nimport { a } from './a.js'\nexport { b } from '../b.js'\nconst c = import('./c.js')"),
    ['yjs', './a.js', '../b.js', './c.js'])
})
