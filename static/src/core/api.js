// JSON calls to one board's facilitation API (DESIGN.md, HTTP contract). The board cookie
// carries the credentials; errors become ApiError with the server's error code.

export class ApiError extends Error {
  constructor (status, code, detail = '', data = null) {
    super(`${status} ${code}${detail ? `: ${detail}` : ''}`)
    Object.assign(this, { status, code, detail, data })
  }
}

/** get(path), post(path, body), put and delete below `/api/boards/{id}`; both resolve to parsed JSON. */
export function boardApi (boardId, fetchFn = (...args) => fetch(...args)) {
  const base = `/api/boards/${encodeURIComponent(boardId)}`
  const call = async (method, path, body) => {
    const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } }
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json'
      init.body = JSON.stringify(body)
    }
    let response
    try {
      response = await fetchFn(base + path, init)
    } catch (error) {
      throw new ApiError(0, 'network', String(error && error.message ? error.message : error))
    }
    const type = response.headers.get('content-type') || ''
    const data = type.includes('json') ? await response.json().catch(() => null) : null
    if (!response.ok) {
      throw new ApiError(response.status, (data && data.error) || `http_${response.status}`, (data && data.detail) || '', data)
    }
    return data
  }
  return {
    base,
    get: (path) => call('GET', path),
    post: (path, body = {}) => call('POST', path, body),
    put: (path, body = {}) => call('PUT', path, body),
    delete: (path) => call('DELETE', path)
  }
}
