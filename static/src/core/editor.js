// Binds a <textarea> or <input> to a Y.Text while it has focus. Local input becomes the
// minimal delete+insert on the Y.Text, so two people typing in the same note keep both
// texts; remote changes are written into the field with the caret kept in place.
import { applyTextChange } from './model.js'
import { transformIndex } from './text.js'

export function bindTextField (field, ytext, doc) {
  // Always equal to ytext as of the last sync with the field.
  let shadow = ytext.toString()
  if (field.value !== shadow) field.value = shadow

  const onInput = () => {
    if (field.value === shadow) return
    applyTextChange(doc, ytext, field.value)
    shadow = ytext.toString()
  }
  // Remote edits and undo/redo both arrive here; local typing already matches the field.
  const onRemote = (event) => {
    const value = ytext.toString()
    if (value === field.value) {
      shadow = value
      return
    }
    const focused = document.activeElement === field
    const start = transformIndex(event.delta, field.selectionStart ?? 0)
    const end = transformIndex(event.delta, field.selectionEnd ?? 0)
    const direction = field.selectionDirection
    field.value = value
    shadow = value
    if (focused) field.setSelectionRange(start, end, direction || 'none')
  }
  field.addEventListener('input', onInput)
  ytext.observe(onRemote)
  return () => {
    field.removeEventListener('input', onInput)
    ytext.unobserve(onRemote)
  }
}
