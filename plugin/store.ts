import type { Db } from './platform'
import type { Context } from '../shared/schemas/common'
import { isLevel, type Level } from '../shared/permission-ladder'
import { readHashFields } from './hash-fields'

/**
 * The plugin's own records in NodeBB's database, under `sunbird:` keys. Every lookup the API
 * makes is a key or hash-field read (by forum id, by context, by Sunbird id, by uid), never a scan.
 */
export const keys = {
  forums: 'sunbird:forums',
  forum: (cid: number) => `sunbird:forum:${cid}`,
  children: (cid: number) => `sunbird:forum:${cid}:children`,
  groups: (cid: number) => `sunbird:forum:${cid}:groups`,
  /** Declared ladder level per member: field `u:<uid>` or `g:<group name>`. */
  levels: (cid: number) => `sunbird:forum:${cid}:levels`,
  /** Levels given here with applyToChildren, which forums created below later inherit: member key -> level or `none`. */
  inherit: (cid: number) => `sunbird:forum:${cid}:inherit`,
  group: (name: string) => `sunbird:group:${name}`,
  context: (context: Context) => `sunbird:context:${context.type}:${context.identifier}`,
  uidBySunbirdId: 'sunbird:uid-by-sunbird-id',
  sunbirdIdByUid: 'sunbird:sunbird-id-by-uid',
  locks: 'sunbird:locks'
} as const

export interface ForumRecord {
  cid: number
  context: Context
  parent: number | null
  creator: number
  isPublic: boolean
  createdOn: number
  updatedOn: number
}

/** An inherited level, or `none`: access removed with applyToChildren (which also overrides an ancestor's grant). */
export type InheritValue = Level | 'none'

export interface GroupRecord {
  name: string
  cid: number
  applyToChildren: boolean
}

function toForumRecord (raw: Record<string, string> | null): ForumRecord | null {
  if (raw === null || raw.cid === undefined) return null
  return {
    cid: Number(raw.cid),
    context: { type: raw.contextType ?? '', identifier: raw.contextId ?? '' },
    parent: raw.parent === undefined || raw.parent === '' ? null : Number(raw.parent),
    creator: Number(raw.creator ?? 0),
    isPublic: raw.isPublic === '1',
    createdOn: Number(raw.createdOn ?? 0),
    updatedOn: Number(raw.updatedOn ?? 0)
  }
}

export class Store {
  constructor (private readonly db: Db) {}

  async getForums (cids: number[]): Promise<Array<ForumRecord | null>> {
    if (cids.length === 0) return []
    return (await this.db.getObjects(cids.map(keys.forum))).map(toForumRecord)
  }

  /** Records keyed by cid; forums without one are absent. */
  async getForumMap (cids: number[]): Promise<Map<number, ForumRecord>> {
    const records = await this.getForums(cids)
    const out = new Map<number, ForumRecord>()
    cids.forEach((cid, i) => { const r = records[i]; if (r !== null && r !== undefined) out.set(cid, r) })
    return out
  }

  async getForum (cid: number): Promise<ForumRecord | null> {
    return (await this.getForums([cid]))[0] ?? null
  }

  async addForum (record: ForumRecord, indexInContext: boolean): Promise<void> {
    await this.db.setObject(keys.forum(record.cid), {
      cid: record.cid,
      contextType: record.context.type,
      contextId: record.context.identifier,
      parent: record.parent === null ? '' : record.parent,
      creator: record.creator,
      isPublic: record.isPublic ? 1 : 0,
      createdOn: record.createdOn,
      updatedOn: record.updatedOn
    })
    await this.db.sortedSetAdd(keys.forums, record.createdOn, String(record.cid))
    if (record.parent !== null) await this.db.sortedSetAdd(keys.children(record.parent), record.createdOn, String(record.cid))
    if (indexInContext) await this.db.sortedSetAdd(keys.context(record.context), record.createdOn, String(record.cid))
  }

  /** Removes a forum's records and index entries (not its groups' records: see removeGroup). */
  async removeForum (record: ForumRecord): Promise<void> {
    await this.db.sortedSetRemove(keys.context(record.context), String(record.cid))
    if (record.parent !== null) await this.db.sortedSetRemove(keys.children(record.parent), String(record.cid))
    await this.db.sortedSetRemove(keys.forums, String(record.cid))
    await this.db.deleteAll([keys.forum(record.cid), keys.children(record.cid), keys.groups(record.cid), keys.levels(record.cid), keys.inherit(record.cid)])
  }

  /** Takes a forum out of its context's index, and back. */
  async unlinkContext (record: ForumRecord): Promise<void> {
    await this.db.sortedSetRemove(keys.context(record.context), String(record.cid))
  }

  async linkContext (record: ForumRecord): Promise<void> {
    await this.db.sortedSetAdd(keys.context(record.context), record.createdOn, String(record.cid))
  }

  async touchForum (cid: number, now: number): Promise<void> {
    if (await this.db.exists(keys.forum(cid))) await this.db.setObjectField(keys.forum(cid), 'updatedOn', now)
  }

  async getLevels (cid: number, fields: string[]): Promise<Record<string, Level | null>> {
    if (fields.length === 0) return {}
    const raw = await this.db.getObjectFields(keys.levels(cid), fields)
    return Object.fromEntries(fields.map((f) => { const v = raw[f]; return [f, isLevel(v) ? v : null] }))
  }

  async getAllLevels (cid: number): Promise<Record<string, Level>> {
    const raw = await this.db.getObject(keys.levels(cid)) ?? {}
    return Object.fromEntries(Object.entries(raw).filter((e): e is [string, Level] => isLevel(e[1])))
  }

  /** Sets declared levels; null removes the member's entry. */
  async setLevels (cid: number, levels: Array<{ key: string, level: Level | null }>): Promise<void> {
    const set = levels.filter((l) => l.level !== null)
    if (set.length > 0) await this.db.setObject(keys.levels(cid), Object.fromEntries(set.map((l) => [l.key, l.level as string])))
    for (const l of levels) if (l.level === null) await this.db.deleteObjectField(keys.levels(cid), l.key)
  }

  async childrenOf (cid: number): Promise<number[]> {
    return (await this.db.getSortedSetRange(keys.children(cid), 0, -1)).map(Number)
  }

  async childrenOfMany (cids: number[]): Promise<Map<number, number[]>> {
    const lists = cids.length === 0 ? [] : await this.db.getSortedSetsMembers(cids.map(keys.children))
    return new Map(cids.map((cid, i) => [cid, (lists[i] ?? []).map(Number)]))
  }

  async getInherits (cids: number[]): Promise<Map<number, Record<string, InheritValue>>> {
    const raws = cids.length === 0 ? [] : await this.db.getObjects(cids.map(keys.inherit))
    return new Map(cids.map((cid, i) => [cid, Object.fromEntries(Object.entries(raws[i] ?? {}).filter((e): e is [string, InheritValue] => isLevel(e[1]) || e[1] === 'none'))]))
  }

  async getInheritFields (cid: number, fields: string[]): Promise<Record<string, InheritValue | null>> {
    if (fields.length === 0) return {}
    const raw = await this.db.getObjectFields(keys.inherit(cid), fields)
    return Object.fromEntries(fields.map((f) => { const v = raw[f]; return [f, isLevel(v) || v === 'none' ? v : null] }))
  }

  /** Sets inherited entries; null removes the member's entry. */
  async setInherits (cid: number, entries: Array<{ key: string, value: InheritValue | null }>): Promise<void> {
    const set = entries.filter((e) => e.value !== null)
    if (set.length > 0) await this.db.setObject(keys.inherit(cid), Object.fromEntries(set.map((e) => [e.key, e.value as string])))
    for (const e of entries) if (e.value === null) await this.db.deleteObjectField(keys.inherit(cid), e.key)
  }

  async contextForums (context: Context): Promise<number[]> {
    return (await this.db.getSortedSetRange(keys.context(context), 0, -1)).map(Number)
  }

  async addGroup (group: GroupRecord, now: number): Promise<void> {
    await this.db.setObject(keys.group(group.name), { name: group.name, cid: group.cid, applyToChildren: group.applyToChildren ? 1 : 0 })
    await this.db.sortedSetAdd(keys.groups(group.cid), now, group.name)
  }

  async setGroupApplyToChildren (name: string, applyToChildren: boolean): Promise<void> {
    await this.db.setObjectField(keys.group(name), 'applyToChildren', applyToChildren ? 1 : 0)
  }

  async removeGroup (name: string, cid: number): Promise<void> {
    await this.db.sortedSetRemove(keys.groups(cid), name)
    await this.db.delete(keys.group(name))
  }

  async getGroup (name: string): Promise<GroupRecord | null> {
    const raw = await this.db.getObject(keys.group(name))
    if (raw === null || raw.cid === undefined) return null
    return { name, cid: Number(raw.cid), applyToChildren: raw.applyToChildren === '1' }
  }

  async groupNamesOf (cids: number[]): Promise<Map<number, string[]>> {
    const lists = cids.length === 0 ? [] : await this.db.getSortedSetsMembers(cids.map(keys.groups))
    return new Map(cids.map((cid, i) => [cid, lists[i] ?? []]))
  }

  /** Group records keyed by name; names without one are absent. */
  async getGroups (names: string[]): Promise<Map<string, GroupRecord>> {
    const unique = [...new Set(names)]
    const raws = unique.length === 0 ? [] : await this.db.getObjects(unique.map(keys.group))
    const out = new Map<string, GroupRecord>()
    unique.forEach((name, i) => {
      const raw = raws[i]
      if (raw !== null && raw !== undefined && raw.cid !== undefined) out.set(name, { name, cid: Number(raw.cid), applyToChildren: raw.applyToChildren === '1' })
    })
    return out
  }

  async groupsOf (cid: number): Promise<GroupRecord[]> {
    const names = await this.db.getSortedSetRange(keys.groups(cid), 0, -1)
    if (names.length === 0) return []
    const raws = await this.db.getObjects(names.map(keys.group))
    return names.map((name, i) => ({ name, cid, applyToChildren: raws[i]?.applyToChildren === '1' }))
  }

  // --- Sunbird id <-> uid

  // the maps hold every user: read field by field (see hash-fields.ts)
  async uidsOf (sunbirdIds: string[]): Promise<Array<number | null>> {
    const found = await readHashFields(this.db, keys.uidBySunbirdId, sunbirdIds)
    return sunbirdIds.map((id) => {
      const uid = found.get(id)
      return uid === undefined ? null : Number(uid)
    })
  }

  async sunbirdIdsOf (uids: number[]): Promise<Array<string | null>> {
    const found = await readHashFields(this.db, keys.sunbirdIdByUid, uids.map(String))
    return uids.map((uid) => found.get(String(uid)) ?? null)
  }

  async mapUser (sunbirdId: string, uid: number): Promise<void> {
    await this.db.setObjectField(keys.uidBySunbirdId, sunbirdId, uid)
    await this.db.setObjectField(keys.sunbirdIdByUid, String(uid), sunbirdId)
  }

  /** Removes both directions of one mapping, whichever of them were written. */
  async unmapUser (sunbirdId: string, uid: number): Promise<void> {
    await this.db.deleteObjectField(keys.uidBySunbirdId, sunbirdId)
    await this.db.deleteObjectField(keys.sunbirdIdByUid, String(uid))
  }

  async unmapUid (uid: number): Promise<void> {
    const [sunbirdId] = await this.sunbirdIdsOf([uid])
    if (sunbirdId !== null && sunbirdId !== undefined) await this.db.deleteObjectField(keys.uidBySunbirdId, sunbirdId)
    await this.db.deleteObjectField(keys.sunbirdIdByUid, String(uid))
  }
}
