import type { Level } from '../shared/permission-ladder'
import type { Context } from '../shared/schemas/common'

/**
 * What a handler tells the audit log about a change beyond the answer it returns: the forums it
 * touched and what it did to them, in uids, cids and group names (the recorder names them). It
 * travels beside the answer in a WeakMap keyed by the answer object, so the answer's shape, its
 * JSON and every caller of the services stay as they are, and nothing is kept once the answer is
 * gone.
 */

/** A user (uid) or a NodeBB group (name). */
export type ChangedMember = { uid: number } | { group: string }

export type RawChange =
  /** A member's ladder level on one forum: null is none. `repair` puts a drifted member back. */
  | { kind: 'level', cid: number, member: ChangedMember, from: Level | null, to: Level | null, repair?: boolean }
  | { kind: 'forumCreated', cid: number, parent: number | null }
  | { kind: 'renamed', cid: number, from: string, to: string }
  | { kind: 'groupCreated', cid: number, group: string }
  | { kind: 'groupMembers', group: string, added: number[], removed: number[] }
  /** A forum tree purged: the forum, how many forums under it, how many auto groups went with it. */
  | { kind: 'forumDeleted', cid: number, subForums: number, groups: number }
  | { kind: 'notified', cid: number | null, recipients: number, delivered: number }
  | { kind: 'settings', fields: string[] }
  | { kind: 'userCreated', uid: number, identifier: string }

export interface ForumFacts {
  name: string
  context: Context
  parent: number | null
}

export interface AuditTrail {
  /** The forum the call is about (the route's, or the one a create made); null for none. */
  root: number | null
  /** Names and contexts as the handler saw them: a deleted forum's name is known only here. */
  forums: Map<number, ForumFacts>
  changes: RawChange[]
  /** The answer of an earlier run, given again (an idempotent replay): nothing changed this time. */
  replayed?: true
}

const trails = new WeakMap<object, AuditTrail>()

/** Files the trail with the answer and returns the answer. */
export function noteTrail<T extends object> (answer: T, trail: AuditTrail): T {
  trails.set(answer, trail)
  return answer
}

export function trailOf (answer: unknown): AuditTrail | undefined {
  return typeof answer === 'object' && answer !== null ? trails.get(answer) : undefined
}

/** Marks an answer given again from an earlier run: the run that made the change is the one the log keeps. */
export function noteReplay<T> (answer: T): T {
  if (typeof answer === 'object' && answer !== null) trails.set(answer, { root: null, forums: new Map(), changes: [], replayed: true })
  return answer
}
