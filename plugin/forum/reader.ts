import { ApiError } from '../../shared/errors'
import type { Context } from '../../shared/schemas/common'
import type { Forum, ForumFetchResult, ForumReadResult } from '../../shared/schemas/forum'
import type { Platform } from '../platform'
import type { Store } from '../store'
import type { UserDirectory } from '../user-directory'
import type { ForumAccess } from './access'
import { collectCids, readableOnly, readForumTrees, requireLiveForum, type ForumNode } from './tree'
import { forumView, viewLookups } from './view'

/** Forum read and fetch, and the forum view every write answers with. */
export class ForumReader {
  constructor (private readonly platform: Platform, private readonly store: Store, private readonly directory: UserDirectory, private readonly access: ForumAccess) {}

  /** One forum, as `forums: [forum]`, with the descendants actor can read; 403 if actor cannot read it. */
  async read (forumId: string, actor: number): Promise<ForumReadResult> {
    const cid = Number(forumId)
    await requireLiveForum(this.platform, this.store, cid)
    await this.access.requireReadable(cid, actor)
    const [node] = await readForumTrees(this.platform, this.store, [cid])
    if (node === undefined) throw new ApiError('FORUM_NOT_FOUND', `No Sunbird forum ${forumId}`)
    const readable = await this.access.readable(collectCids(node), actor)
    return { identifier: forumId, forums: await this.views(readableOnly([node], readable)) }
  }

  /** The forums of a context that actor can read, nested under their parents. */
  async fetch (context: Context, actor: number): Promise<ForumFetchResult> {
    const cids = await this.store.contextForums(context)
    const trees = await readForumTrees(this.platform, this.store, cids)
    // a forum created under a parent of the same context shows once, nested under its parent
    const nested = new Set(trees.flatMap((t) => collectCids(t).slice(1)))
    const roots = trees.filter((t) => !nested.has(t.record.cid))
    const readable = await this.access.readable(roots.flatMap((r) => collectCids(r)), actor)
    const forums = await this.views(readableOnly(roots, readable))
    return { forums, count: forums.length }
  }

  /** A forum and all its descendants, as NodeBB holds them now. */
  async readOne (cid: number): Promise<Forum> {
    const [node] = await readForumTrees(this.platform, this.store, [cid])
    if (node === undefined) throw new ApiError('FORUM_NOT_FOUND', `No Sunbird forum ${cid}`)
    const [view] = await this.views([node])
    return view as Forum
  }

  private async views (nodes: ForumNode[]): Promise<Forum[]> {
    const { uids, groups } = viewLookups(nodes)
    const [sunbirdIdByUid, memberCounts] = await Promise.all([this.directory.sunbirdIdsOf([...uids]), this.platform.countGroupMembers([...groups])])
    return nodes.map((node) => forumView(node, { sunbirdIdByUid, memberCounts, url: (cid) => this.platform.categoryUrl(cid) }))
  }
}
