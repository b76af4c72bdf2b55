import fp from 'fastify-plugin'
import { createClient } from 'redis'
import type { FastifyInstance } from 'fastify'

/** How long a command may take before it fails (so a hung Redis turns into a 503, not a hung request). */
export const redisCommandTimeoutMs = 2000
/** How long start-up waits for the first connection before going on without it. */
const firstConnectWaitMs = 2000

/** The client with the adapter's options: fail fast while disconnected, bounded commands, backoff. */
export function createRedisClient (url: string) {
  return createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: redisCommandTimeoutMs },
    socket: {
      connectTimeout: redisCommandTimeoutMs,
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5000)
    }
  })
}

export type AdapterRedis = ReturnType<typeof createRedisClient>

declare module 'fastify' {
  interface FastifyInstance {
    /** The Redis client when REDIS_URL is set, else null (state kept in memory). */
    redis: AdapterRedis | null
  }
}

/**
 * The Redis connection. It never blocks the start: with Redis down the adapter starts, /health
 * answers, /ready reports it, and commands fail at once (no offline queue) until it reconnects.
 * The URL may carry a password, so it is never logged.
 */
async function redisPlugin (fastify: FastifyInstance): Promise<void> {
  const url = fastify.config.REDIS_URL
  if (url === '') {
    fastify.decorate('redis', null)
    return
  }
  const log = fastify.log.child({ component: 'redis' })
  const client = createRedisClient(url)
  let up = false
  let warned = false
  client.on('ready', () => {
    if (warned) log.info('Redis is reachable again')
    up = true
    warned = false
  })
  client.on('error', (err: Error & { code?: string }) => {
    // reconnection repeats the error every attempt: say it once per outage
    if (!warned) log.warn({ err: { message: err.message, code: err.code } }, up ? 'lost the Redis connection; reconnecting' : 'cannot reach Redis; retrying in the background')
    warned = true
    up = false
  })
  const connecting = client.connect().then(() => true, () => false)
  // wait for the first connection, its first failure, or the wait limit, whichever comes first
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    connecting,
    new Promise((resolve) => { client.once('error', resolve) }),
    new Promise((resolve) => { timer = setTimeout(resolve, firstConnectWaitMs) })
  ])
  clearTimeout(timer)
  fastify.decorate('redis', client)
  fastify.addHook('onClose', async () => {
    if (client.isReady) await client.close().catch(() => client.destroy())
    else client.destroy()
    await connecting
  })
}

export default fp(redisPlugin, { name: 'redis', fastify: '5.x' })
