import { levelFromPrivileges, privilegesForLevel, ladderPrivileges, expandLevel, type Level } from '../../shared/permission-ladder'
import type { PrivilegeHolders } from '../platform'
import { parseMemberKey } from './member-key'

/** One member whose NodeBB privileges differ from the level the plugin recorded for it. */
export interface MemberDrift {
  /** The recorded key (`u:<uid>` or `g:<group name>`, see member-key.ts). */
  key: string
  recorded: Level
  /** What the member holds now, read the ladder way. */
  actual: { permissions: Level[], extra: string[] }
  /** Privileges the recorded level gives that NodeBB no longer has. */
  missing: string[]
  /** Ladder privileges NodeBB has beyond the recorded level. */
  extra: string[]
}

/**
 * Drift of one forum: recorded levels against the privileges NodeBB holds (e.g. after an edit in
 * NodeBB's own privileges page). Members nobody recorded are not drift: they are NodeBB's own.
 */
export function forumDrift (recorded: Record<string, Level>, holders: PrivilegeHolders): MemberDrift[] {
  const out: MemberDrift[] = []
  for (const [key, level] of Object.entries(recorded)) {
    const member = parseMemberKey(key)
    if (member === null) continue
    const held = 'uid' in member ? holders.users.get(member.uid) : holders.groups.get(member.groupName)
    const has = new Set([...(held ?? [])].filter((p) => ladderPrivileges.includes(p)))
    const expected = new Set(privilegesForLevel(level))
    const missing = [...expected].filter((p) => !has.has(p))
    const extra = [...has].filter((p) => !expected.has(p))
    if (missing.length === 0 && extra.length === 0) continue
    const actual = levelFromPrivileges(has)
    out.push({ key, recorded: level, actual: { permissions: expandLevel(actual.level), extra: actual.extra }, missing, extra })
  }
  return out.sort((a, b) => a.key.localeCompare(b.key))
}
