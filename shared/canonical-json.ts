import { createHash } from 'node:crypto'

/** JSON with object keys sorted at every level, so `{a,b}` and `{b,a}` are the same text. */
export function canonicalJson (value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
  return `{${entries.join(',')}}`
}

/**
 * What makes two requests "the same" for idempotency: method, route and `content` (path
 * parameters and the request itself), keys in any order; the envelope's id/ver/ets/params are left
 * out, since clients rebuild them when they retry.
 */
export function fingerprint (method: string, route: string, content: unknown): string {
  return createHash('sha256').update(`${method}\n${route}\n${canonicalJson(content ?? null)}`).digest('base64url')
}
