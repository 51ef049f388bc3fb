// "Mina tavlor": the boards this browser facilitates, kept in localStorage with the link
// that opens each one, so that a lost or expired cookie does not lose the board. The
// server lists the boards whose cookie the browser still holds; this list adds the rest.

const KEY = 'samsyn.my-boards'
const MAX = 50

function read (storage) {
  try {
    const list = JSON.parse(storage.getItem(KEY) || '[]')
    return Array.isArray(list) ? list.filter((b) => b && typeof b.id === 'string' && typeof b.link === 'string') : []
  } catch {
    return []
  }
}

/** The remembered boards, the most recently opened first. */
export function myBoards (storage) {
  return read(storage)
}

/** Remember (or refresh) one board: { id, title, link, role, co_link? }. */
export function rememberBoard (storage, board) {
  const others = read(storage).filter((b) => b.id !== board.id)
  const entry = { ...read(storage).find((b) => b.id === board.id), ...board, seen: Date.now() }
  try {
    storage.setItem(KEY, JSON.stringify([entry, ...others].slice(0, MAX)))
  } catch {
    // Storage full or disabled (private mode): the panel still shows the link to keep.
  }
}

export function forgetBoard (storage, id) {
  try {
    storage.setItem(KEY, JSON.stringify(read(storage).filter((b) => b.id !== id)))
  } catch {}
}
