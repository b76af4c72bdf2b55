import { ApiError } from '../../shared/errors'
import { fingerprint } from '../../shared/canonical-json'
import type { Platform } from '../platform'
import type { Store } from '../store'
import { UserDirectory } from '../user-directory'
import type { RouteCall } from '../routes'
import { IdempotencyRecords, recordId, type JournalEntry } from './records'
import { noteReplay } from '../audit-trail'

/** A write's journal hook: services call it for each thing they create (see records.ts). */
export type Journal = (entry: JournalEntry) => Promise<void>

export const defaultTtlSeconds = 86_400

export interface IdempotentRoute {
  method: string
  path: string
  handler: (call: RouteCall, journal: Journal | undefined) => Promise<unknown>
}

/**
 * Undoes what a run that died mid-write created, newest first, so its retry makes one forum (or
 * one user), never two: categories purged (NodeBB's delete hook clears their records and groups),
 * groups destroyed, users deleted. Each only if it still exists.
 */
export async function undoJournal (platform: Platform, store: Store, entries: JournalEntry[], uid: number): Promise<void> {
  const directory = new UserDirectory(platform, store)
  for (const entry of [...entries].reverse()) {
    if (entry.kind === 'category') {
      if ((await platform.getCategoryNames([entry.cid])).has(entry.cid)) await platform.purgeCategory(entry.cid, uid)
      const record = await store.getForum(entry.cid)
      if (record !== null) await store.removeForum(record)
    } else if (entry.kind === 'group') {
      const exists = await platform.groupsExist([entry.name])
      if (exists.has(entry.name)) await platform.destroyGroups([entry.name])
      const record = (await store.getGroups([entry.name])).get(entry.name)
      if (record !== undefined) await store.removeGroup(record.name, record.cid)
    } else {
      const exists = (await platform.usersExist([entry.uid])).has(entry.uid)
      const sunbirdId = (await directory.sunbirdIdsOf([entry.uid])).get(entry.uid)
      if (sunbirdId !== undefined) await directory.unmap(sunbirdId, entry.uid)
      if (exists) await platform.deleteUser(entry.uid)
    }
  }
}

/**
 * A write route made exactly-once per msgid (DESIGN, State; issue 18): a repeat of a finished
 * request gets the stored result and writes nothing; a repeat while it runs waits for it (bounded),
 * then IN_PROGRESS; the msgid with another request is CONFLICT; a run that fails (and was undone)
 * frees the msgid. A call without a msgid runs as it is.
 */
export function idempotent (route: IdempotentRoute, records: IdempotencyRecords, platform: Platform, store: Store): (call: RouteCall) => Promise<unknown> {
  const routeId = `${route.method.toUpperCase()} ${route.path}`
  return async (call) => {
    const { msgid, consumer, user, ttlSeconds } = call.caller
    if (msgid === null) return route.handler(call, undefined)
    const id = recordId({ consumer: consumer ?? '-', route: routeId, user: user ?? `uid:${call.uid}`, msgid })
    const ttlMs = (ttlSeconds ?? defaultTtlSeconds) * 1000
    const claim = await records.claim(id, fingerprint(route.method, route.path, { params: call.params, body: call.body }), ttlMs)
    if (claim.kind === 'done') return noteReplay(claim.result)
    if (claim.kind === 'conflict') throw new ApiError('CONFLICT', `msgid ${msgid} was already used for a different request`)
    if (claim.kind === 'in-progress') {
      throw new ApiError('IN_PROGRESS', `A request with msgid ${msgid} is still running; retry with the same msgid in a moment`, { retryAfterMs: 1000 })
    }
    const { owner } = claim
    if (claim.recover.length > 0) {
      await undoJournal(platform, store, claim.recover, call.uid)
      await records.clearJournal(id)
    }
    const beat = setInterval(() => { records.heartbeat(id, owner).catch(() => {}) }, records.heartbeatMs)
    beat.unref()
    let result: unknown
    try {
      result = await route.handler(call, (entry) => records.note(id, entry, ttlMs))
    } catch (err) {
      clearInterval(beat)
      // undone: free the msgid for a retry (best effort: a record left behind is taken over once stale)
      await records.release(id, owner).catch(() => {})
      throw err
    }
    try {
      await records.complete(id, owner, result)
    } catch {
      // done, but not recorded: a retry would not know it. Say so; once the heartbeat is stale a
      // retry undoes what this run created and runs again
      throw new ApiError('OUTCOME_UNKNOWN', 'The write was made but could not be recorded; retry with the same msgid')
    } finally {
      clearInterval(beat)
    }
    return result
  }
}
