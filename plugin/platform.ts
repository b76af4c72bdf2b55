/**
 * What the plugin needs from NodeBB, as plain typed operations. The real implementation
 * (nodebb/platform.ts) calls NodeBB's modules; tests use a fake that keeps NodeBB's own storage
 * layout. NodeBB's key names live in nodebb/layout.ts only; everything outside plugin/nodebb/
 * reaches NodeBB's data through these operations, and `db` only for the plugin's own `sunbird:` keys.
 */

/** The subset of NodeBB's database module the plugin uses (same names and semantics). */
export interface Db {
  getObject: (key: string) => Promise<Record<string, string> | null>
  getObjects: (keys: string[]) => Promise<Array<Record<string, string> | null>>
  getObjectsFields: (keys: string[], fields: string[]) => Promise<Array<Record<string, string | null> | null>>
  setObject: (key: string, data: Record<string, string | number>) => Promise<void>
  getObjectField: (key: string, field: string) => Promise<string | null>
  getObjectFields: (key: string, fields: string[]) => Promise<Record<string, string | null>>
  setObjectField: (key: string, field: string, value: string | number) => Promise<void>
  deleteObjectField: (key: string, field: string) => Promise<void>
  incrObjectFieldBy: (key: string, field: string, value: number) => Promise<number>
  delete: (key: string) => Promise<void>
  /** The key (hash or sorted set) expires at this time, ms since the epoch. */
  pexpireAt: (key: string, at: number) => Promise<void>
  deleteAll: (keys: string[]) => Promise<void>
  exists: (key: string) => Promise<boolean>
  sortedSetAdd: (key: string, score: number, value: string) => Promise<void>
  sortedSetRemove: (key: string, value: string | string[]) => Promise<void>
  getSortedSetRange: (key: string, start: number, stop: number) => Promise<string[]>
  getSortedSetsMembers: (keys: string[]) => Promise<string[][]>
  isSortedSetMember: (key: string, value: string) => Promise<boolean>
  isSortedSetMembers: (key: string, values: string[]) => Promise<boolean[]>
  sortedSetsCard: (keys: string[]) => Promise<number[]>
  isMemberOfSortedSets: (keys: string[], value: string) => Promise<boolean[]>
  /** Newest first; several keys read as their union (NodeBB merges them). */
  getSortedSetRevRange: (key: string | string[], start: number, stop: number) => Promise<string[]>
  /** `count` -1: all. Several keys read as their union. */
  getSortedSetRevRangeByScore: (key: string | string[], start: number, count: number, max: number | '+inf', min: number | '-inf') => Promise<string[]>
  getSortedSetRangeByScore: (key: string, start: number, count: number, min: number | '-inf', max: number | '+inf') => Promise<string[]>
  sortedSetCount: (key: string, min: number | '-inf', max: number | '+inf') => Promise<number>
}

/** A NodeBB topic as activity records need it. */
export interface TopicInfo { tid: number, cid: number, title: string, slug: string }

/** A NodeBB post as activity records need it. */
export interface PostInfo { pid: number, tid: number, uid: number }

/** What the plugin sends to NodeBB's notifications module (create, then push). */
export interface NotificationInput {
  nid: string
  /** NodeBB's bodyShort: the line in the bell. */
  title: string
  /** NodeBB's bodyLong. */
  body: string
  /** NodeBB's path: where a click goes. */
  path: string | null
  /** The sending uid, or 0 for none. */
  fromUid: number
}

/** Plugin settings (ACP, meta.settings `sunbird-discussions`). */
export interface PluginSettings {
  /** Created users get `<username>@<emailDomain>`, stored as confirmed. */
  emailDomain: string
  /** Sunbird-mapped users skip NodeBB's post queue and new-user posting delays. */
  exemptNewUserRestrictions: boolean
  /** New forums are public (NodeBB's default grants kept) when a create request does not say. */
  defaultPublic: boolean
  /** NodeBB groups a privilege may name beyond a forum tree's own auto groups. */
  allowedGroups: string[]
  /** Hosts a notification's url may point at, beyond the forum's own. */
  notificationUrlHosts: string[]
  /** Sunbird's existing portal: parent categories it may create forums under, whether those are private, whether its remove deletes. */
  legacyParentCids: number[]
  legacyForumsPrivate: boolean
  legacyRemoveDeletes: boolean
}

export const defaultSettings: PluginSettings = {
  emailDomain: 'sunbird.invalid',
  exemptNewUserRestrictions: true,
  defaultPublic: false,
  allowedGroups: [],
  notificationUrlHosts: [],
  legacyParentCids: [],
  legacyForumsPrivate: false,
  legacyRemoveDeletes: false
}

/** Who holds which ladder privileges (bare names) on one category. */
export interface PrivilegeHolders {
  users: Map<number, Set<string>>
  groups: Map<string, Set<string>>
}

/** One NodeBB notification as stored. */
export interface NotificationRecord {
  nid: string
  type: string | null
  bodyShort: string
  bodyLong: string | null
  path: string | null
  /** 0 when none. */
  fromUid: number
  datetime: number
}

/** A member of a privilege: a uid (user) or a group name. */
export type PrivilegeMember = number | string

/** Privileges (NodeBB names) given to or taken from members on one category. */
export interface PrivilegeGrant {
  cid: number
  privileges: string[]
  members: PrivilegeMember[]
}

/** Users joining or leaving one group. */
export interface GroupMembership {
  name: string
  uids: number[]
}

export interface CreateCategoryInput {
  name: string
  description: string
  parentCid: number
  /** Private: NodeBB's default grants (registered-users, guests, spiders, fediverse) are not made. */
  isPrivate: boolean
}

export interface CreateUserInput {
  username: string
  email: string
  fullname?: string
}

export interface Platform {
  db: Db
  // categories
  createCategory: (input: CreateCategoryInput) => Promise<number>
  purgeCategory: (cid: number, uid: number) => Promise<void>
  renameCategory: (cid: number, name: string) => Promise<void>
  /** cid -> name exactly as stored (never HTML-escaped); categories that do not exist are absent. */
  getCategoryNames: (cids: number[]) => Promise<Map<number, string>>
  categoryUrl: (cid: number) => string
  // privileges (NodeBB names: bare for users, `groups:` prefixed for groups)
  givePrivileges: (cid: number, privileges: string[], members: PrivilegeMember[]) => Promise<void>
  rescindPrivileges: (cid: number, privileges: string[], members: PrivilegeMember[]) => Promise<void>
  /**
   * Many grants in as few NodeBB calls as it takes (nodebb/batch.ts: one per member and privilege
   * list, every category at once), members concurrently. A failure may leave some applied.
   */
  givePrivilegesMany: (grants: PrivilegeGrant[]) => Promise<void>
  /** The same for taking privileges away, one member after another (NodeBB destroys a privilege group its last member leaves). */
  rescindPrivilegesMany: (grants: PrivilegeGrant[]) => Promise<void>
  /** Ladder privilege holders of each category (absent categories hold nothing). */
  getPrivilegeHolders: (cids: number[]) => Promise<Map<number, PrivilegeHolders>>
  /** Administrators and category moderators (NodeBB's isAdminOrMod). */
  isAdminOrMod: (cid: number, uid: number) => Promise<boolean>
  isAdministrator: (uid: number) => Promise<boolean>
  // groups
  createGroup: (name: string) => Promise<void>
  /** Destroys the groups in one NodeBB call (its privilege cleanup scans once per call, not per group). */
  destroyGroups: (names: string[]) => Promise<void>
  /** The names among these that are existing groups. */
  groupsExist: (names: string[]) => Promise<Set<string>>
  /** System groups (administrators, registered-users, ...) and privilege groups may not be used. */
  isProtectedGroup: (name: string) => boolean
  joinGroup: (name: string, uids: number[]) => Promise<void>
  leaveGroup: (name: string, uids: number[]) => Promise<void>
  /** Many memberships: one NodeBB join per user, for all its groups (nodebb/batch.ts), users concurrently. A failure may leave some made. */
  joinGroups: (memberships: GroupMembership[]) => Promise<void>
  /** The same for leaving, one user after another. */
  leaveGroups: (memberships: GroupMembership[]) => Promise<void>
  /** Members (uids) of each group. */
  getGroupMembers: (names: string[]) => Promise<Map<string, number[]>>
  countGroupMembers: (names: string[]) => Promise<Map<string, number>>
  /** The groups among `names` that uid belongs to. */
  groupsOfUser: (uid: number, names: string[]) => Promise<Set<string>>
  // users
  /** Creates a user whose email is stored as confirmed; throws NodeBB's error for a refused username or email. */
  createUser: (input: CreateUserInput) => Promise<number>
  deleteUser: (uid: number) => Promise<void>
  /** Username or its slug already used (NodeBB would otherwise rename the new user silently). */
  isUsernameTaken: (username: string) => Promise<boolean>
  /** The uids among these that are existing users. */
  usersExist: (uids: number[]) => Promise<Set<number>>
  getUsers: (uids: number[]) => Promise<Array<{ uid: number, username: string, fullname: string } | null>>
  /** NodeBB's own username rule; the reason NodeBB gives, or null if it accepts the name. */
  usernameProblem: (username: string) => string | null
  /** nodebb-plugin-sunbird-oidc's map (Sunbird id or Keycloak subject -> uid): users who logged in by SSO. */
  oidcUidsOf: (ids: string[]) => Promise<Map<string, number>>
  /** The reverse, from the user field that plugin sets. */
  oidcIdsOf: (uids: number[]) => Promise<Map<number, string>>
  /** Writes both halves of that map, so a user created here can log in by SSO. */
  setOidcId: (uid: number, id: string) => Promise<void>
  removeOidcId: (uid: number, id: string) => Promise<void>
  getSettings: () => Promise<PluginSettings>
  now: () => number
  // topics, posts and read access (activity)
  getTopics: (tids: number[]) => Promise<Array<TopicInfo | null>>
  getPosts: (pids: number[]) => Promise<Array<PostInfo | null>>
  /** The forum's base URL (NodeBB's `url`), without a trailing slash. */
  siteUrl: () => string
  /** The cids among these where uid holds the category privilege (NodeBB's filterCids; administrators hold all). */
  readableCids: (cids: number[], uid: number, privilege: 'read' | 'topics:read') => Promise<number[]>
  /**
   * The tids among these that uid may see now, as NodeBB's own topic lists decide
   * (privileges.topics.filterTids with `topics:read`): the topic exists (not purged), its category
   * is readable, and a deleted topic needs `posts:view_deleted` there (administrators see all).
   */
  visibleTopics: (tids: number[], uid: number) => Promise<number[]>
  /** The same for posts (privileges.posts.filter): a deleted post, or a post in a deleted topic, needs `posts:view_deleted`. */
  visiblePosts: (pids: number[], uid: number) => Promise<number[]>
  // notifications (NodeBB's notifications module)
  /**
   * notifications.create then notifications.push to these uids. NodeBB pushes in the background
   * (about a second later, 500 users at a time); this waits for it and resolves with how many users
   * it reached (NodeBB skips users who blocked the sender or turned notifications of this kind off).
   */
  sendNotification: (input: NotificationInput, uids: number[]) => Promise<number>
  /** notifications.markReadMultiple */
  markNotificationsRead: (uid: number, nids: string[]) => Promise<void>
  /** notifications.markAllRead */
  markAllNotificationsRead: (uid: number) => Promise<void>
  /** NodeBB's translator over notification texts (`[[notifications:...]]` keys), in the site's language. */
  translate: (texts: string[]) => Promise<string[]>
  countNotifications: (uid: number) => Promise<{ unread: number, read: number }>
  /** A page of a user's notification ids, newest first (unread only, or all). */
  notificationIds: (uid: number, unreadOnly: boolean, offset: number, limit: number) => Promise<string[]>
  getNotifications: (nids: string[]) => Promise<Map<string, NotificationRecord>>
  unreadAmong: (uid: number, nids: string[]) => Promise<Set<string>>
  readAmong: (uid: number, nids: string[]) => Promise<Set<string>>
}
