import { ApiError } from '../../shared/errors'
import { isLevel, type Level } from '../../shared/permission-ladder'
import type { Context } from '../../shared/schemas/common'
import type { Forum } from '../../shared/schemas/forum'
import type { Platform } from '../platform'
import { keys, type Store } from '../store'
import { withLock } from '../lock'
import { forumDrift, type MemberDrift } from './drift'
import { parseMemberKey, type RecordedMember } from './member-key'
import { planUpdate, type Plan } from './plan'
import type { ExecuteResult } from './execute'
import type { ForumService } from './service'
import { readForumTrees, requireLiveForum, toForumState } from './tree'
import { describePlan } from './plan-changes'
import { noteTrail } from '../audit-trail'

export interface DriftReport {
  forums: Array<{ identifier: string, name: string, context: Context, members: MemberDrift[] }>
  count: number
}

function validLevels (raw: Record<string, string> | null): Record<string, Level> {
  return Object.fromEntries(Object.entries(raw ?? {}).filter((e): e is [string, Level] => isLevel(e[1])))
}

const batch = 200

/**
 * Drift (a forum's NodeBB privileges no longer what the plugin recorded, e.g. after an edit in
 * NodeBB's privileges page) and its repair, through the same planner and executor as an update.
 */
export class ForumRepair {
  constructor (private readonly platform: Platform, private readonly store: Store, private readonly forums: ForumService, private readonly suffix: () => string) {}

  /** Forums whose NodeBB privileges differ from their recorded levels, a batch of forums per bulk read. */
  async driftReport (): Promise<DriftReport> {
    const all = (await this.platform.db.getSortedSetRange(keys.forums, 0, -1)).map(Number)
    const forums: DriftReport['forums'] = []
    for (let i = 0; i < all.length; i += batch) {
      const cids = all.slice(i, i + batch)
      const [holders, levels, records, names] = await Promise.all([
        this.platform.getPrivilegeHolders(cids),
        this.platform.db.getObjects(cids.map(keys.levels)),
        this.store.getForumMap(cids),
        this.platform.getCategoryNames(cids)
      ])
      cids.forEach((cid, j) => {
        const record = records.get(cid)
        const name = names.get(cid)
        const held = holders.get(cid)
        if (record === undefined || name === undefined || held === undefined) return
        const members = forumDrift(validLevels(levels[j] ?? null), held)
        if (members.length > 0) forums.push({ identifier: String(cid), name, context: record.context, members })
      })
    }
    return { forums, count: forums.length }
  }

  /** Puts a forum's NodeBB privileges back to its recorded levels. */
  async repair (forumId: string, actor: number): Promise<{ identifier: string, repaired: number, forum: Forum }> {
    const cid = Number(forumId)
    await requireLiveForum(this.platform, this.store, cid)
    // today only administrators and the master token reach this route; the check keeps it so
    await this.forums.access.requireModerator(cid, actor, 'Repairing a forum')
    return withLock(this.platform.db, `forum:${cid}`, { now: this.platform.now }, async () => {
      const [node] = await readForumTrees(this.platform, this.store, [cid])
      if (node === undefined) throw new ApiError('FORUM_NOT_FOUND', `No Sunbird forum ${forumId}`)
      const drift = forumDrift(await this.store.getAllLevels(cid), node.holders)
      const before = toForumState(node)
      let restore: Plan = { ops: [], grants: 0 }
      let executed: Pick<ExecuteResult, 'cids'> = { cids: new Map() }
      if (drift.length > 0) {
        const plan = planUpdate({
          forum: before,
          context: node.record.context,
          isPublic: node.record.isPublic,
          actor,
          groups: [],
          privileges: drift.map((d) => {
            // forumDrift only reports keys that parse
            const member = parseMemberKey(d.key) as RecordedMember
            return { level: d.recorded, applyToChildren: false, uids: 'uid' in member ? [member.uid] : [], groupNames: 'groupName' in member ? [member.groupName] : [] }
          }),
          children: [],
          inherited: []
        }, { suffix: this.suffix })
        // a repair restores levels; it does not change what children inherit
        restore = { ...plan, ops: plan.ops.filter((op) => op.op !== 'recordInherit') }
        executed = await this.forums.run(restore, actor)
      }
      const trail = describePlan({ plan: restore, before, context: node.record.context, parent: node.record.parent, executed, repair: true })
      return noteTrail({ identifier: forumId, repaired: drift.length, forum: await this.forums.readOne(cid) }, trail)
    })
  }
}
