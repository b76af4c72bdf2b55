import { randomBytes } from 'node:crypto'
import { ApiError } from '../../shared/errors'
import type { Context } from '../../shared/schemas/common'
import {
  limits, type Forum, type ForumCreateRequest, type ForumDeleteResult, type ForumFetchResult, type ForumReadResult,
  type ForumResult, type ForumUpdateRequest
} from '../../shared/schemas/forum'
import { checkRequestCost, requestCost } from '../../shared/request-cost'
import type { Platform } from '../platform'
import type { Store } from '../store'
import { withLock } from '../lock'
import { UserDirectory } from '../user-directory'
import { ForumAccess } from './access'
import { executePlan, PlanFailedError, type ExecuteResult } from './execute'
import type { Journal } from '../idempotency/run'
import { collectReferences, groupSpec, newForumSpec, privilegeSpec, trimName } from './normalize'
import { planCreate, planDelete, planUpdate, type Plan } from './plan'
import { inheritedFrom, readForumTrees, requireLiveForum, rootOf, toForumState } from './tree'
import { ForumReader } from './reader'
import { doomed } from './doomed'
import { describeDelete, describePlan } from './plan-changes'
import { noteTrail } from '../audit-trail'

export interface ForumServiceOptions {
  suffix?: () => string
  log?: (msg: string, err?: unknown) => void
}

/** The grant limit over the plan the plugin will run (an update reaches existing descendants, which the request alone does not show). */
function checkPlanCost (forums: number, plan: Plan): void {
  checkRequestCost({ forums, grants: plan.grants }, limits.grantsPerRequest)
}

/**
 * Forum create, update, delete, read and fetch: checks, then a plan, then the executor (which
 * undoes every write of a failed plan). Changes to one forum tree are serialised by a lock in
 * NodeBB's database, so they hold across NodeBB processes.
 */
export class ForumService {
  private readonly suffix: () => string
  private readonly directory: UserDirectory
  readonly access: ForumAccess
  private readonly reader: ForumReader

  constructor (private readonly platform: Platform, private readonly store: Store, private readonly options: ForumServiceOptions = {}) {
    this.suffix = options.suffix ?? (() => randomBytes(5).toString('hex'))
    this.directory = new UserDirectory(platform, store)
    this.access = new ForumAccess(platform, store)
    this.reader = new ForumReader(platform, store, this.directory, this.access)
  }

  /** Runs a plan; a failure was rolled back, and is answered with its own code or INTERNAL_ERROR. */
  async run (plan: Plan, actor: number, journal?: Journal): Promise<ExecuteResult> {
    try {
      return await executePlan(plan, { platform: this.platform, store: this.store, actor, log: this.options.log, journal })
    } catch (err) {
      if (err instanceof PlanFailedError) {
        this.options.log?.('[sunbird] a write failed; the request was rolled back', err.cause)
        if (err.cause instanceof ApiError) throw err.cause
        throw new ApiError('INTERNAL_ERROR', 'A write to NodeBB failed; nothing was changed')
      }
      throw err
    }
  }

  async create (request: ForumCreateRequest, actor: number, journal?: Journal): Promise<ForumResult> {
    const cost = requestCost(request, 'create')
    checkRequestCost(cost, limits.grantsPerRequest)
    const parent = request.parent === undefined ? null : await requireLiveForum(this.platform, this.store, Number(request.parent), 'PARENT_NOT_FOUND')
    const settings = await this.platform.getSettings()
    const isPublic = request.public ?? parent?.isPublic ?? settings.defaultPublic
    if (parent !== null) {
      await this.access.requireModerator(parent.cid, actor, 'Creating a forum under a parent')
      await this.access.checkChild(parent, request.context, isPublic, actor)
    }
    const refs = collectReferences(request)
    const uidOf = await this.directory.require([...refs.sunbirdIds])
    await this.access.checkGroups([...refs.groupNames], parent === null ? null : await rootOf(this.store, parent))
    const plan = planCreate({
      forum: newForumSpec({ ...request, children: request.children ?? [] }, uidOf),
      context: request.context,
      parentCid: parent?.cid ?? null,
      isPublic,
      creator: actor,
      inherited: parent === null ? [] : await inheritedFrom(this.store, parent)
    }, { suffix: this.suffix })
    checkPlanCost(cost.forums, plan)
    const executed = await this.run(plan, actor, journal)
    const cid = executed.cids.get(plan.rootRef as string) as number
    const answer = { identifier: String(cid), forum: await this.readOne(cid) }
    return noteTrail(answer, describePlan({ plan, before: null, context: request.context, parent: parent?.cid ?? null, executed }))
  }

  async update (forumId: string, request: ForumUpdateRequest, actor: number, journal?: Journal): Promise<ForumResult> {
    const cid = Number(forumId)
    const cost = requestCost(request, 'update')
    checkRequestCost(cost, limits.grantsPerRequest)
    const record = await requireLiveForum(this.platform, this.store, cid)
    await this.access.requireModerator(cid, actor, 'Updating a forum')
    return withLock(this.platform.db, `forum:${cid}`, { now: this.platform.now }, async () => {
      const [node] = await readForumTrees(this.platform, this.store, [cid])
      if (node === undefined) throw new ApiError('FORUM_NOT_FOUND', `No Sunbird forum ${forumId}`)
      const own = new Set(node.autoGroups.map((g) => g.name))
      const unknownGroups = (request.groups ?? []).flatMap((g) => g.identifier !== undefined && !own.has(g.identifier) ? [g.identifier] : [])
      if (unknownGroups.length > 0) throw new ApiError('GROUP_NOT_FOUND', `Not a group of forum ${forumId}: ${unknownGroups.join(', ')}`, { groups: unknownGroups })
      const refs = collectReferences(request)
      const uidOf = await this.directory.require([...refs.sunbirdIds])
      await this.access.checkGroups([...refs.groupNames], await rootOf(this.store, record))
      const before = toForumState(node)
      const plan = planUpdate({
        forum: before,
        context: node.record.context,
        isPublic: node.record.isPublic,
        actor,
        ...(request.name === undefined ? {} : { name: trimName(request.name) }),
        groups: (request.groups ?? []).map((g) => groupSpec(g, uidOf, g.identifier === undefined)),
        privileges: (request.privileges ?? []).map((p) => privilegeSpec(p, uidOf)),
        children: (request.children ?? []).map((c) => newForumSpec(c, uidOf)),
        inherited: (request.children ?? []).length === 0 ? [] : await inheritedFrom(this.store, record)
      }, { suffix: this.suffix })
      checkPlanCost(cost.forums, plan)
      const executed = await this.run(plan, actor, journal)
      const answer = { identifier: forumId, forum: await this.readOne(cid) }
      return noteTrail(answer, describePlan({ plan, before, context: node.record.context, parent: node.record.parent, executed }))
    })
  }

  read (forumId: string, actor: number): Promise<ForumReadResult> { return this.reader.read(forumId, actor) }
  fetch (context: Context, actor: number): Promise<ForumFetchResult> { return this.reader.fetch(context, actor) }
  readOne (cid: number): Promise<Forum> { return this.reader.readOne(cid) }

  async delete (forumId: string, actor: number): Promise<ForumDeleteResult> {
    const cid = Number(forumId)
    const record = await requireLiveForum(this.platform, this.store, cid)
    await this.access.requireModerator(cid, actor, 'Deleting a forum')
    return withLock(this.platform.db, `forum:${cid}`, { now: this.platform.now }, async () => {
      const [node] = await readForumTrees(this.platform, this.store, [cid])
      if (node === undefined) throw new ApiError('FORUM_NOT_FOUND', `No Sunbird forum ${forumId}`)
      // the groups may hold privileges anywhere in the tree: what undoing their destroy gives back
      const rootCid = await rootOf(this.store, record)
      const [root] = rootCid === cid ? [node] : await readForumTrees(this.platform, this.store, [rootCid])
      const result = await this.run(planDelete(doomed(node, root ?? node)), actor)
      const answer = { identifier: forumId, deleted: result.purged.map(String), groupsRemoved: result.groupsDestroyed }
      return noteTrail(answer, describeDelete(node, node.record.parent, answer))
    })
  }
}
