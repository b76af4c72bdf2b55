import { allowList, numericParams, type AllowEntry } from './allow-list'

/**
 * A passthrough URL -> the allow-list row it names and the exact NodeBB URL to call, or null (404).
 *
 * The path is normalised before it is matched, and what goes to NodeBB is rebuilt from what was
 * matched, never copied: each segment is percent-decoded once and refused if it is empty (`//`),
 * `.` or `..` (plain or encoded), or holds `/`, `\`, `%` (double encoding) or a control character;
 * literal segments must be sent exactly as listed; ids must be digits. So no spelling of a path
 * reaches a NodeBB route other than the row it matched.
 */
export interface Resolved {
  entry: AllowEntry
  /** The NodeBB path, rebuilt from what matched: starts with `/api/`. */
  path: string
  /** The caller's query string as sent (without `?`); checked and given the acting uid by query.ts. */
  query: string
}

interface CompiledEntry {
  entry: AllowEntry
  segments: Array<{ literal: string } | { param: string, numeric: boolean }>
}

const compiled: CompiledEntry[] = allowList.map((entry) => ({
  entry,
  segments: entry.path.slice(1).split('/').map((s) => s.startsWith(':') ? { param: s.slice(1), numeric: numericParams.has(s.slice(1)) } : { literal: s })
}))

const maxSegment = 200
// eslint-disable-next-line no-control-regex
const unsafe = /[/\\%\u0000-\u001f\u007f]/

/** One raw segment decoded, or null when it is not a plain, single path segment. */
function decodeSegment (raw: string): string | null {
  if (raw === '' || raw.length > maxSegment * 3) return null
  let decoded: string
  try {
    decoded = decodeURIComponent(raw)
  } catch {
    return null
  }
  if (decoded === '.' || decoded === '..' || unsafe.test(decoded) || decoded.length > maxSegment) return null
  return decoded
}

/** `rest` is the URL after the prefix (`/api/v3/topics/12?x=1`). */
export function resolvePassthrough (method: string, rest: string): Resolved | null {
  if (rest.includes('#')) return null
  const q = rest.indexOf('?')
  const rawPath = q < 0 ? rest : rest.slice(0, q)
  const rawQuery = q < 0 ? '' : rest.slice(q + 1)
  if (!rawPath.startsWith('/')) return null
  const raw = rawPath.slice(1).split('/')
  if (raw.length > 8) return null
  const decoded: string[] = []
  for (const segment of raw) {
    const d = decodeSegment(segment)
    if (d === null) return null
    decoded.push(d)
  }
  for (const { entry, segments } of compiled) {
    if (entry.method !== method || segments.length !== raw.length) continue
    const out: string[] = []
    let ok = true
    for (let i = 0; i < segments.length && ok; i++) {
      const s = segments[i] as CompiledEntry['segments'][number]
      const value = decoded[i] as string
      if ('literal' in s) {
        ok = raw[i] === s.literal
        out.push(s.literal)
      } else if (s.numeric) {
        ok = /^[0-9]{1,15}$/.test(value)
        out.push(value)
      } else {
        out.push(encodeURIComponent(value))
      }
    }
    if (ok) return { entry, path: `/${out.join('/')}`, query: rawQuery }
  }
  return null
}
