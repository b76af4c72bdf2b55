import type { CreateCategoryInput, CreateUserInput, Db, Platform, PluginSettings, PrivilegeMember } from '../platform'
import {
  countGroupMembers, countNotifications, groupsOfUser, nodebbKeys, notificationIds, readAmong, readCategoryNames, readGroupMembers,
  readNotifications, readOidcIds, readOidcUids, readPrivilegeHolders, readTopics, unreadAmong
} from './layout'
import { nodebbNotifications } from './notifications'
import { defaultSettings } from '../platform'
import { nodebbRequire } from './require'
import { grantsByMember, grantWaves, membershipsByUser, settleAll } from './batch'
import { isMailDomain, parseAcpSettings } from '../acp/settings'

/** Typed views of the NodeBB modules the plugin calls; only what is used, as NodeBB 4 defines it. */
interface Categories {
  create: (data: Record<string, unknown>) => Promise<{ cid: number }>
  purge: (cid: number, uid: number) => Promise<void>
  update: (modified: Record<number, Record<string, unknown>>) => Promise<unknown>
}
interface Privileges {
  categories: {
    give: (privileges: string[], cids: number | number[], members: PrivilegeMember[]) => Promise<void>
    rescind: (privileges: string[], cids: number | number[], members: PrivilegeMember[]) => Promise<void>
    isAdminOrMod: (cid: number, uid: number) => Promise<boolean>
    filterCids: (privilege: string, cids: number[], uid: number) => Promise<number[]>
  }
  topics: { filterTids: (privilege: string, tids: number[], uid: number) => Promise<Array<number | string>> }
  posts: { filter: (privilege: string, pids: number[], uid: number) => Promise<Array<number | string>> }
}
interface Posts {
  getPostsFields: (pids: number[], fields: string[]) => Promise<Array<{ pid?: number, tid?: number, uid?: number } | null>>
}
interface Groups {
  create: (data: Record<string, unknown>) => Promise<unknown>
  destroy: (names: string | string[]) => Promise<void>
  exists: (names: string[]) => Promise<boolean[]>
  join: (names: string | string[], uid: number) => Promise<void>
  leave: (names: string | string[], uid: number) => Promise<void>
  systemGroups: string[]
  ephemeralGroups: string[]
  isPrivilegeGroup: (name: string) => boolean
}
interface User {
  create: (data: Record<string, unknown>, opts?: { emailVerification?: 'send' | 'verify' | 'skip' }) => Promise<number>
  delete: (callerUid: number, uid: number) => Promise<unknown>
  exists: (uids: number[]) => Promise<boolean[]>
  getUidByUsername: (username: string) => Promise<number | null>
  getUidByUserslug: (slug: string) => Promise<number | null>
  getUsersFields: (uids: number[], fields: string[]) => Promise<Array<{ uid?: number, username?: string, fullname?: string }>>
  isAdministrator: (uid: number) => Promise<boolean>
  setUserField: (uid: number, field: string, value: string) => Promise<void>
}
interface Meta {
  config: Record<string, unknown>
  settings: { get: (hash: string) => Promise<Record<string, unknown>> }
}
interface Utils {
  isUserNameValid: (name: string) => boolean
  isSlugValid: (slug: string) => boolean
}
interface Nconf { get: (key: string) => unknown }

export const SETTINGS_HASH = 'sunbird-discussions'

/**
 * The core's settings from the ACP's hash, through the ACP's own parser (one reading of the
 * stored strings): an invalid stored domain falls back to NodeBB's config, then the default.
 */
export function parseSettings (raw: Record<string, unknown>, configDomain: unknown): PluginSettings {
  const acp = parseAcpSettings(raw)
  const fallback = typeof configDomain === 'string' && isMailDomain(configDomain) ? configDomain : defaultSettings.emailDomain
  return {
    emailDomain: acp.emailDomain !== '' ? acp.emailDomain : fallback,
    exemptNewUserRestrictions: acp.exemptNewUserRestrictions,
    defaultPublic: acp.defaultPublic,
    allowedGroups: acp.allowedGroups,
    notificationUrlHosts: acp.notificationUrlHosts,
    legacyParentCids: acp.legacyParentCids,
    legacyForumsPrivate: acp.legacyForumsPrivate,
    legacyRemoveDeletes: acp.legacyRemoveDeletes
  }
}

/** The Platform over NodeBB's own modules: writes go through them so NodeBB's caches and hooks stay right. */
export function nodebbPlatform (): Platform {
  const db = nodebbRequire<Db>('./src/database')
  const categories = nodebbRequire<Categories>('./src/categories')
  const privileges = nodebbRequire<Privileges>('./src/privileges')
  const groups = nodebbRequire<Groups>('./src/groups')
  const user = nodebbRequire<User>('./src/user')
  const meta = nodebbRequire<Meta>('./src/meta')
  const utils = nodebbRequire<Utils>('./src/utils')
  const slugify = nodebbRequire<(s: string) => string>('./src/slugify')
  const nconf = nodebbRequire<Nconf>('nconf')
  const posts = nodebbRequire<Posts>('./src/posts')
  const notifications = nodebbNotifications(() => String(meta.config.defaultLang ?? 'en-GB'))

  return {
    db,
    async createCategory (input: CreateCategoryInput) {
      // `sunbirdPrivate` is read by our filter:category.create hook, which then skips NodeBB's default grants
      const category = await categories.create({ name: input.name, description: input.description, parentCid: input.parentCid, sunbirdPrivate: input.isPrivate })
      return Number(category.cid)
    },
    purgeCategory: (cid, uid) => categories.purge(cid, uid),
    async renameCategory (cid, name) { await categories.update({ [cid]: { name } }) },
    // read from the db, not categories.getCategoriesFields: NodeBB 4.11 HTML-escapes names there
    getCategoryNames: (cids) => readCategoryNames(db, cids),
    categoryUrl: (cid) => `${String(nconf.get('url'))}/category/${cid}`,
    givePrivileges: (cid, list, members) => privileges.categories.give(list, cid, members),
    rescindPrivileges: (cid, list, members) => privileges.categories.rescind(list, cid, members),
    async givePrivilegesMany (grants) {
      for (const wave of grantWaves(grantsByMember(grants))) {
        await settleAll(wave.map((g) => () => privileges.categories.give(g.privileges, g.cids, [g.member])))
      }
    },
    async rescindPrivilegesMany (grants) {
      for (const g of grantsByMember(grants)) await privileges.categories.rescind(g.privileges, g.cids, [g.member])
    },
    getPrivilegeHolders: (cids) => readPrivilegeHolders(db, cids),
    isAdminOrMod: (cid, uid) => uid > 0 ? privileges.categories.isAdminOrMod(cid, uid) : Promise.resolve(false),
    isAdministrator: (uid) => uid > 0 ? user.isAdministrator(uid) : Promise.resolve(false),
    async createGroup (name) {
      await groups.create({ name, description: 'Sunbird forum group', hidden: 1, private: 1, disableJoinRequests: 1, disableLeave: 1 })
    },
    async destroyGroups (names) { if (names.length > 0) await groups.destroy(names) },
    async groupsExist (names) {
      const exists = names.length === 0 ? [] : await groups.exists(names)
      return new Set(names.filter((_name, i) => exists[i] === true))
    },
    isProtectedGroup: (name) => groups.systemGroups.includes(name) || groups.ephemeralGroups.includes(name) || groups.isPrivilegeGroup(name),
    async joinGroup (name, uids) { for (const uid of uids) await groups.join(name, uid) },
    async leaveGroup (name, uids) { for (const uid of uids) await groups.leave(name, uid) },
    async joinGroups (memberships) {
      await settleAll([...membershipsByUser(memberships)].map(([uid, names]) => () => groups.join(names, uid)))
    },
    async leaveGroups (memberships) {
      for (const [uid, names] of membershipsByUser(memberships)) await groups.leave(names, uid)
    },
    getGroupMembers: (names) => readGroupMembers(db, names),
    countGroupMembers: (names) => countGroupMembers(db, names),
    groupsOfUser: (uid, names) => groupsOfUser(db, uid, names),
    async createUser (input: CreateUserInput) {
      const data: Record<string, unknown> = { username: input.username, email: input.email }
      if (input.fullname !== undefined && input.fullname !== '') data.fullname = input.fullname
      return Number(await user.create(data, { emailVerification: 'verify' }))
    },
    async deleteUser (uid) { await user.delete(0, uid) },
    async isUsernameTaken (username) {
      const [byName, bySlug] = await Promise.all([user.getUidByUsername(username), user.getUidByUserslug(slugify(username))])
      return Number(byName ?? 0) > 0 || Number(bySlug ?? 0) > 0
    },
    async usersExist (uids) {
      const exists = uids.length === 0 ? [] : await user.exists(uids)
      return new Set(uids.filter((_uid, i) => exists[i] === true))
    },
    async getUsers (uids) {
      const rows = await user.getUsersFields(uids, ['uid', 'username', 'fullname'])
      return rows.map((row) => row !== null && Number(row.uid ?? 0) > 0 ? { uid: Number(row.uid), username: String(row.username ?? ''), fullname: String(row.fullname ?? '') } : null)
    },
    usernameProblem (username) {
      const min = Number(meta.config.minimumUsernameLength ?? 2)
      const max = Number(meta.config.maximumUsernameLength ?? 16)
      if (username.length < min) return 'username-too-short'
      if (username.length > max) return 'username-too-long'
      if (!utils.isUserNameValid(username) || !utils.isSlugValid(slugify(username))) return 'invalid-username'
      return null
    },
    oidcUidsOf: (ids) => readOidcUids(db, ids),
    oidcIdsOf: (uids) => readOidcIds(db, uids),
    async setOidcId (uid, id) {
      await db.setObjectField(nodebbKeys.oidcUidByOidcId, id, uid)
      await user.setUserField(uid, nodebbKeys.oidcUserField, id)
    },
    async removeOidcId (uid, id) {
      await db.deleteObjectField(nodebbKeys.oidcUidByOidcId, id)
      await db.deleteObjectField(nodebbKeys.user(uid), nodebbKeys.oidcUserField)
    },
    async getSettings () {
      return parseSettings(await meta.settings.get(SETTINGS_HASH), nconf.get('sunbird:emailDomain'))
    },
    now: () => Date.now(),
    async getTopics (tids) {
      const found = await readTopics(db, tids)
      return tids.map((tid) => found.get(tid) ?? null)
    },
    async getPosts (pids) {
      if (pids.length === 0) return []
      const rows = await posts.getPostsFields(pids, ['pid', 'tid', 'uid'])
      return rows.map((row) => row !== null && Number(row.pid ?? 0) > 0 ? { pid: Number(row.pid), tid: Number(row.tid ?? 0), uid: Number(row.uid ?? 0) } : null)
    },
    siteUrl: () => String(nconf.get('url')).replace(/\/+$/, ''),
    async readableCids (cids, uid, privilege) {
      if (cids.length === 0) return []
      return (await privileges.categories.filterCids(privilege, cids, uid)).map(Number)
    },
    async visibleTopics (tids, uid) {
      if (tids.length === 0) return []
      return (await privileges.topics.filterTids('topics:read', tids, uid)).map(Number)
    },
    async visiblePosts (pids, uid) {
      if (pids.length === 0) return []
      return (await privileges.posts.filter('topics:read', pids, uid)).map(Number)
    },
    sendNotification: (input, uids) => notifications.send(input, uids),
    markNotificationsRead: (uid, nids) => notifications.markRead(uid, nids),
    markAllNotificationsRead: (uid) => notifications.markAllRead(uid),
    translate: (texts) => notifications.translate(texts),
    countNotifications: (uid) => countNotifications(db, uid),
    notificationIds: (uid, unreadOnly, offset, limit) => notificationIds(db, uid, unreadOnly, offset, limit),
    getNotifications: (nids) => readNotifications(db, nids),
    unreadAmong: (uid, nids) => unreadAmong(db, uid, nids),
    readAmong: (uid, nids) => readAmong(db, uid, nids)
  }
}
