import { randomBytes } from 'node:crypto'
import { ApiError } from '../../shared/errors'
import { isLevel, parsePermissions, type Level } from '../../shared/permission-ladder'
import { toBoolean, type Context } from '../../shared/schemas/common'
import {
  limits, type Forum, type ForumChildInput, type ForumCreateRequest, type ForumDeleteResult, type ForumFetchResult,
  type ForumResult, type ForumUpdateRequest, type GroupInput, type GroupUpdateInput, type PrivilegeInput
} from '../../shared/schemas/forum'
import type { Platform } from '../platform'
import { keys, type Store } from '../store'
import { withLock } from '../lock'
import { executePlan, PlanFailedError } from './execute'
import { planCreate, planUpdate, type GroupSpec, type NewForumSpec, type Plan, type PrivilegeSpec } from './plan'
import { collectCids, readForumTrees, readHolders, toForumState, type ForumNode, type PrivilegeHolders } from './state'
import { forumDrift, type MemberDrift } from './drift'
import { parseMemberKey, type RecordedMember } from './member-key'
import { forumView, viewLookups } from './view'

export interface DriftReport {
  forums: Array<{ identifier: string, name: string, context: Context, members: MemberDrift[] }>
  count: number
}

function validLevels (raw: Record<string, string> | null): Record<string, Level> {
  return Object.fromEntries(Object.entries(raw ?? {}).filter((e): e is [string, Level] => isLevel(e[1])))
}

export interface ForumServiceOptions {
  suffix?: () => string
  log?: (msg: string, err?: unknown) => void
}

/** Every Sunbird id and group name a request names, to check before the first write. */
interface References {
  sunbirdIds: Set<string>
  groupNames: Set<string>
}

type AnyGroupInput = GroupInput | GroupUpdateInput

function collectReferences (groups: AnyGroupInput[] | undefined, privileges: PrivilegeInput[] | undefined, children: ForumChildInput[] | undefined, refs: References, depth: number): number {
  if (depth > limits.depth) throw new ApiError('INVALID_REQUEST', `children nest deeper than ${limits.depth} levels`)
  let forums = 0
  for (const g of groups ?? []) for (const id of g.members ?? []) refs.sunbirdIds.add(id)
  for (const p of privileges ?? []) {
    for (const id of p.users ?? []) refs.sunbirdIds.add(id)
    for (const name of p.groups ?? []) refs.groupNames.add(name)
  }
  for (const child of children ?? []) {
    forums += 1 + collectReferences(child.groups, child.privileges, child.children, refs, depth + 1)
  }
  return forums
}

function trimName (name: string): string {
  return name.trim()
}

export class ForumService {
  private readonly suffix: () => string

  constructor (private readonly platform: Platform, private readonly store: Store, private readonly options: ForumServiceOptions = {}) {
    this.suffix = options.suffix ?? (() => randomBytes(5).toString('hex'))
  }

  // ---- validation: every reference resolved before the first write

  private async resolveReferences (refs: References): Promise<{ uidOf: Map<string, number> }> {
    const ids = [...refs.sunbirdIds]
    const uids = await this.store.uidsOf(ids)
    const exists = await this.platform.usersExist(uids.map((uid) => uid ?? 0))
    const missing = ids.filter((_id, i) => uids[i] === null || exists[i] !== true)
    if (missing.length > 0) throw new ApiError('USER_NOT_FOUND', `Unknown Sunbird user ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', ...' : ''}`, { users: missing })
    const names = [...refs.groupNames]
    const protectedNames = names.filter((name) => this.platform.isProtectedGroup(name))
    if (protectedNames.length > 0) throw new ApiError('FORBIDDEN', `System groups cannot be given forum access: ${protectedNames.join(', ')}`, { groups: protectedNames })
    const groupExists = await this.platform.groupsExist(names)
    const unknownGroups = names.filter((_n, i) => groupExists[i] !== true)
    if (unknownGroups.length > 0) throw new ApiError('GROUP_NOT_FOUND', `Unknown group ${unknownGroups.join(', ')}`, { groups: unknownGroups })
    return { uidOf: new Map(ids.map((id, i) => [id, uids[i] as number])) }
  }

  private groupSpec (g: AnyGroupInput, uidOf: Map<string, number>, isNew: boolean): GroupSpec {
    const level = g.permissions === undefined ? undefined : parsePermissions(g.permissions)
    if (isNew && g.permissions === undefined) throw new ApiError('INVALID_REQUEST', 'a new group needs permissions')
    return {
      ...('identifier' in g && g.identifier !== undefined ? { name: g.identifier } : {}),
      ...(level === undefined ? {} : { level }),
      applyToChildren: toBoolean(g.applyToChildren),
      ...(g.members === undefined ? {} : { memberUids: g.members.map((id) => uidOf.get(id) as number) })
    }
  }

  private privilegeSpec (p: PrivilegeInput, uidOf: Map<string, number>): PrivilegeSpec {
    return {
      level: parsePermissions(p.permissions),
      applyToChildren: toBoolean(p.applyToChildren),
      uids: (p.users ?? []).map((id) => uidOf.get(id) as number),
      groupNames: p.groups ?? []
    }
  }

  private newForumSpec (input: ForumChildInput, uidOf: Map<string, number>): NewForumSpec {
    return {
      name: trimName(input.name),
      description: input.description ?? '',
      groups: (input.groups ?? []).map((g) => this.groupSpec(g, uidOf, true)),
      privileges: (input.privileges ?? []).map((p) => this.privilegeSpec(p, uidOf)),
      children: (input.children ?? []).map((c) => this.newForumSpec(c, uidOf))
    }
  }

  private async run (plan: Plan, actor: number): Promise<Map<string, number>> {
    try {
      return (await executePlan(plan, { platform: this.platform, store: this.store, actor, log: this.options.log })).cids
    } catch (err) {
      if (err instanceof PlanFailedError) {
        this.options.log?.('[sunbird] a write failed; the request was rolled back', err.cause)
        if (err.cause instanceof ApiError) throw err.cause
        throw new ApiError('INTERNAL_ERROR', 'A write to NodeBB failed; nothing was changed')
      }
      throw err
    }
  }

  // ---- operations

  async create (request: ForumCreateRequest, actor: number): Promise<ForumResult> {
    const refs: References = { sunbirdIds: new Set(), groupNames: new Set() }
    const forums = 1 + collectReferences(request.groups, request.privileges, request.children, refs, 1)
    if (forums > limits.forumsPerRequest) throw new ApiError('INVALID_REQUEST', `one request may create at most ${limits.forumsPerRequest} forums`)
    if (request.parent !== undefined) {
      const parentCid = Number(request.parent)
      const [record] = await this.store.getForums([parentCid])
      const [name] = await this.platform.getCategoryNames([parentCid])
      if (record === null || record === undefined || name === null || name === undefined) throw new ApiError('PARENT_NOT_FOUND', `No Sunbird forum ${request.parent}`)
      if (!await this.platform.isAdminOrMod(parentCid, actor)) throw new ApiError('FORBIDDEN', 'Creating a forum under a parent needs moderate on the parent')
    }
    const { uidOf } = await this.resolveReferences(refs)
    const spec = this.newForumSpec({ ...request, children: request.children ?? [] }, uidOf)
    const plan = planCreate({
      forum: spec,
      context: request.context,
      parentCid: request.parent === undefined ? null : Number(request.parent),
      isPublic: request.public ?? (await this.platform.getSettings()).defaultPublic,
      creator: actor
    }, { suffix: this.suffix })
    const cids = await this.run(plan, actor)
    const cid = cids.get(plan.rootRef as string) as number
    return { identifier: String(cid), forum: await this.readOne(cid) }
  }

  async update (forumId: string, request: ForumUpdateRequest, actor: number): Promise<ForumResult> {
    const cid = Number(forumId)
    await this.requireForum(cid)
    if (!await this.platform.isAdminOrMod(cid, actor)) throw new ApiError('FORBIDDEN', 'Updating a forum needs moderate on it')
    const refs: References = { sunbirdIds: new Set(), groupNames: new Set() }
    const forums = collectReferences(request.groups, request.privileges, request.children, refs, 1)
    if (forums > limits.forumsPerRequest) throw new ApiError('INVALID_REQUEST', `one request may create at most ${limits.forumsPerRequest} forums`)
    return withLock(this.platform.db, `forum:${cid}`, async () => {
      const [node] = await readForumTrees(this.platform, this.store, [cid])
      if (node === undefined) throw new ApiError('FORUM_NOT_FOUND', `No Sunbird forum ${forumId}`)
      const own = new Set(node.autoGroups.map((g) => g.name))
      const unknownGroups = (request.groups ?? []).flatMap((g) => g.identifier !== undefined && !own.has(g.identifier) ? [g.identifier] : [])
      if (unknownGroups.length > 0) throw new ApiError('GROUP_NOT_FOUND', `Not a group of forum ${forumId}: ${unknownGroups.join(', ')}`, { groups: unknownGroups })
      const { uidOf } = await this.resolveReferences(refs)
      const plan = planUpdate({
        forum: toForumState(node),
        context: node.record.context,
        isPublic: node.record.isPublic,
        actor,
        ...(request.name === undefined ? {} : { name: trimName(request.name) }),
        groups: (request.groups ?? []).map((g) => this.groupSpec(g, uidOf, g.identifier === undefined)),
        privileges: (request.privileges ?? []).map((p) => this.privilegeSpec(p, uidOf)),
        children: (request.children ?? []).map((c) => this.newForumSpec(c, uidOf))
      }, { suffix: this.suffix })
      await this.run(plan, actor)
      return { identifier: forumId, forum: await this.readOne(cid) }
    })
  }

  async read (forumId: string): Promise<ForumResult> {
    return { identifier: forumId, forum: await this.readOne(Number(forumId)) }
  }

  async fetch (context: Context): Promise<ForumFetchResult> {
    const cids = await this.store.contextForums(context)
    const trees = await readForumTrees(this.platform, this.store, cids)
    // a forum created under a parent of the same context shows once, nested under its parent
    const nested = new Set(trees.flatMap((t) => collectCids(t).slice(1)))
    const roots = trees.filter((t) => !nested.has(t.record.cid))
    const forums = await this.views(roots)
    return { forums, count: forums.length }
  }

  async delete (forumId: string, actor: number): Promise<ForumDeleteResult> {
    const cid = Number(forumId)
    await this.requireForum(cid)
    if (!await this.platform.isAdminOrMod(cid, actor)) throw new ApiError('FORBIDDEN', 'Deleting a forum needs moderate on it')
    return withLock(this.platform.db, `forum:${cid}`, async () => {
      const [node] = await readForumTrees(this.platform, this.store, [cid])
      if (node === undefined) throw new ApiError('FORUM_NOT_FOUND', `No Sunbird forum ${forumId}`)
      const deleted: string[] = []
      const groupsRemoved: string[] = []
      // deepest first, records last: a retry after a failure finds what is left and finishes it
      const purge = async (n: ForumNode): Promise<void> => {
        for (const child of n.children) await purge(child)
        for (const g of n.autoGroups) {
          await this.platform.destroyGroup(g.name)
          await this.store.removeGroup(g.name, n.record.cid)
          groupsRemoved.push(g.name)
        }
        await this.platform.purgeCategory(n.record.cid, actor)
        await this.store.removeForum(n.record)
        deleted.push(String(n.record.cid))
      }
      await purge(node)
      return { identifier: forumId, deleted, groupsRemoved }
    })
  }

  // ---- drift and repair

  /** Forums whose NodeBB privileges differ from their recorded levels, a batch of forums per bulk read. */
  async driftReport (): Promise<DriftReport> {
    const all = (await this.platform.db.getSortedSetRange(keys.forums, 0, -1)).map(Number)
    const forums: DriftReport['forums'] = []
    for (let i = 0; i < all.length; i += 200) {
      const cids = all.slice(i, i + 200)
      const [holders, levels, records, names] = await Promise.all([
        readHolders(this.platform, cids),
        this.platform.db.getObjects(cids.map(keys.levels)),
        this.store.getForums(cids),
        this.platform.getCategoryNames(cids)
      ])
      cids.forEach((cid, j) => {
        const record = records[j]
        const name = names[j]
        if (record === null || record === undefined || name === null || name === undefined) return
        const members = forumDrift(validLevels(levels[j] ?? null), holders[j] as PrivilegeHolders)
        if (members.length > 0) forums.push({ identifier: String(cid), name, context: record.context, members })
      })
    }
    return { forums, count: forums.length }
  }

  /** Puts a forum's NodeBB privileges back to its recorded levels, through the same planner and executor. */
  async repair (forumId: string, actor: number): Promise<{ identifier: string, repaired: number, forum: Forum }> {
    const cid = Number(forumId)
    await this.requireForum(cid)
    // today only administrators and the master token reach this route; the check keeps it so
    if (!await this.platform.isAdminOrMod(cid, actor)) throw new ApiError('FORBIDDEN', 'Repairing a forum needs moderate on it')
    return withLock(this.platform.db, `forum:${cid}`, async () => {
      const [node] = await readForumTrees(this.platform, this.store, [cid])
      if (node === undefined) throw new ApiError('FORUM_NOT_FOUND', `No Sunbird forum ${forumId}`)
      const drift = forumDrift(await this.store.getAllLevels(cid), node.holders)
      if (drift.length > 0) {
        const plan = planUpdate({
          forum: toForumState(node),
          context: node.record.context,
          isPublic: node.record.isPublic,
          actor,
          groups: [],
          privileges: drift.map((d) => {
            // forumDrift only reports keys that parse
            const member = parseMemberKey(d.key) as RecordedMember
            return { level: d.recorded, applyToChildren: false, uids: 'uid' in member ? [member.uid] : [], groupNames: 'groupName' in member ? [member.groupName] : [] }
          }),
          children: []
        }, { suffix: this.suffix })
        await this.run(plan, actor)
      }
      return { identifier: forumId, repaired: drift.length, forum: await this.readOne(cid) }
    })
  }

  // ---- reads

  private async requireForum (cid: number): Promise<void> {
    const [record] = await this.store.getForums([cid])
    const [name] = await this.platform.getCategoryNames([cid])
    if (record === null || record === undefined || name === null || name === undefined) throw new ApiError('FORUM_NOT_FOUND', `No Sunbird forum ${cid}`)
  }

  private async readOne (cid: number): Promise<Forum> {
    const [node] = await readForumTrees(this.platform, this.store, [cid])
    if (node === undefined) throw new ApiError('FORUM_NOT_FOUND', `No Sunbird forum ${cid}`)
    const [view] = await this.views([node])
    return view as Forum
  }

  private async views (nodes: ForumNode[]): Promise<Forum[]> {
    const { uids, groups } = viewLookups(nodes)
    const uidList = [...uids]
    const groupList = [...groups]
    const [sunbirdIds, counts] = await Promise.all([
      this.store.sunbirdIdsOf(uidList),
      groupList.length === 0 ? [] : this.platform.db.sortedSetsCard(groupList.map((name) => `group:${name}:members`))
    ])
    const sunbirdIdByUid = new Map<number, string>()
    uidList.forEach((uid, i) => { const id = sunbirdIds[i]; if (id !== null && id !== undefined) sunbirdIdByUid.set(uid, id) })
    const memberCounts = new Map(groupList.map((name, i) => [name, counts[i] ?? 0]))
    return nodes.map((node) => forumView(node, { sunbirdIdByUid, memberCounts, url: (cid) => this.platform.categoryUrl(cid) }))
  }
}
