import { createHash, randomUUID } from 'node:crypto'
import type { Db } from '../platform'

/**
 * Idempotency records in NodeBB's database, where the writes happen: one per API consumer, route,
 * acting user and msgid (DESIGN, State). A record is claimed before the first write (a counter
 * field, atomic on every NodeBB database, decides who runs), then completed with the result, or
 * deleted when the write failed and was undone. While it runs, its owner refreshes a heartbeat; a
 * record whose heartbeat stopped belongs to a process that died mid-write, and the next retry
 * takes it over (one taker wins, by a second counter) after undoing what the journal says was
 * created. Records and journals expire after the TTL.
 */
export const idemKeys = {
  record: (id: string) => `sunbird:idem:${id}`,
  /** What a run created (categories, groups, users), in order: what undoing a dead run removes. */
  journal: (id: string) => `sunbird:idem:${id}:journal`
} as const

export interface RecordKey {
  consumer: string
  /** `METHOD /route/template`. */
  route: string
  /** The acting user (their token's subject), or `uid:<uid>` when no Sunbird user acts. */
  user: string
  msgid: string
}

export function recordId (key: RecordKey): string {
  return createHash('sha256').update([key.consumer, key.route, key.user, key.msgid].join('\n')).digest('base64url')
}

/** Something a run created, to be removed if the run dies before it completes. */
export type JournalEntry =
  | { kind: 'category', cid: number }
  | { kind: 'group', name: string }
  | { kind: 'user', uid: number }

export type Claim =
  /** Run it; `recover` lists what a dead earlier run created (undo it first). */
  | { kind: 'claimed', owner: string, recover: JournalEntry[] }
  | { kind: 'done', result: unknown }
  | { kind: 'conflict' }
  | { kind: 'in-progress' }

export interface RecordOptions {
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  /** A running record's heartbeat is refreshed this often. */
  heartbeatMs?: number
  /** A heartbeat older than this means the run died. */
  staleMs?: number
  /** A duplicate waits this long for the first run to finish before it is told IN_PROGRESS. */
  waitMs?: number
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

interface Raw {
  claims?: string
  takeovers?: string
  fingerprint?: string
  owner?: string
  state?: string
  heartbeatAt?: string
  expiresAt?: string
  result?: string
}

export class IdempotencyRecords {
  readonly heartbeatMs: number
  private readonly staleMs: number
  private readonly waitMs: number
  private readonly now: () => number
  private readonly sleep: (ms: number) => Promise<void>

  constructor (private readonly db: Db, options: RecordOptions = {}) {
    this.now = options.now ?? Date.now
    this.sleep = options.sleep ?? defaultSleep
    this.heartbeatMs = options.heartbeatMs ?? 5000
    this.staleMs = options.staleMs ?? 30_000
    this.waitMs = options.waitMs ?? 3000
  }

  private async read (id: string): Promise<Raw | null> {
    const raw = await this.db.getObject(idemKeys.record(id)) as Raw | null
    // an expired record still in a cache is no record
    if (raw === null || (raw.expiresAt !== undefined && Number(raw.expiresAt) <= this.now())) return null
    return raw
  }

  /**
   * Claims the record for a run of the request with `fingerprint`, or says what became of an
   * earlier run: done (its result), another request under this msgid (conflict), or still running
   * after a bounded wait (in progress).
   */
  async claim (id: string, fingerprint: string, ttlMs: number): Promise<Claim> {
    const key = idemKeys.record(id)
    const started = this.now()
    for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
      // read first: a repeat of a finished request writes nothing at all
      let raw = await this.read(id)
      if (raw === null) {
        if (await this.db.incrObjectFieldBy(key, 'claims', 1) === 1) return this.start(id, fingerprint, ttlMs, [])
        raw = await this.read(id)
        if (raw === null) {
          // expired (or cleared) under a stale counter: start again
          await this.db.delete(key)
          continue
        }
      }
      if (raw.state === undefined) {
        // claimed a moment ago and not yet started; if its claimer died in that moment, the record
        // must not stay stuck: it expires soon unless the claimer starts it (which sets the TTL)
        await this.db.pexpireAt(key, this.now() + this.staleMs)
      }
      if (raw.fingerprint !== undefined && raw.fingerprint !== fingerprint) return { kind: 'conflict' }
      if (raw.state === 'done') return { kind: 'done', result: JSON.parse(raw.result ?? 'null') as unknown }
      const heartbeat = Number(raw.heartbeatAt ?? 0)
      if (raw.state === 'pending' && this.now() - heartbeat > this.staleMs) {
        // the run died: one taker wins the next takeover number
        const seen = Number(raw.takeovers ?? 0)
        if (await this.db.incrObjectFieldBy(key, 'takeovers', 1) === seen + 1) {
          return this.start(id, fingerprint, ttlMs, await this.journal(id))
        }
      }
      if (this.now() - started >= this.waitMs) return { kind: 'in-progress' }
      await this.sleep(delay)
    }
  }

  private async start (id: string, fingerprint: string, ttlMs: number, recover: JournalEntry[]): Promise<Claim> {
    const owner = randomUUID()
    const now = this.now()
    const expiresAt = now + ttlMs
    try {
      await this.db.setObject(idemKeys.record(id), { fingerprint, owner, state: 'pending', heartbeatAt: now, expiresAt })
      await this.db.pexpireAt(idemKeys.record(id), expiresAt)
    } catch (err) {
      // nothing ran: free the msgid rather than leave a claim no one will finish
      await this.db.delete(idemKeys.record(id)).catch(() => {})
      throw err
    }
    return { kind: 'claimed', owner, recover }
  }

  async heartbeat (id: string, owner: string): Promise<void> {
    const raw = await this.read(id)
    if (raw?.owner !== owner) return
    await this.db.setObjectField(idemKeys.record(id), 'heartbeatAt', this.now())
    await this.db.pexpireAt(idemKeys.record(id), Number(raw.expiresAt))
  }

  /** Notes something the run created, before the run goes on (so a dead run's creations can be undone). */
  async note (id: string, entry: JournalEntry, ttlMs: number): Promise<void> {
    const key = idemKeys.journal(id)
    await this.db.sortedSetAdd(key, this.now(), JSON.stringify(entry))
    await this.db.pexpireAt(key, this.now() + ttlMs)
  }

  async journal (id: string): Promise<JournalEntry[]> {
    return (await this.db.getSortedSetRange(idemKeys.journal(id), 0, -1)).flatMap((raw) => {
      try {
        return [JSON.parse(raw) as JournalEntry]
      } catch {
        return []
      }
    })
  }

  async clearJournal (id: string): Promise<void> {
    await this.db.delete(idemKeys.journal(id))
  }

  /** The run finished: its result is what every retry gets until the record expires. */
  async complete (id: string, owner: string, result: unknown): Promise<void> {
    const raw = await this.read(id)
    if (raw?.owner !== owner) throw new Error('the idempotency record was taken over')
    await this.db.setObject(idemKeys.record(id), { state: 'done', result: JSON.stringify(result ?? null), heartbeatAt: this.now() })
    await this.db.pexpireAt(idemKeys.record(id), Number(raw.expiresAt))
    await this.clearJournal(id)
  }

  /** The run failed and was undone: the msgid is free for a retry. */
  async release (id: string, owner: string): Promise<void> {
    if ((await this.read(id))?.owner !== owner) return
    await this.db.deleteAll([idemKeys.record(id), idemKeys.journal(id)])
  }
}
