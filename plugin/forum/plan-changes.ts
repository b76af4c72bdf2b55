import { levelFromPrivileges } from '../../shared/permission-ladder'
import type { Context } from '../../shared/schemas/common'
import type { AuditTrail, ChangedMember, ForumFacts, RawChange } from '../audit-trail'
import type { ExecuteResult } from './execute'
import type { ForumRef, ForumState, GroupRef, Member, Plan } from './plan'
import type { ForumNode } from './tree'

/**
 * What a forum plan did, for the audit log: read off the plan that ran (the operations the planner
 * computed from the forum's state under its lock) and that state, so a change is described from
 * the same facts it was made from, with no second read that another call could slip between.
 */

export interface DescribeInput {
  plan: Plan
  /** The existing forum tree the plan was made against; null for a create. */
  before: ForumState | null
  /** The context of the tree (a create's comes from the plan). */
  context: Context | null
  /** The parent of the tree's root (null for a root forum). */
  parent: number | null
  executed: Pick<ExecuteResult, 'cids'>
  /** A repair: level changes put members back to their recorded level. */
  repair?: boolean
}

function cidOf (forum: ForumRef, cids: Map<string, number>): number | null {
  return 'cid' in forum ? forum.cid : cids.get(forum.ref) ?? null
}

function groupNameOf (group: GroupRef, cids: Map<string, number>): string | null {
  if ('name' in group) return group.name
  const cid = cidOf(group.forum, cids)
  return cid === null ? null : `${cid}-${group.suffix}`
}

function memberOf (member: Member, cids: Map<string, number>): ChangedMember | null {
  if ('uid' in member) return { uid: member.uid }
  const name = groupNameOf(member.group, cids)
  return name === null ? null : { group: name }
}

const keyOf = (member: ChangedMember): string => 'uid' in member ? `u:${member.uid}` : `g:${member.group}`

/** Every existing forum of the tree with its name and parent, and each one's privileges. */
function walk (state: ForumState, parent: number | null, context: Context, forums: Map<number, ForumFacts>, held: Map<number, ForumState>): void {
  forums.set(state.cid, { name: state.name, context, parent })
  held.set(state.cid, state)
  for (const child of state.children) walk(child, state.cid, context, forums, held)
}

export function describePlan (input: DescribeInput): AuditTrail {
  const { plan, before, executed } = input
  const cids = executed.cids
  const forums = new Map<number, ForumFacts>()
  const held = new Map<number, ForumState>()
  const recorded = plan.ops.find((op) => op.op === 'recordForum')
  const context = input.context ?? (recorded?.op === 'recordForum' ? recorded.context : null) ?? { type: '', identifier: '' }
  if (before !== null) walk(before, input.parent, context, forums, held)
  const root = before?.cid ?? (plan.rootRef === undefined ? null : cids.get(plan.rootRef) ?? null)

  const changes: RawChange[] = []
  const members = new Map<string, Extract<RawChange, { kind: 'groupMembers' }>>()
  // per forum and member: what the member held before and what the plan gave and took
  const touched = new Map<string, { cid: number, member: ChangedMember, give: string[], rescind: string[] }>()
  for (const op of plan.ops) {
    switch (op.op) {
      case 'createCategory': {
        const cid = cids.get(op.ref)
        if (cid === undefined) break
        const parent = op.parent === null ? input.parent : cidOf(op.parent, cids)
        forums.set(cid, { name: op.name, context, parent })
        changes.push({ kind: 'forumCreated', cid, parent })
        break
      }
      case 'rename': {
        const cid = cidOf(op.forum, cids)
        if (cid === null) break
        const facts = forums.get(cid)
        if (facts !== undefined) forums.set(cid, { ...facts, name: op.name })
        changes.push({ kind: 'renamed', cid, from: op.previous, to: op.name })
        break
      }
      case 'createGroup': {
        const cid = cidOf(op.forum, cids)
        const group = groupNameOf(op.group, cids)
        if (cid !== null && group !== null) changes.push({ kind: 'groupCreated', cid, group })
        break
      }
      case 'joinGroup':
      case 'leaveGroup': {
        const group = groupNameOf(op.group, cids)
        if (group === null) break
        let entry = members.get(group)
        if (entry === undefined) {
          entry = { kind: 'groupMembers', group, added: [], removed: [] }
          members.set(group, entry)
          changes.push(entry)
        }
        ;(op.op === 'joinGroup' ? entry.added : entry.removed).push(...op.uids)
        break
      }
      case 'give':
      case 'rescind': {
        const cid = cidOf(op.forum, cids)
        if (cid === null) break
        for (const m of op.members) {
          const member = memberOf(m, cids)
          if (member === null) continue
          const key = `${cid}|${keyOf(member)}`
          let entry = touched.get(key)
          if (entry === undefined) {
            entry = { cid, member, give: [], rescind: [] }
            touched.set(key, entry)
          }
          entry[op.op].push(...op.privileges)
        }
        break
      }
      default:
        break
    }
  }

  for (const { cid, member, give, rescind } of touched.values()) {
    const state = held.get(cid)
    const had = ('uid' in member ? state?.users.get(member.uid) : state?.groups.get(member.group)) ?? new Set<string>()
    const gone = new Set(rescind)
    const has = [...new Set([...had, ...give])].filter((p) => !gone.has(p))
    const from = levelFromPrivileges(had).level
    const to = levelFromPrivileges(has).level
    changes.push({ kind: 'level', cid, member, from, to, ...(input.repair === true ? { repair: true } : {}) })
  }
  return { root, forums, changes }
}

/** A delete: the forum and what went with it, named from the tree read before the purge. */
export function describeDelete (node: ForumNode, parent: number | null, result: { deleted: string[], groupsRemoved: string[] }): AuditTrail {
  const forums = new Map<number, ForumFacts>()
  const visit = (n: ForumNode, p: number | null): void => {
    forums.set(n.record.cid, { name: n.name, context: n.record.context, parent: p })
    for (const child of n.children) visit(child, n.record.cid)
  }
  visit(node, parent)
  return {
    root: node.record.cid,
    forums,
    changes: [{ kind: 'forumDeleted', cid: node.record.cid, subForums: Math.max(0, result.deleted.length - 1), groups: result.groupsRemoved.length }]
  }
}
