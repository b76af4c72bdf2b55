/**
 * How a forum's record keys a member's declared ladder level: `u:<uid>` for a user, `g:<group
 * name>` for a group. Written by the executor, read back by drift detection and repair.
 */
export type RecordedMember = { uid: number } | { groupName: string }

export function memberKey (member: RecordedMember): string {
  return 'uid' in member ? `u:${member.uid}` : `g:${member.groupName}`
}

/** The member a recorded key names; null for a key in neither form (never written by the plugin). */
export function parseMemberKey (key: string): RecordedMember | null {
  if (key.startsWith('u:')) {
    const uid = Number(key.slice(2))
    return Number.isSafeInteger(uid) && uid > 0 ? { uid } : null
  }
  if (key.startsWith('g:') && key.length > 2) return { groupName: key.slice(2) }
  return null
}
