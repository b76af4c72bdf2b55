import type { Platform } from '../platform'
import type { Store } from '../store'
import type { AuditTrail, ForumFacts } from '../audit-trail'
import { isRefusal, routeKind, type AuditActor } from './audit-entry'
import { AuditLog } from './audit-log'
import { AuditNames } from './audit-names'
import { factsOf } from './audit-summary'

/** What the route mounting reports after every call (plugin/routes.ts auditRecord builds it). */
export interface AuditInput {
  /** ms since the epoch */
  at: number
  ms: number
  msgid: string | null
  /** The acting NodeBB uid. */
  uid: number
  /** `PATCH /sunbird/forums/:forumId` */
  route: string
  /** The route's forum id, when it has one. */
  forumId: string | null
  /** `ok`, or the error code the call failed with. */
  outcome: string
  /** What the adapter said of the caller; nulls when it said nothing (or was not trusted to). */
  caller: { consumer: string | null, user: string | null }
  /** What the handler said it changed (audit-trail.ts). */
  trail?: AuditTrail
}

/**
 * Turns what the mounting reports into an audit entry: reads are dropped, refusals go to their
 * own list as they are, and changes are named (actor, forums, members) and summed up into facts.
 */
export class AuditRecorder {
  readonly log: AuditLog
  readonly names: AuditNames

  constructor (platform: Platform, store: Store, log?: AuditLog) {
    this.log = log ?? new AuditLog(platform.db)
    this.names = new AuditNames(platform, store)
  }

  async record (input: AuditInput): Promise<void> {
    const kind = routeKind(input.route)
    const refused = isRefusal(input.outcome)
    // reads change nothing, and neither does a replay of an earlier run (which is logged itself)
    if (!refused && (!kind.change || input.trail?.replayed === true)) return
    const { caller } = input
    const actor: AuditActor = {
      uid: input.uid,
      username: null,
      sunbirdId: caller.user,
      consumer: caller.consumer,
      service: caller.user === null && caller.consumer !== null
    }
    const base = { at: input.at, ms: input.ms, msgid: input.msgid, route: input.route, operation: kind.operation, outcome: input.outcome, actor }
    const routeForum = input.forumId === null ? null : { id: input.forumId, name: null, context: null }
    if (refused || input.trail === undefined) {
      // a change without a trail (a write route that files none) is logged as a change, saying it is not described
      await this.log.record({ ...base, forum: routeForum, forumIds: routeForum === null ? [] : [routeForum.id], facts: [], more: 0, ...(refused ? {} : { undescribed: true as const }) })
      return
    }
    const trail = input.trail
    const uids = [input.uid, ...trail.changes.flatMap((c) => {
      switch (c.kind) {
        case 'level': return 'uid' in c.member ? [c.member.uid] : []
        case 'groupMembers': return [...c.added, ...c.removed]
        case 'userCreated': return [c.uid]
        default: return []
      }
    })]
    const unnamed = [...new Set([trail.root, ...trail.changes.map((c) => 'cid' in c ? c.cid : null)])]
      .flatMap((cid) => cid !== null && !trail.forums.has(cid) ? [cid] : [])
    const [users, looked] = await Promise.all([this.names.users(uids), this.names.forums(unnamed)])
    const forums = new Map<number, ForumFacts>([...looked, ...trail.forums])
    const { facts, more, forum, forumIds } = factsOf(trail, { users, forums })
    const me = users.get(input.uid)
    await this.log.record({
      ...base,
      actor: actor.service ? actor : { ...actor, username: me?.username ?? null, sunbirdId: me?.sunbirdId ?? actor.sunbirdId },
      forum: forum ?? routeForum,
      forumIds,
      facts,
      more
    })
  }
}
