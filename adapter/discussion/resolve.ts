import { allowList, numericParams, type AllowEntry, type PassthroughMethod } from './allow-list'
import { legacyRoutes, type LegacyRoute } from './legacy-routes'

/**
 * A passthrough URL -> the allow-list row it names and the exact NodeBB URL to call, or null (404).
 *
 * The path is normalised before it is matched, and what goes to NodeBB is rebuilt from what was
 * matched, never copied: each segment is percent-decoded once and refused if it is empty (`//`),
 * `.` or `..` (plain or encoded), or holds `/`, `\`, `%` (double encoding) or a control character;
 * literal segments must be sent exactly as listed; ids must be digits. So no spelling of a path
 * reaches a NodeBB route other than the row it matched.
 *
 * Sunbird's existing UI (legacy-routes.ts) is matched the same way after the allow-list, its
 * paths with one trailing slash tolerated (the UI sends `/topic/12/?page=1`); a legacy row's
 * NodeBB path is its own target, filled with what matched.
 */
export interface Resolved {
  /** The allow-list row, or the legacy row's name and method. */
  entry: Pick<AllowEntry, 'name' | 'method'>
  /** The NodeBB path, rebuilt from what matched: starts with `/api/` ('' for a composed legacy route). */
  path: string
  /** The caller's query string as sent (without `?`); checked and given the acting uid by query.ts. */
  query: string
  /** The legacy row matched, or null for the allow-list. */
  legacy: LegacyRoute | null
  /** What the `:name` segments matched (decoded). */
  params: Record<string, string>
  /** A legacy delete's second try (the owner's soft delete), filled like `path`. */
  orElse?: { method: PassthroughMethod, path: string }
}

type Segment = { literal: string } | { param: string, numeric: boolean }

interface CompiledEntry {
  entry: Pick<AllowEntry, 'name' | 'method'>
  segments: Segment[]
  legacy: LegacyRoute | null
}

function segmentsOf (path: string): Segment[] {
  return path.slice(1).split('/').map((s) => s.startsWith(':') ? { param: s.slice(1), numeric: numericParams.has(s.slice(1)) } : { literal: s })
}

const compiled: CompiledEntry[] = [
  ...allowList.map((entry) => ({ entry, segments: segmentsOf(entry.path), legacy: null })),
  ...legacyRoutes.map((route) => ({ entry: { name: `legacy.${route.name}`, method: route.method }, segments: segmentsOf(route.path), legacy: route }))
]

/** A NodeBB path template filled with matched parameters (each percent-encoded; ids are digits already). */
export function fillTarget (template: string, params: Record<string, string>): string {
  return template.replace(/:([A-Za-z]+)/g, (_m, name: string) => encodeURIComponent(params[name] ?? ''))
}

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
  const all = rawPath.slice(1).split('/')
  // one trailing slash, for the legacy rows only: the allow-list's NodeBB paths are exact
  const trailing = all.length > 1 && all[all.length - 1] === ''
  const raw = trailing ? all.slice(0, -1) : all
  if (raw.length > 8) return null
  const decoded: string[] = []
  for (const segment of raw) {
    const d = decodeSegment(segment)
    if (d === null) return null
    decoded.push(d)
  }
  for (const { entry, segments, legacy } of compiled) {
    if (entry.method !== method || segments.length !== raw.length || (trailing && legacy === null)) continue
    const out: string[] = []
    const params: Record<string, string> = {}
    let ok = true
    for (let i = 0; i < segments.length && ok; i++) {
      const s = segments[i] as Segment
      const value = decoded[i] as string
      if ('literal' in s) {
        ok = raw[i] === s.literal
        out.push(s.literal)
      } else if (s.numeric) {
        ok = /^[0-9]{1,15}$/.test(value)
        out.push(value)
        params[s.param] = value
      } else {
        out.push(encodeURIComponent(value))
        params[s.param] = value
      }
    }
    if (!ok) continue
    if (legacy === null) return { entry, path: `/${out.join('/')}`, query: rawQuery, legacy, params }
    if (legacy.kind === 'read') return { entry, path: fillTarget(legacy.target, params), query: rawQuery, legacy, params }
    if (legacy.kind === 'write') {
      const resolved: Resolved = { entry, path: fillTarget(legacy.target.path, params), query: rawQuery, legacy, params }
      if (legacy.orElse !== undefined) resolved.orElse = { method: legacy.orElse.method, path: fillTarget(legacy.orElse.path, params) }
      return resolved
    }
    return { entry, path: '', query: rawQuery, legacy, params }
  }
  return null
}
