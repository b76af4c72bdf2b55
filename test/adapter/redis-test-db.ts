import { randomUUID } from 'node:crypto'
import { connect } from 'node:net'
import { createRedisClient, type AdapterRedis } from '../../adapter/plugins/redis'

/**
 * Redis for tests: the CI's Redis on 127.0.0.1:6379, database 11, and a random key prefix per
 * test, so tests share nothing with each other or with anything else on that Redis. Cleanup
 * deletes only the keys under that prefix (never FLUSHDB / FLUSHALL).
 */
export const testRedisUrl = 'redis://127.0.0.1:6379/11'

export interface TestRedis {
  url: string
  prefix: string
  client: AdapterRedis
}

/**
 * Resolves when a Redis answers PING at the URL's host and port; otherwise rejects at once (within
 * `limitMs`) saying that this test needs Redis and how to start one. The client itself would keep
 * reconnecting, and the test would hang until tap's timeout.
 */
export async function redisAnswers (url: string, limitMs = 5000): Promise<void> {
  const { hostname, port } = new URL(url)
  const where = `${hostname}:${port === '' ? '6379' : port}`
  const answered = await new Promise<string | true>((resolve) => {
    const socket = connect(Number(port === '' ? 6379 : port), hostname)
    socket.setTimeout(limitMs, () => { socket.destroy(); resolve(`no answer within ${limitMs} ms`) })
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (d) => { socket.destroy(); resolve(String(d).startsWith('+PONG') ? true : `answered ${JSON.stringify(String(d).slice(0, 40))}`) })
  })
  if (answered !== true) {
    throw new Error(`this test needs Redis at ${where} and it does not answer (${answered}). Start one with ` +
      '`redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no` ' +
      '(Debian: `apt-get install redis-server`) or `docker run -d -p 127.0.0.1:6379:6379 redis:7`; .ci/run starts one itself.')
  }
}

export async function testRedis (t: { teardown: (fn: () => unknown) => void }): Promise<TestRedis> {
  await redisAnswers(testRedisUrl)
  const prefix = `sunbird-test-${randomUUID()}:`
  const client = createRedisClient(testRedisUrl)
  client.on('error', () => {})
  await client.connect()
  t.teardown(async () => {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) {
      if (keys.length > 0) await client.del(keys)
    }
    await client.close()
  })
  return { url: testRedisUrl, prefix, client }
}
