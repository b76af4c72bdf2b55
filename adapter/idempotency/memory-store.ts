import { randomUUID } from 'node:crypto'
import { doneValue, pendingValue, readValue, type Claim, type IdempotencyStore, type StoredResponse } from './store'

interface Entry {
  value: string
  expiresAt: number
}

export interface MemoryStoreOptions {
  /** Most records kept; the oldest go first beyond it. */
  maxEntries?: number
  /** Most bytes of stored values kept; the oldest go first beyond it. */
  maxBytes?: number
  now?: () => number
}

/**
 * One process's records, bounded by count and size and expiring by TTL. Map order is insertion
 * order, and a key is re-inserted on every write, so the oldest entries sit at the front: that is
 * where expiry sweeps and evictions look. Good for one replica; several replicas need Redis.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly kind = 'memory'
  private readonly entries = new Map<string, Entry>()
  private bytes = 0
  private readonly maxEntries: number
  private readonly maxBytes: number
  private readonly now: () => number

  constructor (options: MemoryStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10000
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024
    this.now = options.now ?? Date.now
  }

  get size (): number {
    return this.entries.size
  }

  async claim (key: string, fingerprint: string, leaseMs: number): Promise<Claim> {
    const current = this.get(key)
    if (current !== undefined) return readValue(current)
    const marker = pendingValue(fingerprint, randomUUID())
    this.set(key, marker, leaseMs)
    return { kind: 'claimed', marker }
  }

  async complete (key: string, marker: string, fingerprint: string, response: StoredResponse, ttlMs: number): Promise<void> {
    const current = this.get(key)
    if (current !== undefined && current !== marker) return
    this.set(key, doneValue(fingerprint, response), ttlMs)
  }

  async release (key: string, marker: string): Promise<void> {
    if (this.get(key) === marker) this.delete(key)
  }

  private get (key: string): string | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= this.now()) {
      this.delete(key)
      return undefined
    }
    return entry.value
  }

  private set (key: string, value: string, ttlMs: number): void {
    this.delete(key)
    this.sweep()
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs })
    this.bytes += value.length
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.entries.keys().next()
      if (oldest.done === true) break
      this.delete(oldest.value)
    }
  }

  private delete (key: string): void {
    const entry = this.entries.get(key)
    if (entry === undefined) return
    this.bytes -= entry.value.length
    this.entries.delete(key)
  }

  /** Drops expired entries from the front, a bounded number per write. */
  private sweep (): void {
    const now = this.now()
    let checked = 0
    for (const [key, entry] of this.entries) {
      if (checked++ >= 64) break
      if (entry.expiresAt <= now) this.delete(key)
    }
  }
}
