// A small element builder for panels made in code. Text goes in through textContent
// (as a prop), never as markup.

/** `el('p', { className: 'x', textContent: t, dataset: {...}, attrs: {...} }, ...children)` */
export function el (tag, props = {}, ...children) {
  const node = document.createElement(tag)
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value)
    else if (key === 'attrs') for (const [name, v] of Object.entries(value)) node.setAttribute(name, v)
    else node[key] = value
  }
  node.append(...children)
  return node
}
