import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { pickLanguage, translator, cookieValue } from '../src/core/i18n.js'
import { NOTE_COLORS } from '../src/core/model.js'

const load = (lang) => JSON.parse(readFileSync(new URL(`../src/i18n/${lang}.json`, import.meta.url), 'utf8'))
const sv = load('sv')
const en = load('en')

test('sv and en have the same keys and no empty strings', () => {
  assert.deepEqual(Object.keys(sv).sort(), Object.keys(en).sort())
  for (const [lang, table] of Object.entries({ sv, en })) {
    for (const [key, value] of Object.entries(table)) {
      assert.ok(typeof value === 'string' && value.trim(), `${lang}.${key} is empty`)
    }
  }
})

test('placeholders match between languages', () => {
  const names = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
  for (const key of Object.keys(sv)) assert.deepEqual(names(sv[key]), names(en[key]), key)
})

test('every key used by the client and the templates exists', () => {
  const used = new Set()
  const src = new URL('../src/', import.meta.url)
  for (const file of readdirSync(src, { recursive: true }).filter((f) => f.endsWith('.js'))) {
    const code = readFileSync(new URL(file, src), 'utf8')
    for (const m of code.matchAll(/\bt\('([a-z_.0-9]+)'/g)) used.add(m[1])
    for (const m of code.matchAll(/'(conn\.error_\d+)'/g)) used.add(m[1])
  }
  for (const state of ['connected', 'reconnecting', 'offline']) used.add(`conn.${state}`)
  for (const color of NOTE_COLORS) used.add(`color.${color.id}`)
  const templates = new URL('../../server/templates/', import.meta.url)
  for (const file of readdirSync(templates).filter((f) => f.endsWith('.html'))) {
    const html = readFileSync(new URL(file, templates), 'utf8')
    for (const m of html.matchAll(/t\['([a-z_.0-9]+)'\]/g)) used.add(m[1])
  }
  assert.ok(used.size > 40, `found only ${used.size} keys; is the scan broken?`)
  const missing = [...used].filter((key) => !(key in sv))
  assert.deepEqual(missing, [])
})

test('pickLanguage: ?lang= beats the cookie, which beats the board language', () => {
  assert.equal(pickLanguage({ search: '?lang=en', cookie: 'samsyn_lang=sv', boardLanguage: 'sv' }), 'en')
  assert.equal(pickLanguage({ cookie: 'a=b; samsyn_lang=en', boardLanguage: 'sv' }), 'en')
  assert.equal(pickLanguage({ boardLanguage: 'en', htmlLang: 'sv' }), 'en')
  assert.equal(pickLanguage({ search: '?lang=fi', htmlLang: 'en-GB' }), 'en')
  assert.equal(pickLanguage({}), 'sv')
  assert.equal(cookieValue('x=1; samsyn_lang=en', 'samsyn_lang'), 'en')
  assert.equal(cookieValue('', 'samsyn_lang'), null)
})

test('translator fills placeholders and falls back to Swedish, then the key', () => {
  const t = translator('en')
  assert.equal(t('cluster.count_many', { count: 3 }), '3 notes')
  assert.equal(translator('sv')('toolbar.add_note'), 'Ny lapp')
  assert.equal(translator('xx')('toolbar.add_note'), 'Ny lapp')
  assert.equal(t('no.such.key'), 'no.such.key')
  assert.equal(t('presence.you', {}), '{name} (you)')
})
