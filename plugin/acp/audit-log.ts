import { randomBytes } from 'node:crypto'
import type { Db } from '../platform'

/**
 * The audit log: one entry per call that reached the plugin's routes, in a capped sorted set in
 * NodeBB's database (`sunbird:audit`, score = time, member = the entry as JSON), so it works on
 * every NodeBB database and needs no schema. Newest first when read.
 */
export const auditKey = 'sunbird:audit'
export const auditCap = 10_000

export interface AuditEntry {
  id: string
  /** ms since the epoch */
  at: number
  /** The Sunbird envelope msgid (header `x-sunbird-msgid`), when the caller sent one. */
  msgid: string | null
  /** The acting NodeBB uid (`_uid` with the master token, else the session's). */
  uid: number
  /** The route: `POST /sunbird/forums/:forumId/repair`. */
  operation: string
  forumId: string | null
  /** `ok`, or the error code the call failed with. */
  outcome: string
  /** How long the call took. */
  ms: number
}

export type AuditInput = Omit<AuditEntry, 'id'>

export interface AuditFilter {
  operation?: string
  outcome?: string
  forumId?: string
}

export interface AuditPage {
  entries: AuditEntry[]
  /** Entries matching the filter. */
  count: number
  /** Offset of the next page, null at the end. */
  offset: number | null
}

const scanChunk = 500

function parseEntry (raw: string): AuditEntry | null {
  try {
    const value = JSON.parse(raw) as AuditEntry
    return typeof value === 'object' && value !== null && typeof value.operation === 'string' ? value : null
  } catch {
    return null
  }
}

export function matches (entry: AuditEntry, filter: AuditFilter): boolean {
  return (filter.operation === undefined || entry.operation === filter.operation) &&
    (filter.outcome === undefined || entry.outcome === filter.outcome) &&
    (filter.forumId === undefined || entry.forumId === filter.forumId)
}

export class AuditLog {
  constructor (private readonly db: Db, private readonly cap = auditCap) {}

  async record (input: AuditInput): Promise<void> {
    // entries of one ms sort by member, which starts with the id: a monotonic clock keeps them in order
    const entry: AuditEntry = { id: `${process.hrtime.bigint().toString().padStart(20, '0')}-${randomBytes(3).toString('hex')}`, ...input }
    await this.db.sortedSetAdd(auditKey, entry.at, JSON.stringify(entry))
    const [size] = await this.db.sortedSetsCard([auditKey])
    // trimming in a batch past a small slack keeps the usual record at one write and one read
    if (size !== undefined && size > this.cap + Math.ceil(this.cap / 100)) {
      const oldest = await this.db.getSortedSetRange(auditKey, 0, size - this.cap - 1)
      if (oldest.length > 0) await this.db.sortedSetRemove(auditKey, oldest)
    }
  }

  /**
   * One page, newest first. Unfiltered it is one range read; filtered it scans the log newest
   * first (bounded by the cap) so `count` is exact.
   */
  async list (filter: AuditFilter, limit: number, offset: number): Promise<AuditPage> {
    const filtered = filter.operation !== undefined || filter.outcome !== undefined || filter.forumId !== undefined
    if (!filtered) {
      const [count = 0] = await this.db.sortedSetsCard([auditKey])
      if (offset >= count) return { entries: [], count, offset: null }
      const raws = await this.db.getSortedSetRange(auditKey, -(offset + limit), -(offset + 1))
      const entries = raws.reverse().flatMap((raw) => parseEntry(raw) ?? [])
      return { entries, count, offset: offset + limit < count ? offset + limit : null }
    }
    const entries: AuditEntry[] = []
    let count = 0
    for (let from = 0; from < this.cap * 2; from += scanChunk) {
      const raws = await this.db.getSortedSetRange(auditKey, -(from + scanChunk), -(from + 1))
      for (const raw of raws.reverse()) {
        const entry = parseEntry(raw)
        if (entry === null || !matches(entry, filter)) continue
        if (count >= offset && entries.length < limit) entries.push(entry)
        count++
      }
      if (raws.length < scanChunk) break
    }
    return { entries, count, offset: offset + limit < count ? offset + limit : null }
  }
}
