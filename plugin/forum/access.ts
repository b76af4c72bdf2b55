import { ApiError } from '../../shared/errors'
import type { Context } from '../../shared/schemas/common'
import type { Platform } from '../platform'
import type { ForumRecord, Store } from '../store'
import { rootOf } from './tree'

/**
 * Who may do what to a forum (DESIGN, Security), with NodeBB's own privileges deciding wherever
 * they can: moderate on the forum (NodeBB's isAdminOrMod) to change it, read to see it.
 */
export class ForumAccess {
  constructor (private readonly platform: Platform, private readonly store: Store) {}

  async requireModerator (cid: number, actor: number, what: string): Promise<void> {
    if (!await this.platform.isAdminOrMod(cid, actor)) throw new ApiError('FORBIDDEN', `${what} needs moderate on forum ${cid}`)
  }

  /** The forums among these that actor can read (NodeBB's `read` privilege; administrators read all). */
  async readable (cids: number[], actor: number): Promise<Set<number>> {
    return new Set(await this.platform.readableCids(cids, actor, 'read'))
  }

  async requireReadable (cid: number, actor: number): Promise<void> {
    if (!(await this.readable([cid], actor)).has(cid)) throw new ApiError('FORBIDDEN', `You cannot read forum ${cid}`)
  }

  /**
   * A forum created under `parent` belongs to the parent's context, and may be public under a
   * private parent only by an administrator's request (it would open what the parent keeps closed).
   */
  async checkChild (parent: ForumRecord, context: Context, isPublic: boolean, actor: number): Promise<void> {
    if (context.type !== parent.context.type || context.identifier !== parent.context.identifier) {
      throw new ApiError('INVALID_REQUEST', `A forum under forum ${parent.cid} belongs to its context ${parent.context.type}/${parent.context.identifier}; request.context names another`)
    }
    if (isPublic && !parent.isPublic && !await this.platform.isAdministrator(actor)) {
      throw new ApiError('FORBIDDEN', 'A public forum under a private one needs an administrator')
    }
  }

  /**
   * The NodeBB groups a privilege may name on a forum of the tree rooted at `treeRoot` (null: a new
   * root, which has no groups yet): the tree's own auto groups, and groups an administrator allowed
   * in the plugin's settings. System groups never. Unknown groups are GROUP_NOT_FOUND.
   */
  async checkGroups (names: string[], treeRoot: number | null): Promise<void> {
    if (names.length === 0) return
    const system = names.filter((name) => this.platform.isProtectedGroup(name))
    if (system.length > 0) throw new ApiError('FORBIDDEN', `System groups cannot be given forum access: ${system.join(', ')}`, { groups: system })
    const exists = await this.platform.groupsExist(names)
    const unknown = names.filter((n) => !exists.has(n))
    if (unknown.length > 0) throw new ApiError('GROUP_NOT_FOUND', `Unknown group ${unknown.join(', ')}`, { groups: unknown })
    const { allowedGroups } = await this.platform.getSettings()
    const allowed = new Set(allowedGroups)
    const rest = names.filter((name) => !allowed.has(name))
    const records = await this.store.getGroups(rest)
    const refused: string[] = []
    for (const name of rest) {
      const record = records.get(name)
      const forum = record === undefined ? null : await this.store.getForum(record.cid)
      if (treeRoot === null || forum === null || await rootOf(this.store, forum) !== treeRoot) refused.push(name)
    }
    if (refused.length > 0) {
      throw new ApiError('FORBIDDEN', `Only this forum tree's own groups, or groups an administrator allowed, can be given access: ${refused.join(', ')}`, { groups: refused })
    }
  }
}
