import { ApiError } from '../../shared/errors'
import type { Level } from '../../shared/permission-ladder'
import type { Platform, PrivilegeHolders } from '../platform'
import type { ForumRecord, GroupRecord, InheritValue, Store } from '../store'
import type { ForumState } from './plan'
import { memberKey } from './member-key'

/** One Sunbird forum as NodeBB holds it now, with its descendants. */
export interface ForumNode {
  record: ForumRecord
  name: string
  holders: PrivilegeHolders
  autoGroups: Array<GroupRecord & { members: number[] }>
  /** Levels given here with applyToChildren (member key -> level, or `none` for a removal), which forums created below inherit. */
  inherit: Record<string, InheritValue>
  children: ForumNode[]
}

const maxTreeDepth = 64

/**
 * Reads forums and all their descendants: one round of bulk reads per tree level, however many
 * forums the level has, each result keyed by forum or group. Forums whose record or category is
 * gone are left out.
 */
export async function readForumTrees (platform: Platform, store: Store, rootCids: number[]): Promise<ForumNode[]> {
  const roots: ForumNode[] = []
  let level: Array<{ cid: number, attach: (node: ForumNode) => void }> = rootCids.map((cid) => ({ cid, attach: (node) => roots.push(node) }))
  // records only ever point down to newer forums, so the tree has no cycles; the bound guards against a corrupted db
  for (let depth = 0; level.length > 0 && depth < maxTreeDepth; depth++) {
    const cids = level.map((l) => l.cid)
    const [records, names, holders, groupNames, childLists, inherits] = await Promise.all([
      store.getForumMap(cids),
      platform.getCategoryNames(cids),
      platform.getPrivilegeHolders(cids),
      store.groupNamesOf(cids),
      store.childrenOfMany(cids),
      store.getInherits(cids)
    ])
    const allGroups = [...groupNames.values()].flat()
    const [groupRecords, groupMembers] = await Promise.all([store.getGroups(allGroups), platform.getGroupMembers(allGroups)])
    const next: typeof level = []
    for (const { cid, attach } of level) {
      const record = records.get(cid)
      const name = names.get(cid)
      if (record === undefined || name === undefined) continue
      const autoGroups = (groupNames.get(cid) ?? []).map((groupName) => ({
        name: groupName,
        cid,
        applyToChildren: groupRecords.get(groupName)?.applyToChildren ?? false,
        members: groupMembers.get(groupName) ?? []
      }))
      const node: ForumNode = { record, name, holders: holders.get(cid) ?? { users: new Map(), groups: new Map() }, autoGroups, inherit: inherits.get(cid) ?? {}, children: [] }
      attach(node)
      for (const child of childLists.get(cid) ?? []) next.push({ cid: child, attach: (c) => node.children.push(c) })
    }
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
    inherit: node.inherit,
    children: node.children.map(toForumState)
  }
}

export function collectCids (node: ForumNode, out: number[] = []): number[] {
  out.push(node.record.cid)
  for (const child of node.children) collectCids(child, out)
  return out
}

/** Every node of the tree, deepest first (children before their parent). */
export function deepestFirst (node: ForumNode, out: ForumNode[] = []): ForumNode[] {
  for (const child of node.children) deepestFirst(child, out)
  out.push(node)
  return out
}

/** The tree with the forums uid cannot read taken out; a readable forum under one that is not takes its place. */
export function readableOnly (nodes: ForumNode[], readable: Set<number>): ForumNode[] {
  return nodes.flatMap((node) => {
    const children = readableOnly(node.children, readable)
    return readable.has(node.record.cid) ? [{ ...node, children }] : children
  })
}

/** A forum's ancestors, its parent first and the root last (bounded against a corrupted db). */
export async function ancestorsOf (store: Store, record: ForumRecord): Promise<ForumRecord[]> {
  const out: ForumRecord[] = []
  let current = record
  for (let i = 0; i < maxTreeDepth && current.parent !== null; i++) {
    const parent = await store.getForum(current.parent)
    if (parent === null) break
    out.push(parent)
    current = parent
  }
  return out
}

/**
 * What a forum created under `parent` inherits: every applyToChildren entry of the parent and its
 * ancestors, the root's first, so that a nearer forum's later declaration wins; groups given with
 * applyToChildren before entries were recorded count by their group record and recorded level.
 */
export async function inheritedFrom (store: Store, parent: ForumRecord): Promise<Array<{ key: string, level: Level | null }>> {
  const chain = [parent, ...await ancestorsOf(store, parent)].reverse()
  const cids = chain.map((r) => r.cid)
  const [inherits, groupNames, levels] = await Promise.all([store.getInherits(cids), store.groupNamesOf(cids), Promise.all(cids.map((cid) => store.getAllLevels(cid)))])
  const groups = await store.getGroups([...groupNames.values()].flat())
  const out: Array<{ key: string, level: Level | null }> = []
  cids.forEach((cid, i) => {
    const entries = inherits.get(cid) ?? {}
    for (const name of groupNames.get(cid) ?? []) {
      const key = memberKey({ groupName: name })
      const recorded = levels[i]?.[key]
      if (!(key in entries) && groups.get(name)?.applyToChildren === true && recorded !== undefined) out.push({ key, level: recorded })
    }
    for (const [key, value] of Object.entries(entries)) out.push({ key, level: value === 'none' ? null : value })
  })
  return out
}

/** The record of a forum that exists (its record and its category), or null. */
export async function liveForum (platform: Platform, store: Store, cid: number): Promise<ForumRecord | null> {
  const [record, names] = await Promise.all([store.getForum(cid), platform.getCategoryNames([cid])])
  return record !== null && names.has(cid) ? record : null
}

/** The same, or 404 with the given code. */
export async function requireLiveForum (platform: Platform, store: Store, cid: number, code: 'FORUM_NOT_FOUND' | 'PARENT_NOT_FOUND' = 'FORUM_NOT_FOUND'): Promise<ForumRecord> {
  const record = await liveForum(platform, store, cid)
  if (record === null) throw new ApiError(code, `No Sunbird forum ${cid}`)
  return record
}

/** The root of a forum's tree. */
export async function rootOf (store: Store, record: ForumRecord): Promise<number> {
  const chain = await ancestorsOf(store, record)
  return (chain[chain.length - 1] ?? record).cid
}
