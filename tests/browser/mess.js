// What a person would call a mess on the board page, as a list of what overlaps or
// sticks out (empty when tidy), from the rects on screen. Read by test_layout.py.
() => {
  const doc = window.samsyn.doc
  const rect = (el) => el.getBoundingClientRect()
  const cross = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1
  const within = (a, b) => a.left >= b.left - 1 && a.top >= b.top - 1 && a.right <= b.right + 1 && a.bottom <= b.bottom + 1
  const problems = []
  const notes = [...document.querySelectorAll('.note')]
  const clusters = [...document.querySelectorAll('.cluster')]
  const titles = [...document.querySelectorAll('.section-title, .section-prompt')]
  const sectionOf = (id) => document.querySelector(`.board-section[data-section-id="${id}"]`)
  for (let i = 0; i < notes.length; i++) {
    for (let j = i + 1; j < notes.length; j++) {
      if (cross(rect(notes[i]), rect(notes[j]))) problems.push(`notes overlap: ${notes[i].textContent} / ${notes[j].textContent}`)
    }
  }
  for (const el of notes) {
    const map = doc.getMap('notes').get(el.dataset.noteId)
    const section = map.get('section') && sectionOf(map.get('section'))
    if (section && !within(rect(el), rect(section))) problems.push(`note outside its section: ${el.textContent}`)
    const cluster = el.dataset.cluster && document.querySelector(`.cluster[data-cluster-id="${el.dataset.cluster}"]`)
    if (cluster && !within(rect(el), rect(cluster))) problems.push(`note outside its cluster: ${el.textContent}`)
    for (const t of titles) if (cross(rect(el), rect(t))) problems.push(`note on a section title: ${el.textContent}`)
  }
  for (let i = 0; i < clusters.length; i++) {
    for (let j = i + 1; j < clusters.length; j++) {
      if (cross(rect(clusters[i]), rect(clusters[j]))) problems.push(`clusters overlap: ${i} / ${j}`)
    }
    for (const t of titles) if (cross(rect(clusters[i]), rect(t))) problems.push(`cluster ${i} covers a section title`)
  }
  return problems
}
