import type { Platform } from '../platform'
import type { Store } from '../store'
import type { ForumFacts } from '../audit-trail'
import { UserDirectory } from '../user-directory'
import type { AuditEntry } from './audit-entry'
import type { UserLabel } from './audit-summary'

/**
 * Names for the audit log, in bulk reads: users by uid (NodeBB username, Sunbird id) and forums by
 * cid (name as stored, context). Changes are named when logged, so they keep the names of the
 * time; refusals are named when read, so a flood of them costs no reads at all.
 */
export class AuditNames {
  private readonly directory: UserDirectory

  constructor (private readonly platform: Platform, private readonly store: Store) {
    this.directory = new UserDirectory(platform, store)
  }

  async users (uids: number[]): Promise<Map<number, UserLabel>> {
    const list = [...new Set(uids.filter((uid) => uid > 0))]
    if (list.length === 0) return new Map()
    const [users, ids] = await Promise.all([this.platform.getUsers(list), this.directory.sunbirdIdsOf(list)])
    return new Map(list.map((uid, i) => [uid, { username: users[i]?.username ?? null, sunbirdId: ids.get(uid) ?? null }]))
  }

  /** Forums that still exist (a deleted one is named only by what its own entry kept). */
  async forums (cids: number[]): Promise<Map<number, ForumFacts>> {
    const list = [...new Set(cids.filter((cid) => Number.isSafeInteger(cid) && cid > 0))]
    if (list.length === 0) return new Map()
    const [names, records] = await Promise.all([this.platform.getCategoryNames(list), this.store.getForumMap(list)])
    const out = new Map<number, ForumFacts>()
    for (const cid of list) {
      const name = names.get(cid)
      const record = records.get(cid)
      if (name !== undefined && record !== undefined) out.set(cid, { name, context: record.context, parent: record.parent })
    }
    return out
  }

  /** Names the entries logged without names, in place. */
  async fill (entries: AuditEntry[]): Promise<void> {
    const unnamed = (e: AuditEntry): boolean => e.actor.username === null && !e.actor.service
    const uids = entries.filter(unnamed).map((e) => e.actor.uid)
    const cids = entries.flatMap((e) => e.forum !== null && e.forum.name === null ? [Number(e.forum.id)] : [])
    if (uids.length === 0 && cids.length === 0) return
    const [users, forums] = await Promise.all([this.users(uids), this.forums(cids)])
    for (const entry of entries) {
      const user = unnamed(entry) ? users.get(entry.actor.uid) : undefined
      if (user !== undefined) entry.actor = { ...entry.actor, username: user.username, sunbirdId: user.sunbirdId ?? entry.actor.sunbirdId }
      const forum = entry.forum !== null && entry.forum.name === null ? forums.get(Number(entry.forum.id)) : undefined
      if (forum !== undefined && entry.forum !== null) entry.forum = { ...entry.forum, name: forum.name, context: forum.context }
    }
  }
}
