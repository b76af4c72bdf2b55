import { randomBytes } from 'node:crypto'
import { contextOf, type Activity } from '../../shared/schemas/activity'
import type { Context } from '../../shared/schemas/common'
import type { Db } from '../platform'

/**
 * The activity log in NodeBB's database: each entry an object `sunbird:activity:entry:<id>`, and
 * its id in sorted sets scored by time: every entry, by forum, by context and by acting user, so
 * each filter of the list is one index read. Retention (age and count, from the ACP) is enforced by
 * `trim`, run periodically and every `trimEvery` records.
 */
export const activityKeys = {
  all: 'sunbird:activity',
  entry: (id: string) => `sunbird:activity:entry:${id}`,
  forum: (cid: number | string) => `sunbird:activity:forum:${cid}`,
  context: (context: Context) => `sunbird:activity:context:${context.type}:${context.identifier}`,
  user: (uid: number) => `sunbird:activity:user:${uid}`
} as const

/** The index keys one entry is listed under. */
export function indexKeys (activity: Activity): string[] {
  // an app's event for a context as a whole is in no forum's index
  return [activityKeys.all, ...(activity.forum === null ? [] : [activityKeys.forum(activity.forum.identifier)]), activityKeys.context(contextOf(activity)), activityKeys.user(activity.actor.uid)]
}

export interface Retention { days: number, count: number }

const chunk = 500
const dayMs = 86_400_000

export interface ActivityPageQuery {
  /** One or more index keys; several are read as their union. */
  keys: string[]
  since?: number | undefined
  until?: number | undefined
  limit: number
  offset: number
  /** Entries that survive this are listed and counted; undefined: all (then count is one index count). */
  keep?: ((activity: Activity) => boolean) | undefined
  /** Applied per chunk, for filters that need a bulk lookup (read access). */
  keepChunk?: ((activities: Activity[]) => Promise<Activity[]>) | undefined
}

function parse (raw: Record<string, string> | null): Activity | null {
  if (raw === null || typeof raw.data !== 'string') return null
  try {
    return JSON.parse(raw.data) as Activity
  } catch {
    return null
  }
}

export class ActivityLog {
  private writes = 0

  constructor (private readonly db: Db, private readonly options: { now?: () => number, trimEvery?: number, retention?: () => Promise<Retention> } = {}) {}

  private now (): number { return (this.options.now ?? Date.now)() }

  newId (time: number): string {
    // time first, so ids of one ms sort with the score and two processes never collide
    return `${time.toString(36).padStart(9, '0')}${randomBytes(4).toString('hex')}`
  }

  async record (activity: Activity): Promise<void> {
    await this.db.setObject(activityKeys.entry(activity.id), { data: JSON.stringify(activity) })
    await Promise.all(indexKeys(activity).map((key) => this.db.sortedSetAdd(key, activity.time, activity.id)))
    const every = this.options.trimEvery ?? 100
    if (++this.writes % every === 0 && this.options.retention !== undefined) await this.trim(await this.options.retention())
  }

  async get (ids: string[]): Promise<Activity[]> {
    if (ids.length === 0) return []
    return (await this.db.getObjects(ids.map(activityKeys.entry))).flatMap((raw) => parse(raw) ?? [])
  }

  /**
   * One page newest first, and how many match: exactly when the index answers the filters (one
   * count), else (a filter read entry by entry) the scan stops at the first match past the page,
   * and `count` is a lower bound (`countExact: false`) that still says a next page exists.
   */
  async page (query: ActivityPageQuery): Promise<{ activities: Activity[], count: number, countExact: boolean }> {
    const max = query.until ?? '+inf'
    const min = query.since ?? '-inf'
    if (query.keep === undefined && query.keepChunk === undefined) {
      const counts = await Promise.all(query.keys.map((key) => this.db.sortedSetCount(key, min, max)))
      const count = counts.reduce((a, b) => a + b, 0)
      if (query.offset >= count) return { activities: [], count, countExact: true }
      const ids = await this.db.getSortedSetRevRangeByScore(query.keys.length === 1 ? query.keys[0] as string : query.keys, query.offset, query.limit, max, min)
      return { activities: await this.get(ids), count, countExact: true }
    }
    // a filter the index cannot answer: scan the index range newest first, in chunks that grow from
    // about twice the entries asked for, until one match past the page (or the end of the range)
    const activities: Activity[] = []
    const wanted = query.offset + query.limit + 1
    let count = 0
    for (let start = 0, size = Math.min(chunk, Math.max(50, wanted * 2)); ; start += size, size = Math.min(chunk, size * 2)) {
      const ids = await this.db.getSortedSetRevRangeByScore(query.keys.length === 1 ? query.keys[0] as string : query.keys, start, size, max, min)
      let found = (await this.get(ids)).filter((a) => query.keep?.(a) ?? true)
      if (query.keepChunk !== undefined) found = await query.keepChunk(found)
      for (const a of found) {
        if (count >= query.offset && activities.length < query.limit) activities.push(a)
        count++
        if (count >= wanted) return { activities, count, countExact: false }
      }
      if (ids.length < size) break
    }
    return { activities, count, countExact: true }
  }

  /** Drops entries older than the retention age, then the oldest beyond the retention count. */
  async trim (retention: Retention): Promise<number> {
    let removed = 0
    const cutoff = this.now() - retention.days * dayMs
    for (;;) {
      const old = await this.db.getSortedSetRangeByScore(activityKeys.all, 0, chunk, '-inf', cutoff)
      if (old.length === 0) break
      removed += await this.remove(old)
      if (old.length < chunk) break
    }
    const [size = 0] = await this.db.sortedSetsCard([activityKeys.all])
    for (let excess = size - retention.count; excess > 0; excess -= chunk) {
      const ids = await this.db.getSortedSetRange(activityKeys.all, 0, Math.min(excess, chunk) - 1)
      if (ids.length === 0) break
      removed += await this.remove(ids)
    }
    return removed
  }

  private async remove (ids: string[]): Promise<number> {
    const raws = await this.db.getObjects(ids.map(activityKeys.entry))
    const byKey = new Map<string, string[]>([[activityKeys.all, ids]])
    raws.forEach((raw, i) => {
      const activity = parse(raw)
      if (activity === null) return
      for (const key of indexKeys(activity).slice(1)) byKey.set(key, [...(byKey.get(key) ?? []), ids[i] as string])
    })
    // the entries first: an index id without its entry is skipped when read; the other way round would leak
    await this.db.deleteAll(ids.map(activityKeys.entry))
    for (const [key, members] of byKey) await this.db.sortedSetRemove(key, members)
    return ids.length
  }
}
