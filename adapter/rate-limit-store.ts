import type { AdapterRedis } from './plugins/redis'

type Callback = (error: Error | null, result?: { current: number, ttl: number }) => void

/** INCR, the window set on the first hit, and the time left, in one script (any Redis from 2.6; no `PEXPIRE ... NX`, which needs 7). */
const incrScript = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { current, ttl }`

/**
 * @fastify/rate-limit's store contract over the node `redis` client the adapter already uses (the
 * plugin's own Redis store expects ioredis).
 */
export class RedisRateLimitStore {
  constructor (private readonly redis: AdapterRedis, private readonly prefix: string, private readonly windowMs: number) {}

  static factory (redis: AdapterRedis, prefix: string) {
    return class {
      private readonly store: RedisRateLimitStore
      constructor (options: { timeWindow?: unknown }) {
        this.store = new RedisRateLimitStore(redis, prefix, Number(options.timeWindow ?? 60000))
      }

      incr (key: string, callback: Callback, timeWindow?: number): void { this.store.incr(key, callback, timeWindow) }
      child () { return this }
    }
  }

  incr (key: string, callback: Callback, timeWindow?: number): void {
    const window = timeWindow ?? this.windowMs
    this.redis.eval(incrScript, { keys: [this.prefix + key], arguments: [String(window)] })
      .then((reply) => {
        const [current, ttl] = reply as [number, number]
        callback(null, { current: Number(current), ttl: Math.max(0, Number(ttl)) })
      })
      .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))))
  }
}
