import { randomUUID } from 'node:crypto'
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

export async function testRedis (t: { teardown: (fn: () => unknown) => void }): Promise<TestRedis> {
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
