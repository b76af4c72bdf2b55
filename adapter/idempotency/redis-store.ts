import { randomUUID } from 'node:crypto'
import { doneValue, pendingValue, readValue, type Claim, type IdempotencyStore, type StoredResponse } from './store'
import type { AdapterRedis } from '../plugins/redis'

/** Replace the value only while it is still the given marker, or gone (the lease ran out unclaimed). */
const completeScript = `
local v = redis.call('GET', KEYS[1])
if v and v ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`

/**
 * Records shared by every replica: the pending marker is taken with SET NX PX, so of concurrent
 * claims exactly one wins; completion and release are compare-and-set scripts on that marker.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly kind = 'redis'

  constructor (private readonly redis: AdapterRedis, private readonly prefix: string) {}

  async claim (key: string, fingerprint: string, leaseMs: number): Promise<Claim> {
    const k = this.prefix + key
    // a value can expire between a failed SET NX and the GET; then try again
    for (let i = 0; i < 3; i++) {
      const marker = pendingValue(fingerprint, randomUUID())
      if (await this.redis.set(k, marker, { condition: 'NX', expiration: { type: 'PX', value: leaseMs } }) === 'OK') return { kind: 'claimed', marker }
      const current = await this.redis.get(k)
      if (current !== null) return readValue(String(current))
    }
    throw new Error('could not claim an idempotency key')
  }

  async complete (key: string, marker: string, fingerprint: string, response: StoredResponse, ttlMs: number): Promise<void> {
    await this.redis.eval(completeScript, { keys: [this.prefix + key], arguments: [marker, doneValue(fingerprint, response), String(ttlMs)] })
  }

  async release (key: string, marker: string): Promise<void> {
    await this.redis.eval(releaseScript, { keys: [this.prefix + key], arguments: [marker] })
  }
}
