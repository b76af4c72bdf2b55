import { diffPrivileges, type Level } from '../../shared/permission-ladder'
import type { Context } from '../../shared/schemas/common'

/**
 * The pure half of forum create/update: (normalized request, current state) -> the list of NodeBB
 * operations that makes the state what the request declares. No I/O here; the executor applies
 * the list and undoes it on failure. New categories get their cid only when created, so the plan
 * names them by `ref` and names their auto groups by (forum ref, random suffix).
 */

export type ForumRef = { cid: number } | { ref: string }
export type GroupRef = { name: string } | { forum: ForumRef, suffix: string }
export type Member = { uid: number } | { group: GroupRef }

export type Op =
  | { op: 'createCategory', ref: string, name: string, description: string, parent: ForumRef | null, isPrivate: boolean }
  | { op: 'recordForum', forum: ForumRef, context: Context, parent: ForumRef | null, creator: number, isPublic: boolean, indexInContext: boolean }
  | { op: 'createGroup', group: GroupRef, forum: ForumRef, applyToChildren: boolean }
  | { op: 'setGroupApplyToChildren', group: GroupRef, applyToChildren: boolean, previous: boolean }
  | { op: 'joinGroup', group: GroupRef, uids: number[] }
  | { op: 'leaveGroup', group: GroupRef, uids: number[] }
  | { op: 'give', forum: ForumRef, privileges: string[], members: Member[] }
  | { op: 'rescind', forum: ForumRef, privileges: string[], members: Member[] }
  | { op: 'rename', forum: ForumRef, name: string, previous: string }
  | { op: 'touchForum', forum: ForumRef }
  /** Remembers each named member's declared level (null: none), so drift from it can be found and repaired. */
  | { op: 'recordLevels', forum: ForumRef, levels: Array<{ member: Member, level: Level | null }> }

/** One `groups[]` entry, references resolved. */
export interface GroupSpec {
  /** An existing auto group (update), or undefined for a new one. */
  name?: string
  /** undefined: leave the level as it is (update only). */
  level?: Level | null
  applyToChildren: boolean
  /** undefined: leave members as they are; on a new group, none. */
  memberUids?: number[]
}

/** One `privileges[]` entry, references resolved. */
export interface PrivilegeSpec {
  level: Level | null
  applyToChildren: boolean
  uids: number[]
  groupNames: string[]
}

/** A new forum to create (create's root, or a child in create or update). */
export interface NewForumSpec {
  name: string
  description: string
  groups: GroupSpec[]
  privileges: PrivilegeSpec[]
  children: NewForumSpec[]
}

/** What NodeBB holds now for one existing forum, as the planner needs it. */
export interface ForumState {
  cid: number
  name: string
  /** Ladder-relevant privileges held, bare names. */
  users: Map<number, Set<string>>
  groups: Map<string, Set<string>>
  /** This forum's auto groups: members and applyToChildren. */
  autoGroups: Map<string, { members: Set<number>, applyToChildren: boolean }>
  children: ForumState[]
}

export interface CreatePlanInput {
  forum: NewForumSpec
  context: Context
  parentCid: number | null
  isPublic: boolean
  creator: number
}

export interface UpdatePlanInput {
  forum: ForumState
  context: Context
  isPublic: boolean
  actor: number
  name?: string
  groups: GroupSpec[]
  privileges: PrivilegeSpec[]
  children: NewForumSpec[]
}

export interface Plan {
  ops: Op[]
  /** The ref of the root forum created by a create plan. */
  rootRef?: string
}

export interface PlanOptions {
  /** A fresh random suffix for an auto group name (`<forumId>-<suffix>`). */
  suffix: () => string
}

/** A node of the tree being planned: an existing forum or a new one. */
interface Node {
  forum: ForumRef
  /** Current privileges (empty for new forums). */
  users: Map<number, Set<string>>
  groups: Map<string, Set<string>>
  own: { groups: Array<{ ref: GroupRef, level: Level | null | undefined, applyToChildren: boolean }>, privileges: PrivilegeSpec[] }
  children: Node[]
}

type Desired = Map<string, { member: Member, level: Level | null, current: Set<string> }>

function memberKey (member: Member): string {
  if ('uid' in member) return `u:${member.uid}`
  return 'name' in member.group ? `g:${member.group.name}` : `a:${refKey(member.group.forum)}:${member.group.suffix}`
}

function refKey (forum: ForumRef): string {
  return 'cid' in forum ? `cid:${forum.cid}` : `ref:${forum.ref}`
}

/** Declared levels for each node: inherited applyToChildren entries first, own entries after (last wins). */
function desiredLevels (node: Node, inherited: Array<(d: Desired, n: Node) => void>, out: Map<Node, Desired>): void {
  const desired: Desired = new Map()
  const set = (d: Desired, n: Node, member: Member, level: Level | null): void => {
    const current = 'uid' in member
      ? n.users.get(member.uid)
      : ('name' in member.group ? n.groups.get(member.group.name) : undefined)
    d.set(memberKey(member), { member, level, current: current ?? new Set() })
  }
  const passDown: Array<(d: Desired, n: Node) => void> = [...inherited]
  for (const apply of inherited) apply(desired, node)
  for (const g of node.own.groups) {
    if (g.level === undefined) continue
    const level = g.level
    const apply = (d: Desired, n: Node): void => set(d, n, { group: g.ref }, level)
    apply(desired, node)
    if (g.applyToChildren) passDown.push(apply)
  }
  for (const p of node.own.privileges) {
    const apply = (d: Desired, n: Node): void => {
      for (const uid of p.uids) set(d, n, { uid }, p.level)
      for (const name of p.groupNames) set(d, n, { group: { name } }, p.level)
    }
    apply(desired, node)
    if (p.applyToChildren) passDown.push(apply)
  }
  out.set(node, desired)
  for (const child of node.children) desiredLevels(child, passDown, out)
}

/** give/rescind ops for every node, members with the same change on the same forum batched into one call. */
function privilegeOps (root: Node): Op[] {
  const perNode = new Map<Node, Desired>()
  desiredLevels(root, [], perNode)
  const ops: Op[] = []
  for (const [node, desired] of perNode) {
    const gives = new Map<string, { privileges: string[], members: Member[] }>()
    const rescinds = new Map<string, { privileges: string[], members: Member[] }>()
    for (const { member, level, current } of desired.values()) {
      const { give, rescind } = diffPrivileges(current, level)
      const kind = 'uid' in member ? 'u' : 'g'
      if (give.length > 0) push(gives, `${kind}|${give.join(',')}`, give, member)
      if (rescind.length > 0) push(rescinds, `${kind}|${rescind.join(',')}`, rescind, member)
    }
    // rescind before give: a member moving down never holds both levels at once
    for (const r of rescinds.values()) ops.push({ op: 'rescind', forum: node.forum, privileges: r.privileges, members: r.members })
    for (const g of gives.values()) ops.push({ op: 'give', forum: node.forum, privileges: g.privileges, members: g.members })
    if (desired.size > 0) ops.push({ op: 'recordLevels', forum: node.forum, levels: [...desired.values()].map(({ member, level }) => ({ member, level })) })
  }
  return ops
}

function push (map: Map<string, { privileges: string[], members: Member[] }>, key: string, privileges: string[], member: Member): void {
  const entry = map.get(key)
  if (entry === undefined) map.set(key, { privileges, members: [member] })
  else entry.members.push(member)
}

/** Ops and nodes for a new forum subtree (categories parent first, then records, groups, members). */
function newForumOps (
  spec: NewForumSpec, parent: ForumRef | null, ctx: { context: Context, isPublic: boolean, creator: number, indexRoot: boolean },
  options: PlanOptions, counter: { next: number }, ops: Op[]
): Node {
  const ref = `f${counter.next++}`
  const forum: ForumRef = { ref }
  ops.push({ op: 'createCategory', ref, name: spec.name, description: spec.description, parent, isPrivate: !ctx.isPublic })
  ops.push({ op: 'recordForum', forum, context: ctx.context, parent, creator: ctx.creator, isPublic: ctx.isPublic, indexInContext: ctx.indexRoot })
  const node: Node = { forum, users: new Map(), groups: new Map(), own: { groups: [], privileges: spec.privileges }, children: [] }
  for (const g of spec.groups) {
    const group: GroupRef = { forum, suffix: options.suffix() }
    ops.push({ op: 'createGroup', group, forum, applyToChildren: g.applyToChildren })
    if (g.memberUids !== undefined && g.memberUids.length > 0) ops.push({ op: 'joinGroup', group, uids: [...g.memberUids] })
    node.own.groups.push({ ref: group, level: g.level ?? null, applyToChildren: g.applyToChildren })
  }
  for (const child of spec.children) {
    node.children.push(newForumOps(child, forum, { ...ctx, indexRoot: false }, options, counter, ops))
  }
  return node
}

export function planCreate (input: CreatePlanInput, options: PlanOptions): Plan {
  const ops: Op[] = []
  const root = newForumOps(input.forum, input.parentCid === null ? null : { cid: input.parentCid },
    { context: input.context, isPublic: input.isPublic, creator: input.creator, indexRoot: true }, options, { next: 0 }, ops)
  ops.push(...privilegeOps(root))
  return { ops, rootRef: (root.forum as { ref: string }).ref }
}

function existingNode (state: ForumState): Node {
  return {
    forum: { cid: state.cid },
    users: state.users,
    groups: state.groups,
    own: { groups: [], privileges: [] },
    children: state.children.map(existingNode)
  }
}

export function planUpdate (input: UpdatePlanInput, options: PlanOptions): Plan {
  const ops: Op[] = []
  const root = existingNode(input.forum)
  const forum: ForumRef = { cid: input.forum.cid }
  if (input.name !== undefined && input.name !== input.forum.name) {
    ops.push({ op: 'rename', forum, name: input.name, previous: input.forum.name })
  }
  for (const g of input.groups) {
    if (g.name === undefined) {
      const group: GroupRef = { forum, suffix: options.suffix() }
      ops.push({ op: 'createGroup', group, forum, applyToChildren: g.applyToChildren })
      if (g.memberUids !== undefined && g.memberUids.length > 0) ops.push({ op: 'joinGroup', group, uids: [...g.memberUids] })
      root.own.groups.push({ ref: group, level: g.level ?? null, applyToChildren: g.applyToChildren })
      continue
    }
    const existing = input.forum.autoGroups.get(g.name)
    const group: GroupRef = { name: g.name }
    if (existing !== undefined && existing.applyToChildren !== g.applyToChildren && g.level !== undefined) {
      ops.push({ op: 'setGroupApplyToChildren', group, applyToChildren: g.applyToChildren, previous: existing.applyToChildren })
    }
    if (g.memberUids !== undefined) {
      const current = existing?.members ?? new Set<number>()
      const wanted = new Set(g.memberUids)
      const leave = [...current].filter((uid) => !wanted.has(uid))
      const join = g.memberUids.filter((uid) => !current.has(uid))
      if (leave.length > 0) ops.push({ op: 'leaveGroup', group, uids: leave })
      if (join.length > 0) ops.push({ op: 'joinGroup', group, uids: join })
    }
    root.own.groups.push({ ref: group, level: g.level, applyToChildren: g.applyToChildren })
  }
  root.own.privileges = input.privileges
  const counter = { next: 0 }
  for (const child of input.children) {
    root.children.push(newForumOps(child, forum, { context: input.context, isPublic: input.isPublic, creator: input.actor, indexRoot: false }, options, counter, ops))
  }
  ops.push(...privilegeOps(root))
  if (ops.length > 0) ops.push({ op: 'touchForum', forum })
  return { ops }
}
