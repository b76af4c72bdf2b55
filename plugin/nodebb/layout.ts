import { ladderPrivileges } from '../../shared/permission-ladder'
import type { Db, NotificationRecord, PrivilegeHolders } from '../platform'
import { readHashFields } from '../hash-fields'

/**
 * NodeBB's own database layout, where the plugin reads it directly: the bulk reads NodeBB's
 * modules have no batch call for (privilege holders of many categories, members of many groups),
 * and the map nodebb-plugin-sunbird-oidc keeps. The one place these key names are written; the
 * platform (nodebb/platform.ts) and the tests' fake platform both read through these functions.
 * Every result is keyed by what was asked for, never matched by position.
 */
export const nodebbKeys = {
  category: (cid: number) => `category:${cid}`,
  topic: (tid: number) => `topic:${tid}`,
  /** Users holding a category privilege; `groups:<p>` for the groups holding it. */
  privilegeMembers: (cid: number, privilege: string) => `group:cid:${cid}:privileges:${privilege}:members`,
  groupMembers: (name: string) => `group:${name}:members`,
  user: (uid: number) => `user:${uid}`,
  notification: (nid: string) => `notifications:${nid}`,
  unreadNotifications: (uid: number) => `uid:${uid}:notifications:unread`,
  readNotifications: (uid: number) => `uid:${uid}:notifications:read`,
  /** nodebb-plugin-sunbird-oidc: the hash Sunbird id (or full Keycloak subject) -> uid, and the user field it sets. */
  oidcUidByOidcId: 'sunbird-oidcId:uid',
  oidcUserField: 'sunbird-oidcId'
} as const

/** Ladder privilege holders of many categories, in one bulk read. */
export async function readPrivilegeHolders (db: Db, cids: number[]): Promise<Map<number, PrivilegeHolders>> {
  const keyed = cids.flatMap((cid) => ladderPrivileges.flatMap((privilege) => [
    { cid, privilege, kind: 'user' as const, key: nodebbKeys.privilegeMembers(cid, privilege) },
    { cid, privilege, kind: 'group' as const, key: nodebbKeys.privilegeMembers(cid, `groups:${privilege}`) }
  ]))
  const members = keyed.length === 0 ? [] : await db.getSortedSetsMembers(keyed.map((k) => k.key))
  const out = new Map<number, PrivilegeHolders>(cids.map((cid) => [cid, { users: new Map(), groups: new Map() }]))
  keyed.forEach(({ cid, privilege, kind }, i) => {
    const holders = out.get(cid) as PrivilegeHolders
    for (const member of members[i] ?? []) {
      if (kind === 'user') add(holders.users, Number(member), privilege)
      else add(holders.groups, member, privilege)
    }
  })
  return out
}

function add<K> (map: Map<K, Set<string>>, key: K, privilege: string): void {
  const set = map.get(key)
  if (set === undefined) map.set(key, new Set([privilege]))
  else set.add(privilege)
}

/** Members (uids) of many groups, in one bulk read. */
export async function readGroupMembers (db: Db, names: string[]): Promise<Map<string, number[]>> {
  const unique = [...new Set(names)]
  const lists = unique.length === 0 ? [] : await db.getSortedSetsMembers(unique.map(nodebbKeys.groupMembers))
  return new Map(unique.map((name, i) => [name, (lists[i] ?? []).map(Number)]))
}

export async function countGroupMembers (db: Db, names: string[]): Promise<Map<string, number>> {
  const unique = [...new Set(names)]
  const counts = unique.length === 0 ? [] : await db.sortedSetsCard(unique.map(nodebbKeys.groupMembers))
  return new Map(unique.map((name, i) => [name, counts[i] ?? 0]))
}

/** The groups among `names` that uid is a member of. */
export async function groupsOfUser (db: Db, uid: number, names: string[]): Promise<Set<string>> {
  const unique = [...new Set(names)]
  const member = unique.length === 0 ? [] : await db.isMemberOfSortedSets(unique.map(nodebbKeys.groupMembers), String(uid))
  return new Set(unique.filter((_name, i) => member[i] === true))
}

/** Category names as stored (NodeBB 4.11 HTML-escapes them when read through its categories module; 4.14 does not). */
export async function readCategoryNames (db: Db, cids: number[]): Promise<Map<number, string>> {
  const rows = cids.length === 0 ? [] : await db.getObjectsFields(cids.map(nodebbKeys.category), ['cid', 'name'])
  const out = new Map<number, string>()
  cids.forEach((cid, i) => {
    const row = rows[i]
    if (row !== undefined && row !== null && row.cid !== null && row.cid !== undefined && typeof row.name === 'string') out.set(cid, row.name)
  })
  return out
}

/** Sunbird ids (or subjects) -> uid in nodebb-plugin-sunbird-oidc's map. */
export async function readOidcUids (db: Db, ids: string[]): Promise<Map<string, number>> {
  const found = await readHashFields(db, nodebbKeys.oidcUidByOidcId, ids)
  const out = new Map<string, number>()
  for (const [id, value] of found) {
    const uid = Number(value)
    if (Number.isSafeInteger(uid) && uid > 0) out.set(id, uid)
  }
  return out
}

/** Topics as stored: the title as written (NodeBB 4.11 HTML-escapes it when read through its topics module). */
export async function readTopics (db: Db, tids: number[]): Promise<Map<number, { tid: number, cid: number, title: string, slug: string }>> {
  const rows = tids.length === 0 ? [] : await db.getObjectsFields(tids.map(nodebbKeys.topic), ['tid', 'cid', 'title', 'slug'])
  const out = new Map<number, { tid: number, cid: number, title: string, slug: string }>()
  tids.forEach((tid, i) => {
    const row = rows[i]
    if (row === null || row === undefined || Number(row.tid ?? 0) <= 0) return
    out.set(tid, { tid, cid: Number(row.cid ?? 0), title: String(row.title ?? ''), slug: String(row.slug ?? tid) })
  })
  return out
}

/** uid -> the Sunbird id (or subject) nodebb-plugin-sunbird-oidc recorded on the user. */
export async function readOidcIds (db: Db, uids: number[]): Promise<Map<number, string>> {
  const rows = uids.length === 0 ? [] : await db.getObjectsFields(uids.map(nodebbKeys.user), [nodebbKeys.oidcUserField])
  const out = new Map<number, string>()
  uids.forEach((uid, i) => {
    const id = rows[i]?.[nodebbKeys.oidcUserField]
    if (typeof id === 'string' && id !== '') out.set(uid, id)
  })
  return out
}

/** A user's notification counts: unread, and read. */
export async function countNotifications (db: Db, uid: number): Promise<{ unread: number, read: number }> {
  const [unread = 0, read = 0] = await db.sortedSetsCard([nodebbKeys.unreadNotifications(uid), nodebbKeys.readNotifications(uid)])
  return { unread, read }
}

/** A page of a user's notification ids, newest first: unread only, or unread and read merged by time. */
export async function notificationIds (db: Db, uid: number, unreadOnly: boolean, offset: number, limit: number): Promise<string[]> {
  const keys = unreadOnly ? [nodebbKeys.unreadNotifications(uid)] : [nodebbKeys.unreadNotifications(uid), nodebbKeys.readNotifications(uid)]
  return db.getSortedSetRevRange(keys.length === 1 ? keys[0] as string : keys, offset, offset + limit - 1)
}

/** The notifications themselves (missing ones left out), keyed by nid. */
export async function readNotifications (db: Db, nids: string[]): Promise<Map<string, NotificationRecord>> {
  const raws = nids.length === 0 ? [] : await db.getObjects(nids.map(nodebbKeys.notification))
  const out = new Map<string, NotificationRecord>()
  nids.forEach((nid, i) => {
    const raw = raws[i]
    if (raw === null || raw === undefined) return
    out.set(nid, {
      nid: raw.nid ?? nid,
      type: raw.type ?? null,
      bodyShort: raw.bodyShort ?? '',
      bodyLong: raw.bodyLong ?? null,
      path: raw.path ?? null,
      fromUid: Number(raw.from ?? 0),
      datetime: /^[0-9]+$/.test(raw.datetime ?? '') ? Number(raw.datetime) : 0
    })
  })
  return out
}

/** The nids among these that are in the user's unread set. */
export async function unreadAmong (db: Db, uid: number, nids: string[]): Promise<Set<string>> {
  const unread = nids.length === 0 ? [] : await db.isSortedSetMembers(nodebbKeys.unreadNotifications(uid), nids)
  return new Set(nids.filter((_nid, i) => unread[i] === true))
}

/** The nids among these that are in the user's read set. */
export async function readAmong (db: Db, uid: number, nids: string[]): Promise<Set<string>> {
  const read = nids.length === 0 ? [] : await db.isSortedSetMembers(nodebbKeys.readNotifications(uid), nids)
  return new Set(nids.filter((_nid, i) => read[i] === true))
}

/** How many of these uids have the notification in their unread set (it has been pushed to them). */
export async function countPushed (db: Db, nid: string, uids: number[]): Promise<number> {
  if (uids.length === 0) return 0
  const pushed = await db.isMemberOfSortedSets(uids.map(nodebbKeys.unreadNotifications), nid)
  return pushed.filter((p) => p).length
}
