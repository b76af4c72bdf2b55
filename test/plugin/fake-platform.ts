import {
  defaultSettings, type CreateCategoryInput, type CreateUserInput, type GroupMembership, type NotificationInput, type Platform, type PluginSettings,
  type PrivilegeGrant, type PrivilegeMember
} from '../../plugin/platform'
import { grantsByMember, grantWaves, membershipsByUser, settleAll, type MemberGrant } from '../../plugin/nodebb/batch'
import { Cleanup } from '../../plugin/cleanup'
import { FakeDb } from './fake-db'
import {
  countGroupMembers, countNotifications, groupsOfUser, nodebbKeys, notificationIds, readAmong, readCategoryNames, readGroupMembers,
  readNotifications, readOidcIds, readOidcUids, readPrivilegeHolders, unreadAmong
} from '../../plugin/nodebb/layout'

/** NodeBB 4's defaults from src/categories/create.js: what a new category grants, and to whom. */
const defaultPrivileges = ['groups:find', 'groups:read', 'groups:topics:read', 'groups:topics:create', 'groups:topics:reply', 'groups:topics:crosspost', 'groups:topics:tag', 'groups:posts:edit', 'groups:posts:history', 'groups:posts:delete', 'groups:posts:upvote', 'groups:posts:downvote', 'groups:topics:delete']
const modPrivileges = [...defaultPrivileges, 'groups:topics:schedule', 'groups:posts:view_deleted', 'groups:purge']
const guestPrivileges = ['groups:find', 'groups:read', 'groups:topics:read']
const systemGroups = ['registered-users', 'verified-users', 'unverified-users', 'banned-users', 'administrators', 'Global Moderators']
const ephemeralGroups = ['guests', 'spiders', 'fediverse']
const privilegeGroup = /^cid:\d+:privileges:[\w\-:]+$/

export interface FakePlatform extends Platform {
  db: FakeDb
  /** A NodeBB user that exists outside Sunbird (e.g. made in the ACP). */
  addUser: (username: string, options?: { admin?: boolean }) => number
  /** A plain NodeBB group (not a Sunbird one). */
  addGroup: (name: string) => void
  /** The (n+1)-th write from now throws (n = 0: the next one); fires once. */
  failAfterWrites: (n: number) => void
  /** The next call of this NodeBB operation never returns (the process died in it); fires once. */
  hangOn: (operation: string) => void
  /** The operation a hangOn has caught (the call is now hanging in it); null until then. */
  hung: string | null
  /** Write operations made so far (platform calls and db writes). */
  writes: number
  /** A stable dump of all state except lock counters, for before/after comparisons. */
  dump: () => string
  settings: PluginSettings
  /** Platform calls made, by method name; and the NodeBB calls the batch operations make, as `nodebb:<module call>`. */
  calls: Map<string, number>
  /** A topic with its main post, as NodeBB's topics.post makes it. */
  addTopic: (cid: number, uid: number, title: string) => { tid: number, pid: number }
  /** A reply, as topics.reply makes it. */
  addPost: (tid: number, uid: number) => number
  /** As NodeBB's topics.delete / posts.delete and their restores (the `deleted` field). */
  setDeleted: (kind: 'topic' | 'post', id: number, deleted: boolean) => void
  /** As a purge: the topic or post is gone. */
  purge: (kind: 'topic' | 'post', id: number) => void
  /** uid -> the uids they blocked (NodeBB does not push them notifications from those). */
  blocked: Map<number, Set<number>>
  /** Users who turned Sunbird notifications off. */
  optedOut: Set<number>
  /** A user who arrived by Sunbird SSO: nodebb-plugin-sunbird-oidc's map entry and user field, as that plugin writes them. */
  addSsoUser: (username: string, oidcId: string) => number
}

export function createFakePlatform (options: { now?: () => number } = {}): FakePlatform {
  const db = new FakeDb()
  let nextCid = 0
  let nextUid = 0
  let nextTid = 0
  let nextPid = 0
  let failAt = -1
  let hang: string | null = null
  const calls = new Map<string, number>()
  const fake = {} as FakePlatform
  const write = (what: string): void => {
    fake.writes++
    if (failAt >= 0 && fake.writes > failAt) {
      failAt = -1
      throw new Error(`injected failure at write ${fake.writes} (${what})`)
    }
  }
  // NodeBB's own db writes inside one of its calls are not failure points of ours (its calls are not
  // atomic and nothing outside NodeBB can roll them back); the call itself and the plugin's own db
  // writes are.
  let inside = 0
  db.beforeWrite = (what) => { if (inside === 0 && !what.endsWith(' sunbird:locks')) write(what) }
  const op = <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    if (hang === name) {
      hang = null
      fake.hung = name
      await new Promise(() => {})
    }
    count(name)
    write(name)
    inside++
    try {
      return await fn(...args)
    } finally {
      inside--
    }
  }
  const count = (name: string): void => { calls.set(name, (calls.get(name) ?? 0) + 1) }
  const privKey = (cid: number, privilege: string): string => `group:cid:${cid}:privileges:${privilege}:members`
  // NodeBB's hooks reach the plugin's cleanup; built on first use, once `fake` is filled in
  let cleanupInstance: Cleanup | null = null
  const cleanup = (): Cleanup => (cleanupInstance ??= new Cleanup(fake))
  const privilegeSetKeys = (): string[] => [...db.zsets.keys()].filter((k) => /^group:cid:\d+:privileges:/.test(k))

  const give = async (privileges: string[], cid: number, members: PrivilegeMember[]): Promise<void> => {
    for (const member of members) {
      for (const p of privileges) await db.sortedSetAdd(privKey(cid, p), 0, String(member))
    }
  }
  const rescind = async (privileges: string[], cids: number[], members: PrivilegeMember[]): Promise<void> => {
    for (const member of members) for (const cid of cids) for (const p of privileges) await db.sortedSetRemove(privKey(cid, p), String(member))
  }
  const join = async (names: string[], uid: number): Promise<void> => {
    for (const name of names) await db.sortedSetAdd(`group:${name}:members`, 0, String(uid))
  }
  const leave = async (names: string[], uid: number): Promise<void> => {
    for (const name of names) await db.sortedSetRemove(`group:${name}:members`, String(uid))
  }
  const isMember = (name: string, uid: number): boolean => db.zsets.get(`group:${name}:members`)?.has(String(uid)) ?? false
  /** NodeBB's privileges helpers.isAllowedTo for one category privilege: the user's own, or a group's the user is in (guests for uid 0). */
  const allowedTo = (privilege: string, cid: number, uid: number): boolean => {
    if (db.zsets.get(privKey(cid, privilege))?.has(String(uid)) === true) return true
    const groups = [...(db.zsets.get(privKey(cid, `groups:${privilege}`))?.keys() ?? [])]
    return groups.some((g) => uid > 0 ? isMember(g, uid) : g === 'guests')
  }

  Object.assign(fake, {
    db,
    writes: 0,
    hung: null,
    calls,
    blocked: new Map(),
    optedOut: new Set(),
    addSsoUser (username: string, oidcId: string) {
      const uid = fake.addUser(username)
      db.hashes.set(nodebbKeys.oidcUidByOidcId, (db.hashes.get(nodebbKeys.oidcUidByOidcId) ?? new Map()).set(oidcId, String(uid)))
      db.hashes.get(`user:${uid}`)?.set(nodebbKeys.oidcUserField, oidcId)
      return uid
    },
    settings: { ...defaultSettings },
    failAfterWrites (n: number) { failAt = fake.writes + n },
    hangOn (operation: string) { hang = operation },
    dump: () => {
      const locks = db.hashes.get('sunbird:locks')
      db.hashes.delete('sunbird:locks')
      const out = db.dump()
      if (locks !== undefined) db.hashes.set('sunbird:locks', locks)
      return out
    },
    addUser (username: string, opts: { admin?: boolean } = {}) {
      const uid = ++nextUid
      db.hashes.set(`user:${uid}`, new Map([['uid', String(uid)], ['username', username], ['userslug', username.toLowerCase()], ['fullname', '']]))
      db.zsets.set('username:uid', (db.zsets.get('username:uid') ?? new Map()).set(username, uid))
      db.zsets.set('userslug:uid', (db.zsets.get('userslug:uid') ?? new Map()).set(username.toLowerCase(), uid))
      db.zsets.set('group:registered-users:members', (db.zsets.get('group:registered-users:members') ?? new Map()).set(String(uid), 0))
      if (opts.admin === true) db.zsets.set('group:administrators:members', (db.zsets.get('group:administrators:members') ?? new Map()).set(String(uid), 0))
      return uid
    },
    addGroup (name: string) {
      db.hashes.set(`group:${name}`, new Map([['name', name]]))
      db.zsets.set('groups:createtime', (db.zsets.get('groups:createtime') ?? new Map()).set(name, 0))
    },
    createCategory: op('createCategory', async (input: CreateCategoryInput) => {
      const cid = ++nextCid
      await db.setObject(`category:${cid}`, { cid, name: input.name, description: input.description, parentCid: input.parentCid })
      await db.sortedSetAdd(`cid:${input.parentCid}:children`, cid, String(cid))
      // NodeBB: filter:category.create may empty these; ours does for private forums
      if (!input.isPrivate) {
        await give(defaultPrivileges, cid, ['registered-users', 'fediverse'])
        await give(guestPrivileges, cid, ['guests', 'spiders'])
      }
      await give(modPrivileges, cid, ['administrators', 'Global Moderators'])
      return cid
    }),
    purgeCategory: op('purgeCategory', async (cid: number) => {
      const parent = db.hashes.get(`category:${cid}`)?.get('parentCid') ?? '0'
      await db.sortedSetRemove(`cid:${parent}:children`, String(cid))
      await db.deleteAll([`category:${cid}`, `cid:${cid}:children`, ...privilegeSetKeys().filter((k) => k.startsWith(`group:cid:${cid}:privileges:`))])
      await cleanup().categoryDeleted(cid) // NodeBB fires action:category.delete
    }),
    renameCategory: op('renameCategory', async (cid: number, name: string) => {
      await db.setObjectField(`category:${cid}`, 'name', name)
    }),
    getCategoryNames: (cids: number[]) => readCategoryNames(db, cids),
    getPrivilegeHolders: (cids: number[]) => readPrivilegeHolders(db, cids),
    categoryUrl: (cid: number) => `http://nodebb.test/category/${cid}`,
    givePrivileges: op('givePrivileges', async (cid: number, privileges: string[], members: PrivilegeMember[]) => {
      await give(privileges, cid, members)
    }),
    rescindPrivileges: op('rescindPrivileges', async (cid: number, privileges: string[], members: PrivilegeMember[]) => {
      await rescind(privileges, [cid], members)
    }),
    // as the real platform: one NodeBB call per member and privilege list (nodebb/batch.ts)
    givePrivilegesMany: op('givePrivilegesMany', async (grants: PrivilegeGrant[]) => {
      const call = async (g: MemberGrant): Promise<void> => {
        count('nodebb:privileges.categories.give')
        for (const cid of g.cids) await give(g.privileges, cid, [g.member])
      }
      for (const wave of grantWaves(grantsByMember(grants))) await settleAll(wave.map((g) => async () => await call(g)))
    }),
    rescindPrivilegesMany: op('rescindPrivilegesMany', async (grants: PrivilegeGrant[]) => {
      for (const g of grantsByMember(grants)) {
        count('nodebb:privileges.categories.rescind')
        await rescind(g.privileges, g.cids, [g.member])
      }
    }),
    async isAdminOrMod (cid: number, uid: number) {
      if (uid <= 0) return false
      if (isMember('administrators', uid)) return true
      if (db.zsets.get(privKey(cid, 'moderate'))?.has(String(uid)) === true) return true
      const groups = [...(db.zsets.get(privKey(cid, 'groups:moderate'))?.keys() ?? [])]
      return groups.some((g) => isMember(g, uid))
    },
    async isAdministrator (uid: number) { return uid > 0 && isMember('administrators', uid) },
    createGroup: op('createGroup', async (name: string) => {
      if (db.zsets.get('groups:createtime')?.has(name) === true) throw new Error('[[error:group-already-exists]]')
      await db.setObject(`group:${name}`, { name, hidden: 1, private: 1 })
      await db.sortedSetAdd('groups:createtime', 0, name)
    }),
    destroyGroups: op('destroyGroups', async (names: string[]) => {
      if (names.length === 0) return
      for (const name of names) {
        await db.sortedSetRemove('groups:createtime', name)
        await db.deleteAll([`group:${name}`, `group:${name}:members`])
      }
      // NodeBB removes destroyed groups from every privilege group (one scan per call)
      for (const key of privilegeSetKeys()) for (const name of names) if (db.zsets.get(key)?.has(name) === true) await db.sortedSetRemove(key, name)
      await cleanup().groupsDestroyed(names) // NodeBB fires action:groups.destroy
    }),
    async groupsExist (names: string[]) {
      return new Set(names.filter((n) => db.zsets.get('groups:createtime')?.has(n) === true || systemGroups.includes(n) || ephemeralGroups.includes(n)))
    },
    isProtectedGroup: (name: string) => systemGroups.includes(name) || ephemeralGroups.includes(name) || privilegeGroup.test(name),
    joinGroup: op('joinGroup', async (name: string, uids: number[]) => {
      for (const uid of uids) await join([name], uid)
    }),
    leaveGroup: op('leaveGroup', async (name: string, uids: number[]) => {
      for (const uid of uids) await leave([name], uid)
    }),
    // as the real platform: one NodeBB groups.join per user, for all its groups (nodebb/batch.ts)
    joinGroups: op('joinGroups', async (memberships: GroupMembership[]) => {
      await settleAll([...membershipsByUser(memberships)].map(([uid, names]) => async () => {
        count('nodebb:groups.join')
        await join(names, uid)
      }))
    }),
    leaveGroups: op('leaveGroups', async (memberships: GroupMembership[]) => {
      for (const [uid, names] of membershipsByUser(memberships)) {
        count('nodebb:groups.leave')
        await leave(names, uid)
      }
    }),
    getGroupMembers: (names: string[]) => readGroupMembers(db, names),
    countGroupMembers: (names: string[]) => countGroupMembers(db, names),
    groupsOfUser: (uid: number, names: string[]) => groupsOfUser(db, uid, names),
    oidcUidsOf: (ids: string[]) => readOidcUids(db, ids),
    oidcIdsOf: (uids: number[]) => readOidcIds(db, uids),
    setOidcId: op('setOidcId', async (uid: number, id: string) => {
      await db.setObjectField(nodebbKeys.oidcUidByOidcId, id, uid)
      await db.setObjectField(nodebbKeys.user(uid), nodebbKeys.oidcUserField, id)
    }),
    removeOidcId: op('removeOidcId', async (uid: number, id: string) => {
      await db.deleteObjectField(nodebbKeys.oidcUidByOidcId, id)
      await db.deleteObjectField(nodebbKeys.user(uid), nodebbKeys.oidcUserField)
    }),
    createUser: op('createUser', async (input: CreateUserInput) => {
      const uid = fake.addUser(input.username)
      await db.setObject(`user:${uid}`, { email: input.email, 'email:confirmed': 1, fullname: input.fullname ?? '' })
      return uid
    }),
    deleteUser: op('deleteUser', async (uid: number) => {
      const username = db.hashes.get(`user:${uid}`)?.get('username')
      await cleanup().userDeleted(uid) // NodeBB fires static:user.delete before it deletes the user's data
      await db.delete(`user:${uid}`)
      if (username !== undefined) {
        await db.sortedSetRemove('username:uid', username)
        await db.sortedSetRemove('userslug:uid', username.toLowerCase())
      }
      await db.sortedSetRemove('group:registered-users:members', String(uid))
    }),
    async isUsernameTaken (username: string) {
      return db.zsets.get('username:uid')?.has(username) === true || db.zsets.get('userslug:uid')?.has(username.toLowerCase()) === true
    },
    async usersExist (uids: number[]) { return new Set(uids.filter((uid) => db.hashes.has(`user:${uid}`))) },
    async getUsers (uids: number[]) {
      return uids.map((uid) => {
        const h = db.hashes.get(`user:${uid}`)
        return h === undefined ? null : { uid, username: h.get('username') ?? '', fullname: h.get('fullname') ?? '' }
      })
    },
    usernameProblem (username: string) {
      // NodeBB 4 defaults: 2..16 characters, utils.isUserNameValid
      if (username.length < 2) return 'username-too-short'
      if (username.length > 16) return 'username-too-long'
      if (!/^['" \-+.*[\]0-9\u00BF-\u1FFF\u2C00-\uD7FF\w]+$/.test(username)) return 'invalid-username'
      return null
    },
    async getSettings () { return fake.settings },
    addTopic (cid: number, uid: number, title: string) {
      const tid = ++nextTid
      const pid = ++nextPid
      const slug = `${tid}/${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`
      db.hashes.set(`topic:${tid}`, new Map([['tid', String(tid)], ['cid', String(cid)], ['title', title], ['slug', slug], ['uid', String(uid)], ['mainPid', String(pid)]]))
      db.hashes.set(`post:${pid}`, new Map([['pid', String(pid)], ['tid', String(tid)], ['uid', String(uid)]]))
      return { tid, pid }
    },
    addPost (tid: number, uid: number) {
      const pid = ++nextPid
      db.hashes.set(`post:${pid}`, new Map([['pid', String(pid)], ['tid', String(tid)], ['uid', String(uid)]]))
      return pid
    },
    async getTopics (tids: number[]) {
      return tids.map((tid) => {
        const h = db.hashes.get(`topic:${tid}`)
        return h === undefined ? null : { tid, cid: Number(h.get('cid')), title: h.get('title') ?? '', slug: h.get('slug') ?? String(tid) }
      })
    },
    async getPosts (pids: number[]) {
      return pids.map((pid) => {
        const h = db.hashes.get(`post:${pid}`)
        return h === undefined ? null : { pid, tid: Number(h.get('tid')), uid: Number(h.get('uid')) }
      })
    },
    siteUrl: () => 'http://nodebb.test',
    async readableCids (cids: number[], uid: number, privilege: 'read' | 'topics:read') {
      // NodeBB's filterCids(privilege): the user's own privilege, a group's, or an administrator
      if (uid > 0 && isMember('administrators', uid)) return cids
      return cids.filter((cid) => allowedTo(privilege, cid, uid))
    },
    async visibleTopics (tids: number[], uid: number) {
      // NodeBB's privileges.topics.filterTids('topics:read'): exists, readable category, deleted only with posts:view_deleted
      const admin = uid > 0 && isMember('administrators', uid)
      return tids.filter((tid) => {
        const topic = db.hashes.get(`topic:${tid}`)
        if (topic === undefined) return false
        const cid = Number(topic.get('cid'))
        if (admin) return true
        return allowedTo('topics:read', cid, uid) && (topic.get('deleted') !== '1' || allowedTo('posts:view_deleted', cid, uid))
      })
    },
    async visiblePosts (pids: number[], uid: number) {
      // NodeBB's privileges.posts.filter('topics:read'): as for topics, a deleted post or a post of a deleted topic
      const admin = uid > 0 && isMember('administrators', uid)
      return pids.filter((pid) => {
        const post = db.hashes.get(`post:${pid}`)
        const topic = post === undefined ? undefined : db.hashes.get(`topic:${post.get('tid') ?? ''}`)
        if (post === undefined || topic === undefined) return false
        const cid = Number(topic.get('cid'))
        if (admin) return true
        const deleted = post.get('deleted') === '1' || topic.get('deleted') === '1'
        return allowedTo('topics:read', cid, uid) && (!deleted || allowedTo('posts:view_deleted', cid, uid))
      })
    },
    setDeleted (kind: 'topic' | 'post', id: number, deleted: boolean) {
      const h = db.hashes.get(`${kind}:${id}`)
      if (h === undefined) throw new Error(`no ${kind} ${id}`)
      h.set('deleted', deleted ? '1' : '0')
    },
    purge (kind: 'topic' | 'post', id: number) {
      db.hashes.delete(`${kind}:${id}`)
    },
    sendNotification: op('sendNotification', async (input: NotificationInput, uids: number[]) => {
      // NodeBB's layout: notifications:<nid>, the 'notifications' index, per-user unread/read sets
      const at = fake.now()
      await db.setObject(`notifications:${input.nid}`, { nid: input.nid, type: 'sunbird', bodyShort: input.title, bodyLong: input.body, ...(input.path === null ? {} : { path: input.path }), ...(input.fromUid > 0 ? { from: input.fromUid } : {}), datetime: at, importance: 5 })
      await db.sortedSetAdd('notifications', at, input.nid)
      // NodeBB skips users who blocked the sender (user:<uid>:blocked) and users who turned the type off
      const pushed = uids.filter((uid) => !(fake.blocked.get(uid)?.has(input.fromUid) ?? false) && !fake.optedOut.has(uid))
      for (const uid of pushed) {
        await db.sortedSetAdd(`uid:${uid}:notifications:unread`, at, input.nid)
        await db.sortedSetRemove(`uid:${uid}:notifications:read`, input.nid)
      }
      return pushed.length
    }),
    markNotificationsRead: op('markNotificationsRead', async (uid: number, nids: string[]) => {
      for (const nid of nids) {
        const at = Number(db.hashes.get(`notifications:${nid}`)?.get('datetime') ?? fake.now())
        await db.sortedSetRemove(`uid:${uid}:notifications:unread`, nid)
        await db.sortedSetAdd(`uid:${uid}:notifications:read`, at, nid)
      }
    }),
    markAllNotificationsRead: op('markAllNotificationsRead', async (uid: number) => {
      for (const [nid, at] of [...(db.zsets.get(`uid:${uid}:notifications:unread`) ?? new Map<string, number>())]) {
        await db.sortedSetRemove(`uid:${uid}:notifications:unread`, nid)
        await db.sortedSetAdd(`uid:${uid}:notifications:read`, at, nid)
      }
    }),
    countNotifications: (uid: number) => countNotifications(db, uid),
    notificationIds: (uid: number, unreadOnly: boolean, offset: number, limit: number) => notificationIds(db, uid, unreadOnly, offset, limit),
    getNotifications: (nids: string[]) => readNotifications(db, nids),
    unreadAmong: (uid: number, nids: string[]) => unreadAmong(db, uid, nids),
    readAmong: (uid: number, nids: string[]) => readAmong(db, uid, nids),
    async translate (texts: string[]) {
      // NodeBB's translator turns `[[ns:key, args]]` into text; the fake keeps the key's name
      return texts.map((t) => t.replace(/\[\[([\w-]+):([\w-]+)(?:,[^\]]*)?\]\]/g, '$2'))
    },
    now: options.now ?? (() => Date.now())
  })
  return fake
}
