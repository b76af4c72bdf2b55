import { randomBytes } from 'node:crypto'
import type { Db } from '../platform'
import { isRefusal, matches, needsNames, outcomeMatches, parseEntry, routeKind, type AuditEntry, type AuditFilter } from './audit-entry'

/**
 * The audit log, in NodeBB's database (so it works on Redis, MongoDB and PostgreSQL alike): two
 * capped sorted sets, score = time, member = the entry as JSON.
 * - `sunbird:audit:changes`: calls that changed something.
 * - `sunbird:audit:refused`: calls refused or failed (which change nothing). Any logged-in user
 *   can make thousands of these a second; kept apart, they push out only each other, never a change.
 * Reads are not logged. A filter scans newest first within the time window, so one page reads at
 * most both caps (plus their slack) of entries; an unfiltered page is one range read.
 */
export const auditKeys = {
  changes: 'sunbird:audit:changes',
  refused: 'sunbird:audit:refused',
  /** The one list of earlier versions (every call, reads too), moved into the two when first read. */
  legacy: 'sunbird:audit'
} as const
export const auditCap = 10_000

export type AuditRecord = Omit<AuditEntry, 'id' | 'v'>

export interface AuditPage {
  entries: AuditEntry[]
  /** Entries matching the filter. */
  count: number
  /** Offset of the next page, null at the end. */
  offset: number | null
}

/** Names the entries that were logged without them (refused calls), in place. */
export type NameFiller = (entries: AuditEntry[]) => Promise<void>

const scanChunk = 500

export interface AuditCaps { changes: number, refused: number }

export class AuditLog {
  private readonly caps: AuditCaps

  constructor (private readonly db: Db, caps: Partial<AuditCaps> = {}) {
    this.caps = { changes: caps.changes ?? auditCap, refused: caps.refused ?? auditCap }
  }

  async record (input: AuditRecord): Promise<AuditEntry> {
    // entries of one ms sort by member, which starts with the id: a monotonic clock keeps them in order
    const entry: AuditEntry = { v: 2, id: `${process.hrtime.bigint().toString().padStart(20, '0')}-${randomBytes(3).toString('hex')}`, ...input }
    const refused = isRefusal(entry.outcome)
    await this.add(refused ? auditKeys.refused : auditKeys.changes, refused ? this.caps.refused : this.caps.changes, entry.at, JSON.stringify(entry))
    return entry
  }

  private async add (key: string, cap: number, at: number, value: string): Promise<void> {
    await this.db.sortedSetAdd(key, at, value)
    const [size] = await this.db.sortedSetsCard([key])
    // trimming in a batch past a small slack keeps the usual record at one write and one read
    if (size !== undefined && size > cap + Math.ceil(cap / 100)) {
      const oldest = await this.db.getSortedSetRange(key, 0, size - cap - 1)
      if (oldest.length > 0) await this.db.sortedSetRemove(key, oldest)
    }
  }

  /** The lists a filter reads: an `ok` filter never reads refusals, a refusal filter never reads changes. */
  private static keysFor (outcome: string | undefined): string[] {
    if (outcome === undefined) return [auditKeys.changes, auditKeys.refused]
    return outcome === 'ok' ? [auditKeys.changes] : [auditKeys.refused]
  }

  /** The most entries one list holds (its cap and the slack before a trim). */
  private bound (key: string): number {
    const cap = key === auditKeys.changes ? this.caps.changes : this.caps.refused
    return cap + Math.ceil(cap / 100)
  }

  /** Entries of these lists in the time window, newest first across them, each list read a chunk at a time. */
  private async * newestFirst (keys: string[], min: number | '-inf', max: number | '+inf'): AsyncGenerator<AuditEntry> {
    const cursors = keys.map((key) => ({ key, offset: 0, buffer: [] as AuditEntry[], done: false }))
    const refill = async (c: typeof cursors[number]): Promise<void> => {
      while (c.buffer.length === 0 && !c.done) {
        const raws = await this.db.getSortedSetRevRangeByScore(c.key, c.offset, scanChunk, max, min)
        c.offset += raws.length
        c.done = raws.length < scanChunk || c.offset >= this.bound(c.key)
        c.buffer = raws.flatMap((raw) => parseEntry(raw) ?? [])
      }
    }
    for (;;) {
      await Promise.all(cursors.map(refill))
      let next: typeof cursors[number] | undefined
      for (const c of cursors) {
        const head = c.buffer[0]
        if (head === undefined) continue
        const best = next?.buffer[0]
        if (best === undefined || head.at > best.at || (head.at === best.at && head.id > best.id)) next = c
      }
      if (next === undefined) return
      yield next.buffer.shift() as AuditEntry
    }
  }

  /**
   * One page, newest first. Filtered by no more than the time window and `ok` / `refused`, it is
   * a count and one range read; otherwise it scans the window newest first (at most both lists,
   * each list's cap and slack) so `count` is exact. `fill` names refused entries: the page's only, or
   * every entry scanned when the filter matches names.
   */
  async list (filter: AuditFilter, limit: number, offset: number, fill: NameFiller = async () => {}): Promise<AuditPage> {
    await this.migrateLegacy()
    const keys = AuditLog.keysFor(filter.outcome)
    const max = filter.until ?? '+inf'
    const min = filter.since ?? '-inf'
    const simple = !needsNames(filter) && filter.operation === undefined && (filter.outcome === undefined || filter.outcome === 'ok' || filter.outcome === 'refused')
    if (simple) {
      const count = (await Promise.all(keys.map((k) => this.db.sortedSetCount(k, min, max)))).reduce((a, b) => a + b, 0)
      if (offset >= count) return { entries: [], count, offset: null }
      // several lists read as their union (NodeBB merges them), newest first
      const raws = await this.db.getSortedSetRevRangeByScore(keys.length === 1 ? keys[0] as string : keys, offset, limit, max, min)
      const entries = raws.flatMap((raw) => parseEntry(raw) ?? [])
      await fill(entries)
      return { entries, count, offset: offset + limit < count ? offset + limit : null }
    }
    const named = needsNames(filter)
    const entries: AuditEntry[] = []
    let count = 0
    let chunk: AuditEntry[] = []
    const take = async (): Promise<void> => {
      // names are filled a chunk at a time, and only for entries the cheap tests kept
      if (named) await fill(chunk)
      for (const entry of chunk) {
        if (!matches(entry, filter)) continue
        if (count >= offset && entries.length < limit) entries.push(entry)
        count++
      }
      chunk = []
    }
    for await (const entry of this.newestFirst(keys, min, max)) {
      if (!outcomeMatches(entry.outcome, filter.outcome) || (filter.operation !== undefined && entry.operation !== filter.operation)) continue
      chunk.push(entry)
      if (chunk.length >= scanChunk) await take()
    }
    await take()
    if (!named) await fill(entries)
    return { entries, count, offset: offset + limit < count ? offset + limit : null }
  }

  /**
   * Earlier versions kept every call, reads too, in one list. Its changes and refusals move into
   * the two lists and its reads are dropped, once: the first read after an upgrade does it, and a
   * second process doing it at the same time only adds the same members again.
   */
  async migrateLegacy (): Promise<number> {
    if (!await this.db.exists(auditKeys.legacy)) return 0
    const raws = await this.db.getSortedSetRange(auditKeys.legacy, 0, -1)
    let moved = 0
    for (const raw of raws) {
      const entry = parseEntry(raw)
      if (entry === null) continue
      const refused = isRefusal(entry.outcome)
      if (!refused && !routeKind(entry.route).change) continue
      await this.db.sortedSetAdd(refused ? auditKeys.refused : auditKeys.changes, entry.at, JSON.stringify(entry))
      moved++
    }
    await this.db.delete(auditKeys.legacy)
    return moved
  }
}
