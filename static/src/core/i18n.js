// UI strings. The JSON files are shared with the server, which renders the HTML pages
// from the same keys; the client bundles both and picks one at start-up.
import sv from '../i18n/sv.json' with { type: 'json' }
import en from '../i18n/en.json' with { type: 'json' }

export const LANGUAGES = Object.freeze({ sv, en })
export const DEFAULT_LANGUAGE = 'sv'

/**
 * Pick the UI language: an explicit `?lang=` wins, then the `samsyn_lang` cookie, then
 * the board's own language, then the page's `<html lang>`, then Swedish.
 */
export function pickLanguage ({ search = '', cookie = '', boardLanguage = null, htmlLang = null } = {}) {
  const candidates = [
    new URLSearchParams(search).get('lang'),
    cookieValue(cookie, 'samsyn_lang'),
    boardLanguage,
    htmlLang
  ]
  for (const candidate of candidates) {
    const lang = (candidate || '').toLowerCase().slice(0, 2)
    if (Object.hasOwn(LANGUAGES, lang)) return lang
  }
  return DEFAULT_LANGUAGE
}

export function cookieValue (cookie, name) {
  for (const part of cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return decodeURIComponent(rest.join('='))
  }
  return null
}

/**
 * A translate function for `lang`: t(key, {name: 'Ada'}) fills `{name}` placeholders.
 * A missing key falls back to Swedish, then to the key itself, so a gap is visible.
 */
export function translator (lang) {
  const table = LANGUAGES[lang] || LANGUAGES[DEFAULT_LANGUAGE]
  const fallback = LANGUAGES[DEFAULT_LANGUAGE]
  return (key, vars = {}) => {
    const template = table[key] ?? fallback[key] ?? key
    return template.replace(/\{(\w+)\}/g, (match, name) =>
      Object.hasOwn(vars, name) ? String(vars[name]) : match)
  }
}
