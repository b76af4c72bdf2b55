import { randomBytes } from 'node:crypto'
import { ApiError } from '../shared/errors'
import {
  notificationLimits, sendTargetProblem, type Notification, type NotificationListRequest, type NotificationListResult,
  type NotificationMarkReadRequest, type NotificationMarkReadResult, type NotificationSendRequest, type NotificationSendResult
} from '../shared/schemas/notification'
import type { Platform } from './platform'
import type { Store } from './store'
import { readForumTrees, requireLiveForum } from './forum/tree'
import { UserDirectory } from './user-directory'
import { noteTrail } from './audit-trail'

/** NodeBB renders bodyShort as HTML and translates `[[...]]`: a Sunbird text is shown as written. */
export function escapeNotificationText (text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
    .replace(/\[/g, '&#91;').replace(/\]/g, '&#93;')
}

/**
 * Notifications through NodeBB's own notifications module, so they show in NodeBB's bell and
 * obey each user's notification settings. Sending to unknown users sends nothing (all or nothing).
 */
export class NotificationService {
  private readonly directory: UserDirectory

  constructor (private readonly platform: Platform, private readonly store: Store) {
    this.directory = new UserDirectory(platform, store)
  }

  /** A user may read and mark their own notifications; an administrator (a service) anyone's. */
  private async owner (identifier: string, actor: number): Promise<number> {
    const uid = await this.directory.requireOne(identifier)
    if (uid !== actor && !await this.platform.isAdministrator(actor)) throw new ApiError('FORBIDDEN', 'Only the user themselves may read or mark their notifications')
    return uid
  }

  /** A link in a notification stays on this forum or on a host its administrator allowed: no open redirect through the bell. */
  private async checkUrl (url: string): Promise<void> {
    if (url.startsWith('/')) return
    const host = new URL(url).hostname.toLowerCase()
    const { notificationUrlHosts } = await this.platform.getSettings()
    if (host === new URL(this.platform.siteUrl()).hostname.toLowerCase() || notificationUrlHosts.includes(host)) return
    throw new ApiError('INVALID_REQUEST', `request.url points at ${host}, which is neither this forum nor a host its administrator allowed`)
  }

  async send (request: NotificationSendRequest, actor: number): Promise<NotificationSendResult> {
    const problem = sendTargetProblem(request)
    if (problem !== null) throw new ApiError('INVALID_REQUEST', problem)
    if (request.url !== undefined) await this.checkUrl(request.url)
    const isAdmin = await this.platform.isAdministrator(actor)
    let uids: number[]
    if (request.users !== undefined) {
      if (!isAdmin) throw new ApiError('FORBIDDEN', 'Sending to users needs a service or an administrator')
      const found = await this.directory.require(request.users)
      uids = [...new Set(request.users.map((id) => found.get(id) as number))]
    } else {
      const cid = Number(request.forum)
      await requireLiveForum(this.platform, this.store, cid)
      if (!await this.platform.isAdminOrMod(cid, actor)) throw new ApiError('FORBIDDEN', 'Notifying a forum needs moderate on it')
      uids = await this.members(cid)
    }
    // the sender is the caller, unless a service or an administrator names someone else
    let fromUid = actor
    if (request.from !== undefined) {
      fromUid = await this.directory.requireOne(request.from)
      if (fromUid !== actor && !isAdmin) throw new ApiError('FORBIDDEN', '`from` may name only yourself, unless a service or an administrator sends')
    } else if (isAdmin) {
      // a service sends from no one in particular
      fromUid = 0
    }
    const nid = `sunbird:${this.platform.now().toString(36)}:${randomBytes(6).toString('hex')}`
    const delivered = uids.length === 0
      ? 0
      : await this.platform.sendNotification({
        nid,
        title: escapeNotificationText(request.title),
        body: escapeNotificationText(request.body),
        path: request.url ?? null,
        fromUid
      }, uids)
    const forum = request.users === undefined ? Number(request.forum) : null
    return noteTrail({ delivered, identifier: nid }, { root: forum, forums: new Map(), changes: [{ kind: 'notified', cid: forum, recipients: uids.length, delivered }] })
  }

  /**
   * Every user with at least read on the forum: users holding `read` and members of groups holding
   * it. NodeBB's system groups (registered-users of a public forum, administrators) are not
   * members of a forum: notifying them would reach the whole site.
   */
  private async members (cid: number): Promise<number[]> {
    const [node] = await readForumTrees(this.platform, this.store, [cid])
    if (node === undefined) return []
    const uids = new Set<number>()
    for (const [uid, privileges] of node.holders.users) if (privileges.has('read')) uids.add(uid)
    const groups = [...node.holders.groups].filter(([name, privileges]) => privileges.has('read') && !this.platform.isProtectedGroup(name)).map(([name]) => name)
    for (const members of (await this.platform.getGroupMembers(groups)).values()) for (const uid of members) uids.add(uid)
    return [...uids].filter((uid) => uid > 0).sort((a, b) => a - b)
  }

  async list (request: NotificationListRequest, actor: number): Promise<NotificationListResult> {
    const uid = await this.owner(request.user, actor)
    const limit = request.limit ?? notificationLimits.defaultLimit
    const offset = request.offset ?? 0
    const counts = await this.platform.countNotifications(uid)
    const count = request.unread === true ? counts.unread : counts.unread + counts.read
    const nids = offset >= count ? [] : await this.platform.notificationIds(uid, request.unread === true, offset, limit)
    const [records, read] = await Promise.all([this.platform.getNotifications(nids), this.platform.readAmong(uid, nids)])
    const present = nids.flatMap((nid) => { const r = records.get(nid); return r === undefined ? [] : [r] })
    const senders = await this.directory.sunbirdIdsOf(present.map((r) => r.fromUid).filter((u) => u > 0))
    const titles = await this.platform.translate(present.map((r) => r.bodyShort))
    const notifications: Notification[] = present.map((r, i) => ({
      id: r.nid,
      type: r.type,
      title: titles[i] ?? '',
      body: r.bodyLong,
      url: r.path,
      from: senders.get(r.fromUid) ?? null,
      read: read.has(r.nid),
      time: r.datetime
    }))
    return { notifications, count, unread: counts.unread, offset: offset + limit < count ? offset + limit : null }
  }

  async markRead (request: NotificationMarkReadRequest, actor: number): Promise<NotificationMarkReadResult> {
    const uid = await this.owner(request.user, actor)
    const before = (await this.platform.countNotifications(uid)).unread
    if ('all' in request) {
      if (before > 0) await this.platform.markAllNotificationsRead(uid)
    } else {
      // only the user's own unread ones: NodeBB would file any existing nid under the user's read set
      const unread = await this.platform.unreadAmong(uid, request.ids)
      const ids = request.ids.filter((id) => unread.has(id))
      if (ids.length > 0) await this.platform.markNotificationsRead(uid, ids)
    }
    const after = (await this.platform.countNotifications(uid)).unread
    return { marked: Math.max(0, before - after), unread: after }
  }
}
