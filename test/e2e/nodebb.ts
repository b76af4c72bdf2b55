import { request } from 'undici'

/**
 * The real NodeBB these tests run against, from NODEBB_URL and NODEBB_TOKEN (a master token).
 * Unset: every e2e test skips, saying why.
 */
export interface NodebbTarget {
  url: string
  token: string
  /** uid to act as when a test needs an administrator (NODEBB_ADMIN_UID, default 1). */
  adminUid: number
}

export function nodebbTarget (): NodebbTarget | null {
  const url = process.env.NODEBB_URL
  const token = process.env.NODEBB_TOKEN
  if (url === undefined || url === '' || token === undefined || token === '') return null
  return { url: url.replace(/\/$/, ''), token, adminUid: Number(process.env.NODEBB_ADMIN_UID ?? 1) }
}

export const skipReason = 'NODEBB_URL and NODEBB_TOKEN are not set: e2e tests need a real NodeBB 4 with the plugin active (see README, "Checking against a real NodeBB")'

export interface NodebbAnswer {
  status: number
  body: { status?: { code: string, message: string }, response?: Record<string, unknown> } & Record<string, unknown>
}

/** One Write API call as `uid`, with the master token. */
export async function callNodebb (target: NodebbTarget, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, uid: number, body?: Record<string, unknown>, token: string | null = target.token): Promise<NodebbAnswer> {
  const hasBody = method !== 'GET'
  const url = new URL(target.url + path)
  if (!hasBody) url.searchParams.set('_uid', String(uid))
  const headers: Record<string, string> = { accept: 'application/json' }
  if (token !== null) headers.authorization = `Bearer ${token}`
  if (hasBody) headers['content-type'] = 'application/json'
  const res = await request(url, { method, headers, body: hasBody ? JSON.stringify({ ...body, _uid: uid }) : undefined })
  const text = await res.body.text()
  let parsed: NodebbAnswer['body']
  try {
    parsed = JSON.parse(text) as NodebbAnswer['body']
  } catch {
    parsed = { raw: text.slice(0, 500) }
  }
  return { status: res.statusCode, body: parsed }
}
