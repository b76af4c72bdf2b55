import { createHash } from 'node:crypto'

/**
 * Tokens that verified, by the hash of the token, until they expire. Only successes go in: a
 * failed token is checked again every time (cheap: it fails on the signature or a claim), so a
 * flood of bad tokens can neither pin a refusal nor push good tokens out of the cache, which is
 * what fast-jwt's own cache does with its error entries. Least recently used goes first when full.
 */
export class VerifiedTokenCache<V> {
  private readonly entries = new Map<string, { value: V, expiresAt: number }>()

  constructor (private readonly size: number, private readonly now: () => number = Date.now) {}

  static keyOf (token: string): string {
    return createHash('sha256').update(token).digest('base64url')
  }

  get (key: string): V | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    this.entries.delete(key)
    if (entry.expiresAt <= this.now()) return undefined
    // re-inserted: Map order is recency order
    this.entries.set(key, entry)
    return entry.value
  }

  set (key: string, value: V, expiresAt: number): void {
    if (this.size <= 0 || expiresAt <= this.now()) return
    this.entries.delete(key)
    this.entries.set(key, { value, expiresAt })
    while (this.entries.size > this.size) {
      const oldest = this.entries.keys().next()
      if (oldest.done === true) break
      this.entries.delete(oldest.value)
    }
  }

  get length (): number {
    return this.entries.size
  }
}
