import { randomBytes } from 'node:crypto'
import { ApiError } from '../shared/errors'
import {
  notificationLimits, sendTargetProblem, type Notification, type NotificationListRequest, type NotificationListResult,
  type NotificationMarkReadRequest, type NotificationMarkReadResult, type NotificationSendRequest, type NotificationSendResult
} from '../shared/schemas/notification'
import type { Platform } from './platform'
import type { Store } from './store'
import { readForumTrees } from './forum/state'

/** NodeBB keeps a user's notifications in two sorted sets (by time); the plugin reads them as they are. */
const unreadKey = (uid: number): string => `uid:${uid}:notifications:unread`
const readKey = (uid: number): string => `uid:${uid}:notifications:read`

/** NodeBB renders bodyShort as HTML and translates `[[...]]`: a Sunbird text is shown as written. */
export function escapeNotificationText (text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
    .replace(/\[/g, '&#91;').replace(/\]/g, '&#93;')
}

const numberOr = (v: string | undefined, fallback: number): number => v !== undefined && /^[0-9]+$/.test(v) ? Number(v) : fallback

/**
 * Notifications through NodeBB's own notifications module, so they show in NodeBB's bell and
 * obey each user's notification settings. Sending to unknown users sends nothing (all or nothing).
 */
export class NotificationService {
  constructor (private readonly platform: Platform, private readonly store: Store) {}

  private async uidOf (identifier: string): Promise<number> {
    const [uid] = await this.store.uidsOf([identifier])
    const [exists] = uid === null || uid === undefined ? [false] : await this.platform.usersExist([uid])
    if (uid === null || uid === undefined || exists !== true) throw new ApiError('USER_NOT_FOUND', `No Sunbird user ${identifier}`, { users: [identifier] })
    return uid
  }

  /** A user may read and mark their own notifications; an administrator (the service) anyone's. */
  private async owner (identifier: string, actor: number): Promise<number> {
    const uid = await this.uidOf(identifier)
    if (uid !== actor && !await this.platform.isAdministrator(actor)) throw new ApiError('FORBIDDEN', 'Only the user themselves may read or mark their notifications')
    return uid
  }

  async send (request: NotificationSendRequest, actor: number): Promise<NotificationSendResult> {
    const problem = sendTargetProblem(request)
    if (problem !== null) throw new ApiError('INVALID_REQUEST', problem)
    let uids: number[]
    if (request.users !== undefined) {
      if (!await this.platform.isAdministrator(actor)) throw new ApiError('FORBIDDEN', 'Sending to users needs an administrator (the service) or an admin role')
      const found = await this.store.uidsOf(request.users)
      const exists = await this.platform.usersExist(found.map((uid) => uid ?? 0))
      const missing = request.users.filter((_id, i) => found[i] === null || exists[i] !== true)
      if (missing.length > 0) throw new ApiError('USER_NOT_FOUND', `Unknown Sunbird user ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', ...' : ''}`, { users: missing })
      uids = found as number[]
    } else {
      const cid = Number(request.forum)
      if (await this.store.getForum(cid) === null) throw new ApiError('FORUM_NOT_FOUND', `No Sunbird forum ${request.forum as string}`)
      if (!await this.platform.isAdminOrMod(cid, actor) && !await this.platform.isAdministrator(actor)) throw new ApiError('FORBIDDEN', 'Notifying a forum needs moderate on it')
      uids = await this.members(cid)
    }
    const fromUid = request.from === undefined ? 0 : await this.uidOf(request.from)
    const nid = `sunbird:${this.platform.now().toString(36)}:${randomBytes(6).toString('hex')}`
    if (uids.length > 0) {
      await this.platform.sendNotification({
        nid,
        title: escapeNotificationText(request.title),
        body: escapeNotificationText(request.body),
        path: request.url ?? null,
        fromUid
      }, uids)
    }
    return { delivered: uids.length, identifier: nid }
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
    const members = groups.length === 0 ? [] : await this.platform.db.getSortedSetsMembers(groups.map((g) => `group:${g}:members`))
    for (const list of members) for (const uid of list) uids.add(Number(uid))
    return [...uids].filter((uid) => uid > 0).sort((a, b) => a - b)
  }

  async list (request: NotificationListRequest, actor: number): Promise<NotificationListResult> {
    const uid = await this.owner(request.user, actor)
    const limit = request.limit ?? notificationLimits.defaultLimit
    const offset = request.offset ?? 0
    const keys = request.unread === true ? [unreadKey(uid)] : [unreadKey(uid), readKey(uid)]
    const [unreadCount = 0, readCount = 0] = await this.platform.db.sortedSetsCard([unreadKey(uid), readKey(uid)])
    const count = request.unread === true ? unreadCount : unreadCount + readCount
    const nids = offset >= count ? [] : await this.platform.db.getSortedSetRevRange(keys.length === 1 ? keys[0] as string : keys, offset, offset + limit - 1)
    const [raws, read] = await Promise.all([
      this.platform.db.getObjects(nids.map((nid) => `notifications:${nid}`)),
      this.platform.db.isSortedSetMembers(readKey(uid), nids)
    ])
    const present = raws.flatMap((raw, i) => raw === null ? [] : [{ raw, read: read[i] === true }])
    const fromUids = [...new Set(present.map((p) => Number(p.raw.from ?? 0)).filter((n) => n > 0))]
    const ids = await this.store.sunbirdIdsOf(fromUids)
    const sunbirdIdOf = new Map(fromUids.map((u, i) => [u, ids[i] ?? null]))
    const titles = await this.platform.translate(present.map((p) => p.raw.bodyShort ?? ''))
    const notifications: Notification[] = present.map(({ raw, read }, i) => ({
      id: raw.nid ?? '',
      type: raw.type ?? null,
      title: titles[i] ?? '',
      body: raw.bodyLong ?? null,
      url: raw.path ?? null,
      from: sunbirdIdOf.get(Number(raw.from ?? 0)) ?? null,
      read,
      time: numberOr(raw.datetime, 0)
    }))
    return { notifications, count, unread: unreadCount, offset: offset + limit < count ? offset + limit : null }
  }

  async markRead (request: NotificationMarkReadRequest, actor: number): Promise<NotificationMarkReadResult> {
    const uid = await this.owner(request.user, actor)
    const [before = 0] = await this.platform.db.sortedSetsCard([unreadKey(uid)])
    if ('all' in request) {
      if (before > 0) await this.platform.markAllNotificationsRead(uid)
    } else {
      // only the user's own unread ones: NodeBB would file any existing nid under the user's read set
      const unread = await this.platform.db.isSortedSetMembers(unreadKey(uid), request.ids)
      const ids = request.ids.filter((_id, i) => unread[i] === true)
      if (ids.length > 0) await this.platform.markNotificationsRead(uid, ids)
    }
    const [after = 0] = await this.platform.db.sortedSetsCard([unreadKey(uid)])
    return { marked: Math.max(0, before - after), unread: after }
  }
}
