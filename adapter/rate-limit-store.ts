import type { AdapterRedis } from './plugins/redis'

type Callback = (error: Error | null, result?: { current: number, ttl: number }) => void

/**
 * @fastify/rate-limit's store contract over the node `redis` client the adapter already uses (the
 * plugin's own Redis store expects ioredis): INCR, a window set on the first hit, PTTL, in one MULTI.
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
    const k = this.prefix + key
    this.redis.multi().incr(k).pExpire(k, window, 'NX').pTTL(k).exec()
      .then((replies) => callback(null, { current: Number(replies[0]), ttl: Math.max(0, Number(replies[2])) }))
      .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))))
  }
}
