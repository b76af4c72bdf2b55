import type { Db } from '../../plugin/platform'

/**
 * An in-memory stand-in for NodeBB's database module with Redis semantics (strings in, strings
 * out; sorted sets ordered by score then value). Every write passes through `beforeWrite`, which
 * the fake platform uses to inject failures.
 */
export class FakeDb implements Db {
  hashes = new Map<string, Map<string, string>>()
  zsets = new Map<string, Map<string, number>>()
  beforeWrite: (what: string) => void = () => {}
  /** Expiry times set with pexpireAt; an expired key is gone when next touched, as in Redis. */
  expiries = new Map<string, number>()
  now: () => number = Date.now

  private expire (key: string): void {
    const at = this.expiries.get(key)
    if (at !== undefined && at <= this.now()) {
      this.expiries.delete(key)
      this.hashes.delete(key)
      this.zsets.delete(key)
    }
  }

  async pexpireAt (key: string, at: number): Promise<void> {
    this.beforeWrite(`pexpireAt ${key}`)
    if (this.hashes.has(key) || this.zsets.has(key)) this.expiries.set(key, at)
  }

  private hash (key: string, create: true): Map<string, string>
  private hash (key: string, create?: false): Map<string, string> | undefined
  private hash (key: string, create = false): Map<string, string> | undefined {
    this.expire(key)
    let h = this.hashes.get(key)
    if (h === undefined && create) { h = new Map(); this.hashes.set(key, h) }
    return h
  }

  private zset (key: string, create: true): Map<string, number>
  private zset (key: string, create?: false): Map<string, number> | undefined
  private zset (key: string, create = false): Map<string, number> | undefined {
    this.expire(key)
    let z = this.zsets.get(key)
    if (z === undefined && create) { z = new Map(); this.zsets.set(key, z) }
    return z
  }

  async getObject (key: string): Promise<Record<string, string> | null> {
    const h = this.hash(key)
    return h === undefined ? null : Object.fromEntries(h)
  }

  async getObjects (keys: string[]): Promise<Array<Record<string, string> | null>> {
    return Promise.all(keys.map((k) => this.getObject(k)))
  }

  async getObjectsFields (keys: string[], fields: string[]): Promise<Array<Record<string, string | null> | null>> {
    return keys.map((k) => {
      const h = this.hash(k)
      return h === undefined ? null : Object.fromEntries(fields.map((f) => [f, h.get(f) ?? null]))
    })
  }

  async setObject (key: string, data: Record<string, string | number>): Promise<void> {
    this.beforeWrite(`setObject ${key}`)
    const h = this.hash(key, true)
    for (const [f, v] of Object.entries(data)) h.set(f, String(v))
  }

  async getObjectField (key: string, field: string): Promise<string | null> {
    return this.hash(key)?.get(field) ?? null
  }

  async getObjectFields (key: string, fields: string[]): Promise<Record<string, string | null>> {
    const h = this.hash(key)
    return Object.fromEntries(fields.map((f) => [f, h?.get(f) ?? null]))
  }

  async setObjectField (key: string, field: string, value: string | number): Promise<void> {
    this.beforeWrite(`setObjectField ${key}`)
    this.hash(key, true).set(field, String(value))
  }

  async deleteObjectField (key: string, field: string): Promise<void> {
    this.beforeWrite(`deleteObjectField ${key}`)
    const h = this.hash(key)
    h?.delete(field)
    if (h !== undefined && h.size === 0) this.hashes.delete(key)
  }

  async incrObjectFieldBy (key: string, field: string, value: number): Promise<number> {
    this.beforeWrite(`incrObjectFieldBy ${key}`)
    const h = this.hash(key, true)
    const next = Number(h.get(field) ?? 0) + value
    h.set(field, String(next))
    return next
  }

  async delete (key: string): Promise<void> {
    this.beforeWrite(`delete ${key}`)
    this.hashes.delete(key)
    this.zsets.delete(key)
    this.expiries.delete(key)
  }

  async deleteAll (keys: string[]): Promise<void> {
    this.beforeWrite(`deleteAll ${keys[0] ?? ''}`)
    for (const k of keys) { this.hashes.delete(k); this.zsets.delete(k); this.expiries.delete(k) }
  }

  async exists (key: string): Promise<boolean> {
    return this.hashes.has(key) || this.zsets.has(key)
  }

  async sortedSetAdd (key: string, score: number, value: string): Promise<void> {
    this.beforeWrite(`sortedSetAdd ${key}`)
    this.zset(key, true).set(String(value), score)
  }

  async sortedSetRemove (key: string, value: string | string[]): Promise<void> {
    this.beforeWrite(`sortedSetRemove ${key}`)
    const z = this.zset(key)
    if (z === undefined) return
    for (const v of Array.isArray(value) ? value : [value]) z.delete(String(v))
    if (z.size === 0) this.zsets.delete(key)
  }

  async getSortedSetRange (key: string, start: number, stop: number): Promise<string[]> {
    const sorted = [...(this.zset(key) ?? new Map<string, number>()).entries()]
      .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([v]) => v)
    return sorted.slice(start, stop === -1 ? undefined : stop + 1)
  }

  async getSortedSetsMembers (keys: string[]): Promise<string[][]> {
    return Promise.all(keys.map((k) => this.getSortedSetRange(k, 0, -1)))
  }

  async isSortedSetMember (key: string, value: string): Promise<boolean> {
    return this.zset(key)?.has(String(value)) ?? false
  }

  async isSortedSetMembers (key: string, values: string[]): Promise<boolean[]> {
    return values.map((v) => this.zset(key)?.has(String(v)) ?? false)
  }

  async sortedSetsCard (keys: string[]): Promise<number[]> {
    return keys.map((k) => this.zset(k)?.size ?? 0)
  }

  async isMemberOfSortedSets (keys: string[], value: string): Promise<boolean[]> {
    return keys.map((k) => this.zset(k)?.has(String(value)) ?? false)
  }

  private sortedEntries (keys: string | string[]): Array<[string, number]> {
    const merged = new Map<string, number>()
    for (const k of Array.isArray(keys) ? keys : [keys]) for (const [v, score] of this.zset(k) ?? []) merged.set(v, score)
    return [...merged.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  }

  private inRange (score: number, min: number | '-inf', max: number | '+inf'): boolean {
    return (min === '-inf' || score >= min) && (max === '+inf' || score <= max)
  }

  async getSortedSetRevRange (key: string | string[], start: number, stop: number): Promise<string[]> {
    const sorted = this.sortedEntries(key).reverse().map(([v]) => v)
    return sorted.slice(start, stop === -1 ? undefined : stop + 1)
  }

  async getSortedSetRevRangeByScore (key: string | string[], start: number, count: number, max: number | '+inf', min: number | '-inf'): Promise<string[]> {
    const sorted = this.sortedEntries(key).reverse().filter(([, s]) => this.inRange(s, min, max)).map(([v]) => v)
    return sorted.slice(start, count === -1 ? undefined : start + count)
  }

  async getSortedSetRangeByScore (key: string, start: number, count: number, min: number | '-inf', max: number | '+inf'): Promise<string[]> {
    const sorted = this.sortedEntries(key).filter(([, s]) => this.inRange(s, min, max)).map(([v]) => v)
    return sorted.slice(start, count === -1 ? undefined : start + count)
  }

  async sortedSetCount (key: string, min: number | '-inf', max: number | '+inf'): Promise<number> {
    return this.sortedEntries(key).filter(([, s]) => this.inRange(s, min, max)).length
  }

  /** Everything stored, in a stable form, for before/after comparisons. */
  dump (): string {
    const hashes = [...this.hashes.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, h]) => [k, [...h.entries()].sort()])
    const zsets = [...this.zsets.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, z]) => [k, [...z.keys()].sort()])
    return JSON.stringify({ hashes, zsets })
  }
}
