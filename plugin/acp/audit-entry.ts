import type { Level } from '../../shared/permission-ladder'
import { pluginPaths } from '../../shared/plugin-paths'
import type { Context } from '../../shared/schemas/common'
import { acpPaths } from './paths'

/**
 * One audit log entry and the pure rules around it: which calls are changes, how an entry is
 * stored and read back, and which entries a filter keeps.
 */

/** Who made a call, in names an administrator knows. */
export interface AuditActor {
  /** The acting NodeBB uid (a service acts as the adapter's service uid). */
  uid: number
  username: string | null
  /** The user's Sunbird id (their mapping, else the token subject the adapter named). */
  sunbirdId: string | null
  /** The API consumer the adapter named (the API token's kid or iss). */
  consumer: string | null
  /** A trusted back-end service acting on its own (no user token): shown as "service: <consumer>". */
  service: boolean
}

export interface AuditForum {
  id: string
  /** null until named (refused calls are named when read). */
  name: string | null
  context: Context | null
}

/** A handful of names and how many there were in all. */
export interface Names {
  names: string[]
  count: number
}

/** The forums one change reached: the first named, how many more, and whether they sit under it. */
export interface ForumSpan {
  forum: AuditForum
  others: number
  sub: boolean
}

export type LevelVerb = 'gave' | 'raised' | 'lowered' | 'removed' | 'restored'

/** One thing a call changed, named as it was named when it happened. */
export type ChangeFact =
  | { type: 'level', verb: LevelVerb, from: Level | null, to: Level | null, group: boolean, members: Names, on: ForumSpan }
  | { type: 'created', forum: AuditForum, subForums: number }
  | { type: 'children', parent: AuditForum, children: Names }
  | { type: 'renamed', forum: AuditForum, from: string, to: string }
  | { type: 'deleted', forum: AuditForum, subForums: number, groups: number }
  | { type: 'members', verb: 'added' | 'removed', group: string, members: Names }
  | { type: 'notified', forum: AuditForum | null, recipients: number, delivered: number }
  | { type: 'settings', field: string }
  | { type: 'user', username: string | null, identifier: string }

export interface AuditEntry {
  v: 2
  id: string
  /** ms since the epoch */
  at: number
  /** How long the call took. */
  ms: number
  /** The Sunbird envelope msgid, when the caller sent one. */
  msgid: string | null
  /** The route: `PATCH /sunbird/forums/:forumId`. */
  route: string
  /** What the call does (`forum.update`), or the route for a call that is not a named operation. */
  operation: string
  /** `ok`, or the error code the call was refused with. */
  outcome: string
  actor: AuditActor
  /** The forum the call is about. */
  forum: AuditForum | null
  /** Every forum the call touched (bounded), so the forum filter finds a change to a sub-forum too. */
  forumIds: string[]
  facts: ChangeFact[]
  /** Changes beyond the facts kept. */
  more: number
  /** A change whose handler said nothing of what it did (or one logged by an earlier version, which kept only the call). */
  undescribed?: true
}

/** What a route is, for the log: its operation name, and whether a successful call changes something. */
export interface RouteKind {
  operation: string
  change: boolean
}

const named: Record<string, RouteKind> = {
  [`POST ${pluginPaths.users}`]: { operation: 'user.create', change: true },
  [`POST ${pluginPaths.forums}`]: { operation: 'forum.create', change: true },
  [`PATCH ${pluginPaths.forum}`]: { operation: 'forum.update', change: true },
  [`DELETE ${pluginPaths.forum}`]: { operation: 'forum.delete', change: true },
  [`POST ${pluginPaths.repair}`]: { operation: 'forum.repair', change: true },
  [`PUT ${acpPaths.settings}`]: { operation: 'settings.save', change: true },
  [`POST ${pluginPaths.notifications}`]: { operation: 'notification.send', change: true },
  // a user's own read marks are theirs, like a read: a learner's clicks must not fill the log
  [`PUT ${pluginPaths.userNotificationsRead}`]: { operation: 'notification.mark-read', change: false }
}

/** The named operations, in the order the ACP offers them. */
export const namedOperations: string[] = [...new Set(Object.values(named).map((k) => k.operation))]

/**
 * A route's kind. Reads are not changes; a write route not named above is recorded under its
 * route, so a route added later is logged rather than lost.
 */
export function routeKind (route: string): RouteKind {
  return named[route] ?? { operation: route, change: !route.startsWith('GET ') }
}

/** The list an entry goes to: changes, or refusals (which never push changes out). */
export function isRefusal (outcome: string): boolean {
  return outcome !== 'ok'
}

/** An entry as stored before this format (v1: `uid`, `operation` was the route, `forumId`). */
interface LegacyEntry { id: string, at: number, msgid: string | null, uid: number, operation: string, forumId: string | null, outcome: string, ms: number }

const str = (v: unknown): string | null => typeof v === 'string' ? v : null
const num = (v: unknown): number => typeof v === 'number' && Number.isFinite(v) ? v : 0

/** A stored entry, or null for anything unreadable. A v1 entry reads as v2 without names (they are filled when read). */
export function parseEntry (raw: string): AuditEntry | null {
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const e = value as Record<string, unknown>
  if (e.v === 2) {
    return typeof e.route === 'string' && typeof e.operation === 'string' && typeof e.actor === 'object' && e.actor !== null && Array.isArray(e.facts)
      ? value as AuditEntry
      : null
  }
  if (typeof e.operation !== 'string' || typeof e.outcome !== 'string') return null
  const legacy = value as LegacyEntry
  const forumId = str(legacy.forumId)
  return {
    v: 2,
    id: String(legacy.id),
    at: num(legacy.at),
    ms: num(legacy.ms),
    msgid: str(legacy.msgid),
    route: legacy.operation,
    operation: routeKind(legacy.operation).operation,
    outcome: legacy.outcome,
    actor: { uid: num(legacy.uid), username: null, sunbirdId: null, consumer: null, service: false },
    forum: forumId === null ? null : { id: forumId, name: null, context: null },
    forumIds: forumId === null ? [] : [forumId],
    facts: [],
    more: 0,
    undescribed: true
  }
}

/** What the ACP filters by; text filters match a part of a name, case-insensitively. */
export interface AuditFilter {
  /** A username, Sunbird id or consumer (a part of one), or a uid. */
  actor?: string
  /** A forum id (exact), or a part of a forum's name. */
  forum?: string
  /** A part of `type:identifier`. */
  context?: string
  operation?: string
  /** `ok`, `refused` (any refusal), or one error code. */
  outcome?: string
  /** ms since the epoch, inclusive. */
  since?: number
  until?: number
}

const has = (text: string | null | undefined, needle: string): boolean => text !== null && text !== undefined && text.toLowerCase().includes(needle)

export function outcomeMatches (outcome: string, wanted: string | undefined): boolean {
  if (wanted === undefined) return true
  if (wanted === 'refused') return isRefusal(outcome)
  return outcome === wanted
}

/** Whether an entry passes a filter; names must be filled first for the text filters to see them. */
export function matches (entry: AuditEntry, filter: AuditFilter): boolean {
  if (filter.operation !== undefined && entry.operation !== filter.operation) return false
  if (!outcomeMatches(entry.outcome, filter.outcome)) return false
  if (filter.since !== undefined && entry.at < filter.since) return false
  if (filter.until !== undefined && entry.at > filter.until) return false
  if (filter.actor !== undefined) {
    const q = filter.actor.trim().toLowerCase()
    const a = entry.actor
    const byUid = /^[0-9]+$/.test(q) && Number(q) === a.uid
    if (!byUid && !has(a.username, q) && !has(a.sunbirdId, q) && !has(a.consumer, q)) return false
  }
  if (filter.forum !== undefined) {
    const q = filter.forum.trim().toLowerCase()
    const byId = entry.forumIds.includes(q) || entry.forum?.id === q
    if (!byId && !has(entry.forum?.name, q) && !forumNames(entry).some((name) => has(name, q))) return false
  }
  if (filter.context !== undefined) {
    const q = filter.context.trim().toLowerCase()
    const c = entry.forum?.context
    if (c === null || c === undefined || !has(`${c.type}:${c.identifier}`, q)) return false
  }
  return true
}

/** The names of every forum an entry's facts name (a change to a sub-forum is found by its name too). */
function forumNames (entry: AuditEntry): string[] {
  return entry.facts.flatMap((f) => {
    switch (f.type) {
      case 'level': return [f.on.forum.name ?? '']
      case 'created': case 'deleted': case 'renamed': return [f.forum.name ?? '', ...(f.type === 'renamed' ? [f.from, f.to] : [])]
      case 'children': return [f.parent.name ?? '', ...f.children.names]
      case 'notified': return [f.forum?.name ?? '']
      default: return []
    }
  })
}

/** Whether a filter needs names that refused entries only get when read. */
export function needsNames (filter: AuditFilter): boolean {
  return filter.actor !== undefined || filter.forum !== undefined || filter.context !== undefined
}
