import { ApiError } from './errors'

/**
 * The permission ladder: read < vote < post < topic < moderate. Each level includes all below it,
 * and maps onto NodeBB category privileges (DESIGN "Permissions").
 */
export const ladderLevels = ['read', 'vote', 'post', 'topic', 'moderate'] as const
export type Level = typeof ladderLevels[number]

/** The privileges each level adds on top of the one below. */
export const levelOwnPrivileges: Readonly<Record<Level, readonly string[]>> = {
  read: ['find', 'read', 'topics:read'],
  vote: ['posts:upvote', 'posts:downvote'],
  post: ['topics:reply', 'posts:edit', 'posts:delete'],
  // NodeBB lets a member delete only their own topics, and its own defaults for registered users include it
  topic: ['topics:create', 'topics:tag', 'topics:delete'],
  moderate: ['posts:view_deleted', 'purge', 'moderate', 'posts:history']
}

/** Every privilege the ladder manages, in ladder order. */
export const ladderPrivileges: readonly string[] = ladderLevels.flatMap((level) => levelOwnPrivileges[level])

const ladderPrivilegeSet: ReadonlySet<string> = new Set(ladderPrivileges)

export type MemberKind = 'user' | 'group'

export function isLevel (value: unknown): value is Level {
  return typeof value === 'string' && (ladderLevels as readonly string[]).includes(value)
}

export function levelRank (level: Level): number {
  return ladderLevels.indexOf(level)
}

/**
 * A request's `permissions` list -> the level it sets (its highest member), or null to remove access.
 * Unknown names are refused, naming them, rather than dropped: NodeBB itself silently ignores
 * unknown privilege names, so a typo would otherwise grant less than asked without a word.
 */
export function parsePermissions (permissions: readonly unknown[] | null): Level | null {
  if (permissions === null) return null
  if (!Array.isArray(permissions) || permissions.length === 0) {
    throw new ApiError('INVALID_REQUEST', 'permissions must list at least one of ' + ladderLevels.join(', ') + ', or be null to remove access')
  }
  const unknown = permissions.filter((name) => !isLevel(name))
  if (unknown.length > 0) {
    throw new ApiError('INVALID_REQUEST', `Unknown permission ${unknown.map((name) => JSON.stringify(name)).join(', ')}; expected one of ${ladderLevels.join(', ')}`, { unknown })
  }
  let highest = 0
  for (const name of permissions as Level[]) highest = Math.max(highest, levelRank(name))
  return ladderLevels[highest] as Level
}

/** A level -> the levels it includes, lowest first (the form responses list). */
export function expandLevel (level: Level | null): Level[] {
  if (level === null) return []
  return ladderLevels.slice(0, levelRank(level) + 1)
}

/** A level -> every NodeBB privilege it grants (bare names, no `groups:` prefix). */
export function privilegesForLevel (level: Level | null): string[] {
  return expandLevel(level).flatMap((l) => levelOwnPrivileges[l])
}

/** Bare privilege names -> the names NodeBB expects for a user or for a group member. */
export function toNodebbPrivileges (privileges: readonly string[], kind: MemberKind): string[] {
  return kind === 'group' ? privileges.map((p) => 'groups:' + p) : [...privileges]
}

/** NodeBB privilege names (with or without `groups:`) -> bare names. */
export function fromNodebbPrivilege (privilege: string): string {
  return privilege.startsWith('groups:') ? privilege.slice('groups:'.length) : privilege
}

export interface PrivilegeDiff {
  give: string[]
  rescind: string[]
}

/**
 * What to give and rescind so that a member holding `current` holds exactly the ladder privileges
 * of `desired`. Privileges outside the ladder (e.g. `topics:schedule`) are left alone.
 */
export function diffPrivileges (current: Iterable<string>, desired: Level | null): PrivilegeDiff {
  const held = new Set<string>()
  for (const privilege of current) {
    const bare = fromNodebbPrivilege(privilege)
    if (ladderPrivilegeSet.has(bare)) held.add(bare)
  }
  const wanted = new Set(privilegesForLevel(desired))
  return {
    give: ladderPrivileges.filter((p) => wanted.has(p) && !held.has(p)),
    rescind: ladderPrivileges.filter((p) => held.has(p) && !wanted.has(p))
  }
}

export interface HeldLevel {
  /** The highest level whose privileges (and all below) are all held; null if not even `read`. */
  level: Level | null
  /** Ladder privileges held beyond that level: drift from a clean ladder. */
  extra: string[]
}

/** The reverse of expansion: NodeBB privileges held -> highest complete level plus drift. */
export function levelFromPrivileges (held: Iterable<string>): HeldLevel {
  const bare = new Set<string>()
  for (const privilege of held) bare.add(fromNodebbPrivilege(privilege))
  let level: Level | null = null
  for (const candidate of ladderLevels) {
    if (!levelOwnPrivileges[candidate].every((p) => bare.has(p))) break
    level = candidate
  }
  const granted = new Set(privilegesForLevel(level))
  return { level, extra: ladderPrivileges.filter((p) => bare.has(p) && !granted.has(p)) }
}
