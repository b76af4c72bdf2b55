import { ApiError } from '../../shared/errors'
import type { LegacyForumCreatePlugin, LegacyForumRemovePlugin } from '../../shared/schemas/legacy'
import type { Platform } from '../platform'
import type { Store, ForumRecord } from '../store'
import type { Journal } from '../idempotency/run'
import { withLock } from '../lock'
import { trimName } from './normalize'
import { planCreate, planUnlink } from './plan'
import type { ForumService } from './service'
import { liveForum } from './tree'

export interface LegacyCreateResult {
  /** The forum made. */
  cid: number
  /** Every forum of the context the caller can read, the new one included (the old plugin's `cids`). */
  cids: number[]
}

export interface LegacyRemoveResult {
  /** Forums no longer found by the context. */
  removed: number[]
  /** Of those, the ones deleted with their discussions (the ACP's remove setting). */
  deleted: number[]
}

const sameContext = (a: { type: string, identifier: string }, b: { type: string, identifier: string }): boolean => a.type === b.type && a.identifier === b.identifier

/**
 * Sunbird's existing portal (docs/legacy-ui.md): `forum/v3/create` makes a forum for a group or
 * batch under a parent category the ACP allows, and `forum/v2/remove` takes a context's forums
 * away. Both go through the forum service's plan and executor, as every other write does.
 */
export class LegacyForums {
  constructor (private readonly platform: Platform, private readonly store: Store, private readonly forums: ForumService, private readonly suffix: () => string) {}

  /**
   * A new forum for the context under `parentCid`: the caller moderates it (as a creator of a root
   * forum does), and registered users may read and post unless the ACP makes these forums private,
   * which was the old default. Refused unless the ACP lists the parent.
   */
  async create (request: LegacyForumCreatePlugin, actor: number, journal?: Journal): Promise<LegacyCreateResult> {
    const settings = await this.platform.getSettings()
    if (!settings.legacyParentCids.includes(request.parentCid)) {
      throw new ApiError('FORBIDDEN', `Category ${request.parentCid} is not a parent category the ACP allows for the portal's forums`)
    }
    if (!(await this.platform.getCategoryNames([request.parentCid])).has(request.parentCid)) {
      throw new ApiError('PARENT_NOT_FOUND', `No category ${request.parentCid}`)
    }
    const plan = planCreate({
      forum: { name: trimName(request.name), description: request.description ?? '', groups: [], privileges: [{ level: 'moderate', applyToChildren: false, uids: [actor], groupNames: [] }], children: [] },
      context: request.context,
      parentCid: null,
      underCategory: request.parentCid,
      isPublic: !settings.legacyForumsPrivate,
      creator: actor,
      inherited: []
    }, { suffix: this.suffix })
    const executed = await this.forums.run(plan, actor, journal)
    const cid = executed.cids.get(plan.rootRef as string) as number
    const found = await this.forums.fetch(request.context, actor)
    return { cid, cids: found.forums.map((f) => Number(f.identifier)) }
  }

  /**
   * Unlinks the named forums from the context (the old plugin removed its mapping row); with the
   * ACP's setting, deletes them with their discussions. Every forum must be a forum of that
   * context that the caller moderates; nothing changes otherwise.
   */
  async remove (request: LegacyForumRemovePlugin, actor: number): Promise<LegacyRemoveResult> {
    const cids = [...new Set(request.cids)]
    const records: ForumRecord[] = []
    for (const cid of cids) {
      const record = await liveForum(this.platform, this.store, cid)
      if (record === null || !sameContext(record.context, request.context) || !(await this.store.contextForums(request.context)).includes(cid)) {
        throw new ApiError('FORUM_NOT_FOUND', `Forum ${cid} is not a forum of ${request.context.type} ${request.context.identifier}`)
      }
      await this.forums.access.requireModerator(cid, actor, 'Removing a forum from its context')
      records.push(record)
    }
    const settings = await this.platform.getSettings()
    if (settings.legacyRemoveDeletes) {
      for (const cid of cids) await this.forums.delete(String(cid), actor)
      return { removed: cids, deleted: cids }
    }
    await withLock(this.platform.db, `context:${request.context.type}:${request.context.identifier}`, { now: this.platform.now }, async () => {
      await this.forums.run(planUnlink(records), actor)
    })
    return { removed: cids, deleted: [] }
  }
}
