import { ladderPrivileges } from '../../shared/permission-ladder'
import type { Platform } from '../platform'
import { keys, type ForumRecord, type GroupRecord, type Store } from '../store'
import type { ForumState } from './plan'

/** Who holds which ladder privileges on one category, read from NodeBB's privilege groups. */
export interface PrivilegeHolders {
  users: Map<number, Set<string>>
  groups: Map<string, Set<string>>
}

/** One Sunbird forum as NodeBB holds it now, with its descendants. */
export interface ForumNode {
  record: ForumRecord
  name: string
  holders: PrivilegeHolders
  autoGroups: Array<GroupRecord & { members: number[] }>
  children: ForumNode[]
}

/** NodeBB keeps privilege membership as groups: users in `cid:<cid>:privileges:<p>`, groups in `...:groups:<p>`. */
export function privilegeGroupKeys (cid: number): { user: string[], group: string[] } {
  return {
    user: ladderPrivileges.map((p) => `group:cid:${cid}:privileges:${p}:members`),
    group: ladderPrivileges.map((p) => `group:cid:${cid}:privileges:groups:${p}:members`)
  }
}

/** Privilege holders of many categories in one bulk read. */
export async function readHolders (platform: Platform, cids: number[]): Promise<PrivilegeHolders[]> {
  const keys = cids.flatMap((cid) => { const k = privilegeGroupKeys(cid); return [...k.user, ...k.group] })
  const members = keys.length === 0 ? [] : await platform.db.getSortedSetsMembers(keys)
  const n = ladderPrivileges.length
  return cids.map((_cid, i) => {
    const users = new Map<number, Set<string>>()
    const groups = new Map<string, Set<string>>()
    ladderPrivileges.forEach((privilege, j) => {
      for (const uid of members[i * 2 * n + j] ?? []) add(users, Number(uid), privilege)
      for (const name of members[i * 2 * n + n + j] ?? []) add(groups, name, privilege)
    })
    return { users, groups }
  })
}

function add<K> (map: Map<K, Set<string>>, key: K, privilege: string): void {
  const set = map.get(key)
  if (set === undefined) map.set(key, new Set([privilege]))
  else set.add(privilege)
}

const maxTreeDepth = 64

/**
 * Reads forums and all their descendants: one round of bulk reads per tree level, however many
 * forums the level has. Forums whose record or category is gone are left out.
 */
export async function readForumTrees (platform: Platform, store: Store, rootCids: number[]): Promise<ForumNode[]> {
  const roots: ForumNode[] = []
  let level: Array<{ cid: number, attach: (node: ForumNode) => void }> = rootCids.map((cid) => ({ cid, attach: (node) => roots.push(node) }))
  // records only ever point down to newer forums, so the tree has no cycles; the bound guards against a corrupted db
  for (let depth = 0; level.length > 0 && depth < maxTreeDepth; depth++) {
    const cids = level.map((l) => l.cid)
    const [records, names, holders, groupNames, childLists] = await Promise.all([
      store.getForums(cids),
      platform.getCategoryNames(cids),
      readHolders(platform, cids),
      cids.length === 0 ? [] : platform.db.getSortedSetsMembers(cids.map(keys.groups)),
      cids.length === 0 ? [] : platform.db.getSortedSetsMembers(cids.map(keys.children))
    ])
    const allGroups = groupNames.flat()
    const [groupRecords, groupMembers] = await Promise.all([
      allGroups.length === 0 ? [] : platform.db.getObjects(allGroups.map(keys.group)),
      allGroups.length === 0 ? [] : platform.db.getSortedSetsMembers(allGroups.map((name) => `group:${name}:members`))
    ])
    let g = 0
    const next: typeof level = []
    level.forEach(({ cid, attach }, i) => {
      const record = records[i]
      const name = names[i]
      const autoGroups = (groupNames[i] ?? []).map((groupName) => {
        const raw = groupRecords[g]
        const members = (groupMembers[g] ?? []).map(Number)
        g++
        return { name: groupName, cid, applyToChildren: raw?.applyToChildren === '1', members }
      })
      if (record === null || record === undefined || name === null || name === undefined) return
      const node: ForumNode = { record, name, holders: holders[i] as PrivilegeHolders, autoGroups, children: [] }
      attach(node)
      for (const child of childLists[i] ?? []) next.push({ cid: Number(child), attach: (c) => node.children.push(c) })
    })
    level = next
  }
  return roots
}

/** The planner's view of a forum tree. */
export function toForumState (node: ForumNode): ForumState {
  return {
    cid: node.record.cid,
    name: node.name,
    users: node.holders.users,
    groups: node.holders.groups,
    autoGroups: new Map(node.autoGroups.map((g) => [g.name, { members: new Set(g.members), applyToChildren: g.applyToChildren }])),
    children: node.children.map(toForumState)
  }
}

export function collectCids (node: ForumNode, out: number[] = []): number[] {
  out.push(node.record.cid)
  for (const child of node.children) collectCids(child, out)
  return out
}
