import { diffPrivileges, type Level } from '../../shared/permission-ladder'
import type { Context } from '../../shared/schemas/common'
import type { ForumRecord, InheritValue } from '../store'
import { memberKey, parseMemberKey } from './member-key'

/**
 * The pure half of forum create, update and delete: (normalized request, current state) -> the
 * list of NodeBB operations that makes the state what the request declares. No I/O here; the
 * executor applies the list and undoes it on failure. New categories get their cid only when
 * created, so the plan names them by `ref` and names their auto groups by (forum ref, random suffix).
 */

export type ForumRef = { cid: number } | { ref: string }
export type GroupRef = { name: string } | { forum: ForumRef, suffix: string }
export type Member = { uid: number } | { group: GroupRef }

/** An auto group being destroyed, with what recreating it would take. */
export interface DoomedGroup {
  name: string
  cid: number
  applyToChildren: boolean
  members: number[]
  /** The privileges it holds, per forum of the tree (bare names). */
  grants: Array<{ cid: number, privileges: string[] }>
}

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
  /** Remembers what forums created here later inherit (applyToChildren entries; null drops a member's entry). */
  | { op: 'recordInherit', forum: ForumRef, entries: Array<{ member: Member, value: InheritValue | null }> }
  /** Destroys a tree's auto groups in one call; undone by recreating them, their members and grants. */
  | { op: 'destroyGroups', groups: DoomedGroup[] }
  /** Purges a category (its topics and posts too): cannot be undone, so a delete plan does it last. */
  | { op: 'purgeCategory', record: ForumRecord }
  /** Takes a forum out of its context's index (fetch by context no longer finds it); the forum stays. */
  | { op: 'unlinkContext', record: ForumRecord }

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
  /** What forums created here later inherit, as recorded (member key -> level or `none`). */
  inherit: Record<string, InheritValue>
  children: ForumState[]
}

/** A level a new forum inherits from the forums above it (a recorded member key, see member-key.ts). */
export interface InheritedLevel {
  key: string
  level: Level | null
}

export interface CreatePlanInput {
  forum: NewForumSpec
  context: Context
  parentCid: number | null
  isPublic: boolean
  creator: number
  /** What the parent and its ancestors give every forum created below them, oldest first. */
  inherited: InheritedLevel[]
  /**
   * With no Sunbird parent: a NodeBB category the new forum's category is made under (the portal's
   * forums go under a category the ACP allows); the forum is a root of its own tree all the same.
   */
  underCategory?: number
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
  /** What new children inherit from the forum and its ancestors, oldest first. */
  inherited: InheritedLevel[]
}

export interface Plan {
  ops: Op[]
  /** The ref of the root forum created by a create plan. */
  rootRef?: string
  /** Member x forum levels declared plus group memberships made: what the grant limit counts. */
  grants: number
}

export interface PlanOptions {
  /** A fresh random suffix for an auto group name (`<forumId>-<suffix>`). */
  suffix: () => string
}

type Applier = (d: Desired, n: Node) => void

/** A node of the tree being planned: an existing forum or a new one. */
interface Node {
  forum: ForumRef
  /** Current privileges (empty for new forums). */
  users: Map<number, Set<string>>
  groups: Map<string, Set<string>>
  own: { groups: Array<{ ref: GroupRef, level: Level | null | undefined, applyToChildren: boolean }>, privileges: PrivilegeSpec[] }
  /** Levels inherited from above the plan (new forums only): applied first, then passed down. */
  seed: Applier[]
  /** Recorded inherit entries (existing forums), so only changes are written. */
  inherit: Record<string, InheritValue>
  children: Node[]
}

type Desired = Map<string, { member: Member, level: Level | null, current: Set<string> }>

/** The key of a plan member: a recorded member key, or (for a group the plan creates) one no real group name can take. */
function keyOf (member: Member): string {
  if ('uid' in member) return memberKey({ uid: member.uid })
  const group = member.group
  return 'name' in group ? memberKey({ groupName: group.name }) : memberKey({ groupName: `/${'cid' in group.forum ? group.forum.cid : group.forum.ref}/${group.suffix}` })
}

function setDesired (d: Desired, n: Node, member: Member, level: Level | null): void {
  const current = 'uid' in member
    ? n.users.get(member.uid)
    : ('name' in member.group ? n.groups.get(member.group.name) : undefined)
  d.set(keyOf(member), { member, level, current: current ?? new Set() })
}

/** Appliers for levels inherited from above the plan. */
function seedAppliers (inherited: InheritedLevel[]): Applier[] {
  return inherited.flatMap(({ key, level }) => {
    const parsed = parseMemberKey(key)
    if (parsed === null) return []
    const member: Member = 'uid' in parsed ? { uid: parsed.uid } : { group: { name: parsed.groupName } }
    return [(d: Desired, n: Node) => setDesired(d, n, member, level)]
  })
}

/** Declared levels for each node: inherited entries first, own entries after (last wins). */
function desiredLevels (node: Node, inherited: Applier[], out: Map<Node, Desired>): void {
  const desired: Desired = new Map()
  const passDown: Applier[] = [...node.seed, ...inherited]
  for (const apply of passDown) apply(desired, node)
  for (const g of node.own.groups) {
    if (g.level === undefined) continue
    const level = g.level
    const apply: Applier = (d, n) => setDesired(d, n, { group: g.ref }, level)
    apply(desired, node)
    if (g.applyToChildren) passDown.push(apply)
  }
  for (const p of node.own.privileges) {
    const apply: Applier = (d, n) => {
      for (const uid of p.uids) setDesired(d, n, { uid }, p.level)
      for (const name of p.groupNames) setDesired(d, n, { group: { name } }, p.level)
    }
    apply(desired, node)
    if (p.applyToChildren) passDown.push(apply)
  }
  out.set(node, desired)
  for (const child of node.children) desiredLevels(child, passDown, out)
}

/** What the node's own entries change in what forums created below it later inherit. */
function inheritEntries (node: Node): Array<{ member: Member, value: InheritValue | null }> {
  const entries = new Map<string, { member: Member, value: InheritValue | null }>()
  const note = (member: Member, level: Level | null, applyToChildren: boolean): void => {
    const key = keyOf(member)
    const value = applyToChildren ? (level ?? 'none') : null
    if ((node.inherit[key] ?? null) === value) entries.delete(key)
    else entries.set(key, { member, value })
  }
  for (const g of node.own.groups) if (g.level !== undefined) note({ group: g.ref }, g.level, g.applyToChildren)
  for (const p of node.own.privileges) {
    for (const uid of p.uids) note({ uid }, p.level, p.applyToChildren)
    for (const name of p.groupNames) note({ group: { name } }, p.level, p.applyToChildren)
  }
  return [...entries.values()]
}

/**
 * give/rescind ops for every node, members with the same change on the same forum batched into one
 * op; every rescind of the tree before every give (a member moving down never holds both levels at
 * once), so the executor can send each run of them to NodeBB as one batch; then the records.
 */
function privilegeOps (root: Node): { ops: Op[], grants: number } {
  const perNode = new Map<Node, Desired>()
  desiredLevels(root, [], perNode)
  const rescindOps: Op[] = []
  const giveOps: Op[] = []
  const ops: Op[] = []
  let grants = 0
  for (const [node, desired] of perNode) {
    grants += desired.size
    const gives = new Map<string, { privileges: string[], members: Member[] }>()
    const rescinds = new Map<string, { privileges: string[], members: Member[] }>()
    for (const { member, level, current } of desired.values()) {
      const { give, rescind } = diffPrivileges(current, level)
      const kind = 'uid' in member ? 'u' : 'g'
      if (give.length > 0) push(gives, `${kind}|${give.join(',')}`, give, member)
      if (rescind.length > 0) push(rescinds, `${kind}|${rescind.join(',')}`, rescind, member)
    }
    for (const r of rescinds.values()) rescindOps.push({ op: 'rescind', forum: node.forum, privileges: r.privileges, members: r.members })
    for (const g of gives.values()) giveOps.push({ op: 'give', forum: node.forum, privileges: g.privileges, members: g.members })
    if (desired.size > 0) ops.push({ op: 'recordLevels', forum: node.forum, levels: [...desired.values()].map(({ member, level }) => ({ member, level })) })
    const inherit = inheritEntries(node)
    if (inherit.length > 0) ops.push({ op: 'recordInherit', forum: node.forum, entries: inherit })
  }
  return { ops: [...rescindOps, ...giveOps, ...ops], grants }
}

function push (map: Map<string, { privileges: string[], members: Member[] }>, key: string, privileges: string[], member: Member): void {
  const entry = map.get(key)
  if (entry === undefined) map.set(key, { privileges, members: [member] })
  else entry.members.push(member)
}

interface NewForumContext { context: Context, isPublic: boolean, creator: number, indexRoot: boolean, seed: Applier[], depth: number }

/**
 * A plan's ops by phase. Ops of one phase do not depend on each other (categories: within one
 * depth), so the executor sends each run of one kind to NodeBB as one batch, siblings concurrently.
 */
interface Phases {
  /** createCategory ops by depth: parents before children, siblings side by side. */
  categories: Op[][]
  records: Op[]
  groups: Op[]
  leaves: Op[]
  joins: Op[]
  next: number
  joinCount: number
}

const newPhases = (): Phases => ({ categories: [], records: [], groups: [], leaves: [], joins: [], next: 0, joinCount: 0 })
const phaseOps = (p: Phases): Op[] => [...p.categories.flat(), ...p.records, ...p.groups, ...p.leaves, ...p.joins]

/** A new auto group, with its members. */
function newGroupOps (g: GroupSpec, forum: ForumRef, options: PlanOptions, phases: Phases): GroupRef {
  const group: GroupRef = { forum, suffix: options.suffix() }
  phases.groups.push({ op: 'createGroup', group, forum, applyToChildren: g.applyToChildren })
  if (g.memberUids !== undefined && g.memberUids.length > 0) {
    phases.joins.push({ op: 'joinGroup', group, uids: [...g.memberUids] })
    phases.joinCount += g.memberUids.length
  }
  return group
}

/** Ops and nodes for a new forum subtree (categories parent first, then records, groups, members). */
function newForumOps (spec: NewForumSpec, parent: ForumRef | null, ctx: NewForumContext, options: PlanOptions, phases: Phases): Node {
  const ref = `f${phases.next++}`
  const forum: ForumRef = { ref }
  ;(phases.categories[ctx.depth] ??= []).push({ op: 'createCategory', ref, name: spec.name, description: spec.description, parent, isPrivate: !ctx.isPublic })
  phases.records.push({ op: 'recordForum', forum, context: ctx.context, parent, creator: ctx.creator, isPublic: ctx.isPublic, indexInContext: ctx.indexRoot })
  const node: Node = { forum, users: new Map(), groups: new Map(), own: { groups: [], privileges: spec.privileges }, seed: ctx.seed, inherit: {}, children: [] }
  for (const g of spec.groups) {
    node.own.groups.push({ ref: newGroupOps(g, forum, options, phases), level: g.level ?? null, applyToChildren: g.applyToChildren })
  }
  // a new forum's children inherit through passDown, not their own seed
  for (const child of spec.children) {
    node.children.push(newForumOps(child, forum, { ...ctx, indexRoot: false, seed: [], depth: ctx.depth + 1 }, options, phases))
  }
  return node
}

export function planCreate (input: CreatePlanInput, options: PlanOptions): Plan {
  const phases = newPhases()
  const root = newForumOps(input.forum, input.parentCid === null ? null : { cid: input.parentCid },
    { context: input.context, isPublic: input.isPublic, creator: input.creator, indexRoot: true, seed: seedAppliers(input.inherited), depth: 0 }, options, phases)
  const privileges = privilegeOps(root)
  const rootRef = (root.forum as { ref: string }).ref
  const under = input.underCategory
  if (under !== undefined && input.parentCid === null) {
    phases.categories[0] = (phases.categories[0] ?? []).map((op) => op.op === 'createCategory' && op.ref === rootRef ? { ...op, parent: { cid: under } } : op)
  }
  return { ops: [...phaseOps(phases), ...privileges.ops], rootRef, grants: privileges.grants + phases.joinCount }
}

/** Unlinks forums from their context: fetch by context stops finding them, nothing else changes. */
export function planUnlink (records: ForumRecord[]): Plan {
  return { ops: records.map((record) => ({ op: 'unlinkContext' as const, record })), grants: 0 }
}

function existingNode (state: ForumState): Node {
  return {
    forum: { cid: state.cid },
    users: state.users,
    groups: state.groups,
    own: { groups: [], privileges: [] },
    seed: [],
    inherit: state.inherit,
    children: state.children.map(existingNode)
  }
}

export function planUpdate (input: UpdatePlanInput, options: PlanOptions): Plan {
  const root = existingNode(input.forum)
  const forum: ForumRef = { cid: input.forum.cid }
  const phases = newPhases()
  const rename: Op[] = input.name !== undefined && input.name !== input.forum.name ? [{ op: 'rename', forum, name: input.name, previous: input.forum.name }] : []
  for (const g of input.groups) {
    if (g.name === undefined) {
      root.own.groups.push({ ref: newGroupOps(g, forum, options, phases), level: g.level ?? null, applyToChildren: g.applyToChildren })
      continue
    }
    const existing = input.forum.autoGroups.get(g.name)
    const group: GroupRef = { name: g.name }
    if (existing !== undefined && existing.applyToChildren !== g.applyToChildren && g.level !== undefined) {
      phases.groups.push({ op: 'setGroupApplyToChildren', group, applyToChildren: g.applyToChildren, previous: existing.applyToChildren })
    }
    if (g.memberUids !== undefined) {
      const current = existing?.members ?? new Set<number>()
      const wanted = new Set(g.memberUids)
      const leave = [...current].filter((uid) => !wanted.has(uid))
      const join = g.memberUids.filter((uid) => !current.has(uid))
      if (leave.length > 0) phases.leaves.push({ op: 'leaveGroup', group, uids: leave })
      if (join.length > 0) phases.joins.push({ op: 'joinGroup', group, uids: join })
      phases.joinCount += join.length
    }
    root.own.groups.push({ ref: group, level: g.level, applyToChildren: g.applyToChildren })
  }
  root.own.privileges = input.privileges
  const seed = seedAppliers(input.inherited)
  for (const child of input.children) {
    root.children.push(newForumOps(child, forum, { context: input.context, isPublic: input.isPublic, creator: input.actor, indexRoot: false, seed, depth: 0 }, options, phases))
  }
  const privileges = privilegeOps(root)
  const ops = [...rename, ...phaseOps(phases), ...privileges.ops]
  if (ops.length > 0) ops.push({ op: 'touchForum', forum })
  return { ops, grants: privileges.grants + phases.joinCount }
}

/** One forum of a tree being deleted, as the delete planner needs it. */
export interface DoomedForum {
  record: ForumRecord
  groups: DoomedGroup[]
  children: DoomedForum[]
}

/**
 * Delete: every auto group of the tree in one destroy (undone by recreating them), then the
 * categories deepest first. A purge cannot be undone, so it comes last: a failure before it
 * changes nothing, and a failure among the purges leaves the forums not yet purged whole, for a
 * retry to finish.
 */
export function planDelete (root: DoomedForum): Plan {
  const groups: DoomedGroup[] = []
  const purges: Op[] = []
  const visit = (node: DoomedForum): void => {
    for (const child of node.children) visit(child)
    groups.push(...node.groups)
    purges.push({ op: 'purgeCategory', record: node.record })
  }
  visit(root)
  return { ops: [...(groups.length > 0 ? [{ op: 'destroyGroups' as const, groups }] : []), ...purges], grants: 0 }
}
