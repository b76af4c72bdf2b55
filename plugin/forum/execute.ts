import { toNodebbPrivileges } from '../../shared/permission-ladder'
import type { Platform, PrivilegeMember } from '../platform'
import type { Store } from '../store'
import type { DoomedGroup, ForumRef, GroupRef, Member, Op, Plan } from './plan'
import type { Journal } from '../idempotency/run'
import { memberKey } from './member-key'

export interface ExecuteContext {
  platform: Platform
  store: Store
  /** The uid the writes are made as (category purge on undo needs one). */
  actor: number
  log?: (msg: string, err?: unknown) => void
  /** Told of each category and group created, before the plan goes on (an exactly-once write's journal). */
  journal?: Journal | undefined
}

export interface ExecuteResult {
  /** Plan refs -> the cids NodeBB gave the new categories. */
  cids: Map<string, number>
  /** Auto groups created, by name. */
  groupsCreated: string[]
  /** Auto groups destroyed (delete), by name. */
  groupsDestroyed: string[]
  /** Categories purged (delete), in the order purged. */
  purged: number[]
  /** Number of NodeBB write operations made. */
  writes: number
}

/** A failure while applying a plan; the state was rolled back (undoFailures says what could not be). */
export class PlanFailedError extends Error {
  constructor (override readonly cause: unknown, readonly undoFailures: unknown[]) {
    super('plan failed and was rolled back')
  }
}

/**
 * Applies a plan op by op. Each op that wrote something pushes its inverse; if any op fails, the
 * inverses run newest first, so the state ends as it began, and the first error is rethrown.
 */
export async function executePlan (plan: Plan, ctx: ExecuteContext): Promise<ExecuteResult> {
  const { platform, store } = ctx
  const cids = new Map<string, number>()
  const groupsCreated: string[] = []
  const undo: Array<() => Promise<void>> = []

  const cidOf = (forum: ForumRef): number => {
    if ('cid' in forum) return forum.cid
    const cid = cids.get(forum.ref)
    if (cid === undefined) throw new Error(`plan refers to ${forum.ref} before creating it`)
    return cid
  }
  const groupName = (group: GroupRef): string => 'name' in group ? group.name : `${cidOf(group.forum)}-${group.suffix}`
  const recordedKey = (member: Member): string => memberKey('uid' in member ? { uid: member.uid } : { groupName: groupName(member.group) })
  const groupsDestroyed: string[] = []
  const purged: number[] = []

  /** Undo of destroyGroups: each group back, with its record, members and grants on the forums still there. */
  const restoreGroups = async (groups: DoomedGroup[]): Promise<void> => {
    const exists = await platform.groupsExist(groups.map((g) => g.name))
    const alive = new Set((await platform.getCategoryNames([...new Set(groups.flatMap((g) => [g.cid, ...g.grants.map((x) => x.cid)]))])).keys())
    for (const [i, g] of groups.entries()) {
      if (!alive.has(g.cid)) continue
      if (exists[i] !== true) {
        await platform.createGroup(g.name)
        if (g.members.length > 0) await platform.joinGroup(g.name, g.members)
        for (const grant of g.grants) {
          if (alive.has(grant.cid)) await platform.givePrivileges(grant.cid, toNodebbPrivileges(grant.privileges, 'group'), [g.name])
        }
      }
      await store.addGroup({ name: g.name, cid: g.cid, applyToChildren: g.applyToChildren }, platform.now())
    }
  }

  const members = (list: Member[]): { nodebb: PrivilegeMember[], kind: 'user' | 'group' } => {
    const first = list[0]
    const kind = first !== undefined && 'group' in first ? 'group' : 'user'
    return { kind, nodebb: list.map((m) => 'uid' in m ? m.uid : groupName(m.group)) }
  }

  const apply = async (op: Op): Promise<void> => {
    switch (op.op) {
      case 'createCategory': {
        const parentCid = op.parent === null ? 0 : cidOf(op.parent)
        const cid = await platform.createCategory({ name: op.name, description: op.description, parentCid, isPrivate: op.isPrivate })
        cids.set(op.ref, cid)
        undo.push(() => platform.purgeCategory(cid, ctx.actor))
        await ctx.journal?.({ kind: 'category', cid })
        return
      }
      case 'recordForum': {
        const now = platform.now()
        const record = { cid: cidOf(op.forum), context: op.context, parent: op.parent === null ? null : cidOf(op.parent), creator: op.creator, isPublic: op.isPublic, createdOn: now, updatedOn: now }
        // push the undo first: a half-written record is removed as well
        undo.push(() => store.removeForum(record))
        await store.addForum(record, op.indexInContext)
        return
      }
      case 'createGroup': {
        const name = groupName(op.group)
        await platform.createGroup(name)
        undo.push(() => platform.destroyGroups([name]))
        await ctx.journal?.({ kind: 'group', name })
        groupsCreated.push(name)
        const cid = cidOf(op.forum)
        undo.push(() => store.removeGroup(name, cid))
        await store.addGroup({ name, cid, applyToChildren: op.applyToChildren }, platform.now())
        return
      }
      case 'setGroupApplyToChildren': {
        const name = groupName(op.group)
        await store.setGroupApplyToChildren(name, op.applyToChildren)
        undo.push(() => store.setGroupApplyToChildren(name, op.previous))
        return
      }
      case 'joinGroup':
      case 'leaveGroup': {
        const name = groupName(op.group)
        const [forward, backward] = op.op === 'joinGroup'
          ? [platform.joinGroup, platform.leaveGroup]
          : [platform.leaveGroup, platform.joinGroup]
        // undo first: a join that fails halfway is taken back too (the plan only names non-members)
        undo.push(() => backward.call(platform, name, op.uids))
        await forward.call(platform, name, op.uids)
        return
      }
      case 'give':
      case 'rescind': {
        const cid = cidOf(op.forum)
        const { kind, nodebb } = members(op.members)
        const privileges = toNodebbPrivileges(op.privileges, kind)
        const [forward, backward] = op.op === 'give'
          ? [platform.givePrivileges, platform.rescindPrivileges]
          : [platform.rescindPrivileges, platform.givePrivileges]
        // NodeBB applies member by member: undo covers a partial apply too (giving what is held is a no-op)
        undo.push(() => backward.call(platform, cid, privileges, nodebb))
        await forward.call(platform, cid, privileges, nodebb)
        return
      }
      case 'rename': {
        const cid = cidOf(op.forum)
        undo.push(() => platform.renameCategory(cid, op.previous))
        await platform.renameCategory(cid, op.name)
        return
      }
      case 'recordLevels': {
        const cid = cidOf(op.forum)
        const levels = op.levels.map(({ member, level }) => ({ key: recordedKey(member), level }))
        const previous = await store.getLevels(cid, levels.map((l) => l.key))
        undo.push(() => store.setLevels(cid, levels.map(({ key }) => ({ key, level: previous[key] ?? null }))))
        await store.setLevels(cid, levels)
        return
      }
      case 'recordInherit': {
        const cid = cidOf(op.forum)
        const entries = op.entries.map(({ member, value }) => ({ key: recordedKey(member), value }))
        const previous = await store.getInheritFields(cid, entries.map((e) => e.key))
        undo.push(() => store.setInherits(cid, entries.map(({ key }) => ({ key, value: previous[key] ?? null }))))
        await store.setInherits(cid, entries)
        return
      }
      case 'destroyGroups': {
        const names = op.groups.map((g) => g.name)
        // undo first: a destroy that fails halfway is taken back too (recreating skips groups that still exist)
        undo.push(() => restoreGroups(op.groups))
        await platform.destroyGroups(names)
        for (const g of op.groups) await store.removeGroup(g.name, g.cid)
        groupsDestroyed.push(...names)
        return
      }
      case 'purgeCategory':
        // no undo: a purged category (its topics and posts) cannot be brought back; plans purge last
        await platform.purgeCategory(op.record.cid, ctx.actor)
        // NodeBB's category delete hook removes the record too (cleanup.ts); this covers a NodeBB that did not fire it
        await store.removeForum(op.record)
        purged.push(op.record.cid)
        return
      case 'touchForum':
        await store.touchForum(cidOf(op.forum), platform.now())
    }
  }

  let writes = 0
  for (const op of plan.ops) {
    try {
      await apply(op)
      writes++
    } catch (err) {
      const undoFailures: unknown[] = []
      for (const step of undo.reverse()) {
        try {
          await step()
        } catch (undoErr) {
          undoFailures.push(undoErr)
          ctx.log?.('[sunbird] undo step failed', undoErr)
        }
      }
      throw new PlanFailedError(err, undoFailures)
    }
  }
  return { cids, groupsCreated, groupsDestroyed, purged, writes }
}
