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

/** Ops the executor sends to NodeBB in batches: a run of consecutive ops of one of these kinds is one step. */
const batched = new Set<Op['op']>(['createCategory', 'createGroup', 'joinGroup', 'leaveGroup', 'give', 'rescind'])

/**
 * The plan's ops in steps: a run of consecutive batchable ops of one kind is one step (a category
 * whose parent is made in the same run starts the next step), every other op a step of its own.
 */
function steps (ops: Op[]): Op[][] {
  const out: Op[][] = []
  let run: Op[] = []
  let made = new Set<string>()
  for (const op of ops) {
    const first = run[0]
    const joins = first !== undefined && batched.has(op.op) && first.op === op.op &&
      !(op.op === 'createCategory' && op.parent !== null && 'ref' in op.parent && made.has(op.parent.ref))
    if (!joins) {
      if (run.length > 0) out.push(run)
      run = []
      made = new Set()
    }
    run.push(op)
    if (op.op === 'createCategory') made.add(op.ref)
    if (!batched.has(op.op)) { out.push(run); run = [] }
  }
  if (run.length > 0) out.push(run)
  return out
}

/**
 * Applies a plan step by step (see steps()): runs of category creates, group creates, joins and
 * grants go to NodeBB as batches, concurrently where NodeBB allows. Each step that wrote something
 * pushes its inverse (a batch that may be half applied pushes it first); if any step fails, the
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
    for (const g of groups) {
      if (!alive.has(g.cid)) continue
      if (!exists.has(g.name)) {
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

  /** One op that is not batched. */
  const apply = async (op: Op): Promise<void> => {
    switch (op.op) {
      case 'unlinkContext': {
        await store.unlinkContext(op.record)
        undo.push(() => store.linkContext(op.record))
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
      case 'setGroupApplyToChildren': {
        const name = groupName(op.group)
        await store.setGroupApplyToChildren(name, op.applyToChildren)
        undo.push(() => store.setGroupApplyToChildren(name, op.previous))
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

  /** Settles every call, so none is still writing when undo starts; the values, or the first failure. */
  const settled = async <T>(calls: Array<Promise<T>>): Promise<{ values: T[], failure: { reason: unknown } | null }> => {
    const results = await Promise.allSettled(calls)
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    return { values: results.flatMap((r) => r.status === 'fulfilled' ? [r.value] : []), failure: failed === undefined ? null : { reason: failed.reason } }
  }

  const applyBatch = async (run: Op[]): Promise<void> => {
    const first = run[0] as Op
    switch (first.op) {
      case 'createCategory': {
        const creates = run as Array<Extract<Op, { op: 'createCategory' }>>
        // siblings side by side: NodeBB makes each category on its own
        const { values, failure } = await settled(creates.map(async (op) => {
          const cid = await platform.createCategory({ name: op.name, description: op.description, parentCid: op.parent === null ? 0 : cidOf(op.parent), isPrivate: op.isPrivate })
          cids.set(op.ref, cid)
          undo.push(() => platform.purgeCategory(cid, ctx.actor))
          return cid
        }))
        // the journal is the plugin's own db: written after NodeBB's calls settle, one by one
        for (const cid of values) await ctx.journal?.({ kind: 'category', cid })
        if (failure !== null) throw failure.reason
        return
      }
      case 'createGroup': {
        const creates = run as Array<Extract<Op, { op: 'createGroup' }>>
        const names = creates.map((op) => groupName(op.group))
        const { failure } = await settled(names.map(async (name) => {
          await platform.createGroup(name)
          undo.push(() => platform.destroyGroups([name]))
          groupsCreated.push(name)
        }))
        for (const name of names) if (groupsCreated.includes(name)) await ctx.journal?.({ kind: 'group', name })
        if (failure !== null) throw failure.reason
        for (const op of creates) {
          const name = groupName(op.group)
          const cid = cidOf(op.forum)
          undo.push(() => store.removeGroup(name, cid))
          await store.addGroup({ name, cid, applyToChildren: op.applyToChildren }, platform.now())
        }
        return
      }
      case 'joinGroup':
      case 'leaveGroup': {
        const memberships = (run as Array<Extract<Op, { op: 'joinGroup' | 'leaveGroup' }>>).map((op) => ({ name: groupName(op.group), uids: op.uids }))
        const [forward, backward] = first.op === 'joinGroup' ? [platform.joinGroups, platform.leaveGroups] : [platform.leaveGroups, platform.joinGroups]
        // undo first: a batch that fails halfway is taken back too (the plan only names non-members, or members)
        undo.push(() => backward.call(platform, memberships))
        await forward.call(platform, memberships)
        return
      }
      case 'give':
      case 'rescind': {
        const grants = (run as Array<Extract<Op, { op: 'give' | 'rescind' }>>).map((op) => {
          const { kind, nodebb } = members(op.members)
          return { cid: cidOf(op.forum), privileges: toNodebbPrivileges(op.privileges, kind), members: nodebb }
        })
        const [forward, backward] = first.op === 'give' ? [platform.givePrivilegesMany, platform.rescindPrivilegesMany] : [platform.rescindPrivilegesMany, platform.givePrivilegesMany]
        // undo first: a batch applied in part is taken back too (giving what is held, or taking what is not, changes nothing)
        undo.push(() => backward.call(platform, grants))
        await forward.call(platform, grants)
        return
      }
      default:
        throw new Error(`${first.op} is not a batched op`)
    }
  }

  let writes = 0
  for (const run of steps(plan.ops)) {
    try {
      if (batched.has((run[0] as Op).op)) await applyBatch(run)
      else await apply(run[0] as Op)
      writes += run.length
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
