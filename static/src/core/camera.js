// The view onto the board: pan and zoom as pure math. A camera {x, y, zoom} maps a board
// point p to the screen point p * zoom + (x, y), relative to the viewport's top-left.

export const ZOOM_MIN = 0.1
export const ZOOM_MAX = 3
export const ZOOM_STEP = 1.25

export function clampZoom (zoom) {
  return Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, zoom))
}

/** Board coordinates of a viewport point. */
export function toBoard (camera, sx, sy) {
  return { x: (sx - camera.x) / camera.zoom, y: (sy - camera.y) / camera.zoom }
}

/** Viewport coordinates of a board point. */
export function toScreen (camera, bx, by) {
  return { x: bx * camera.zoom + camera.x, y: by * camera.zoom + camera.y }
}

/** Zoom to `zoom`, keeping the board point under viewport point (sx, sy) where it is. */
export function zoomAt (camera, zoom, sx, sy) {
  const next = clampZoom(zoom)
  const p = toBoard(camera, sx, sy)
  return { x: sx - p.x * next, y: sy - p.y * next, zoom: next }
}

export function panBy (camera, dx, dy) {
  return { x: camera.x + dx, y: camera.y + dy, zoom: camera.zoom }
}

/** Centre the board point (bx, by) in a viewport of `width` x `height`. */
export function centreOn (camera, bx, by, width, height) {
  return { x: width / 2 - bx * camera.zoom, y: height / 2 - by * camera.zoom, zoom: camera.zoom }
}

/**
 * The camera that shows the whole box {x0, y0, x1, y1} in the viewport with `padding`
 * pixels around it, never zooming in beyond `maxZoom`.
 */
export function fitBox (box, width, height, { padding = 48, maxZoom = 1 } = {}) {
  if (!box || width <= 0 || height <= 0) return { x: 0, y: 0, zoom: 1 }
  const bw = Math.max(1, box.x1 - box.x0)
  const bh = Math.max(1, box.y1 - box.y0)
  const zoom = clampZoom(Math.min(maxZoom, (width - padding * 2) / bw, (height - padding * 2) / bh))
  return {
    x: (width - bw * zoom) / 2 - box.x0 * zoom,
    y: (height - bh * zoom) / 2 - box.y0 * zoom,
    zoom
  }
}

/** The board rectangle visible through a viewport of `width` x `height`. */
export function visibleBox (camera, width, height) {
  const a = toBoard(camera, 0, 0)
  const b = toBoard(camera, width, height)
  return { x0: a.x, y0: a.y, x1: b.x, y1: b.y }
}

/** True when the board rectangle lies fully inside the visible box (with a margin). */
export function isVisible (camera, width, height, rect, margin = 16) {
  const v = visibleBox(camera, width, height)
  const m = margin / camera.zoom
  return rect.x >= v.x0 + m && rect.y >= v.y0 + m && rect.x + rect.w <= v.x1 - m && rect.y + rect.h <= v.y1 - m
}

/**
 * The first view's lowest zoom: note text is 15 px (board.css), and 15 px x 0.75 = 11.25 px
 * on screen, the least we call readable on a laptop or a projected wall.
 */
export const READABLE_ZOOM = 0.75

/**
 * A view of the box at a readable zoom: all of it when it fits at READABLE_ZOOM or more
 * (never beyond `maxZoom`), else its top-left part at READABLE_ZOOM.
 */
export function readableBox (box, width, height, { padding = 24, top = padding, maxZoom = 1 } = {}) {
  const fit = fitBox(box, width, height - (top - padding), { padding, maxZoom })
  if (!box || fit.zoom >= READABLE_ZOOM) return { ...fit, y: fit.y + (top - padding) }
  const zoom = READABLE_ZOOM
  const bw = (box.x1 - box.x0) * zoom
  // Centred across when it fits across, else from its left edge; always from its top.
  const x = bw <= width - padding * 2 ? (width - bw) / 2 - box.x0 * zoom : padding - box.x0 * zoom
  return { x, y: top - box.y0 * zoom, zoom }
}
