// Målbild 0.5 in one click: links to every export format of the board (GET
// /b/{id}/export.{fmt}), as a list for the facilitator panel and as a disclosure menu in
// the workshop bar for everyone else. The server decides what a member may see.

/** The formats in the order a librarian is most likely to want them. */
export const EXPORT_FORMATS = Object.freeze(['docx', 'html', 'md', 'csv', 'json', 'svg'])
const OPENS_IN_BROWSER = new Set(['html', 'svg']) // the server serves these inline

export function exportUrl (boardId, fmt) {
  return `/b/${encodeURIComponent(boardId)}/export.${fmt}`
}

/** A list of links, one per format, with labels that say what each file is for. */
export function exportLinks ({ boardId, t }) {
  const list = document.createElement('ul')
  list.className = 'export-links'
  for (const fmt of EXPORT_FORMATS) {
    const link = document.createElement('a')
    link.href = exportUrl(boardId, fmt)
    link.dataset.export = fmt
    link.textContent = t(`export.${fmt}`)
    if (OPENS_IN_BROWSER.has(fmt)) {
      link.target = '_blank'
      link.rel = 'noopener'
      const note = document.createElement('span')
      note.className = 'visually-hidden'
      note.textContent = ` ${t('export.new_tab')}`
      link.append(note)
    } else {
      link.setAttribute('download', '')
    }
    const item = document.createElement('li')
    item.append(link)
    list.append(item)
  }
  return list
}

/** "Ladda ner" in the workshop bar: a native disclosure, so keyboard and screen readers just work. */
export function exportMenu ({ boardId, t }) {
  const menu = document.createElement('details')
  menu.className = 'export-menu'
  const summary = document.createElement('summary')
  summary.className = 'button'
  summary.textContent = t('export.menu')
  summary.title = t('export.menu_label')
  const panel = document.createElement('div')
  panel.className = 'export-menu-panel'
  panel.append(exportLinks({ boardId, t }))
  menu.append(summary, panel)
  // Escape closes the menu and gives focus back to its button.
  menu.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && menu.open) {
      event.stopPropagation()
      menu.open = false
      summary.focus()
    }
  })
  // Choosing a format closes the menu (the download or the new tab is the feedback).
  panel.addEventListener('click', (event) => {
    if (event.target.closest('a')) menu.open = false
  })
  // A click elsewhere closes it too.
  document.addEventListener('pointerdown', (event) => {
    if (menu.open && !menu.contains(event.target)) menu.open = false
  })
  return menu
}
