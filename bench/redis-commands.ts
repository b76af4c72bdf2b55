import { createClient } from 'redis'

/**
 * Counts the commands a Redis server has executed (INFO commandstats), so a benchmark can report
 * the database round trips NodeBB made for one operation. Read-only: it never resets or flushes.
 */
export async function redisCommandCounter (url: string): Promise<{ total: () => Promise<number>, close: () => Promise<void> }> {
  const client = createClient({ url })
  await client.connect()
  return {
    async total () {
      const info = await client.info('commandstats')
      let sum = 0
      for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
        if (match[1] !== 'info') sum += Number(match[2])
      }
      return sum
    },
    close: async () => { await client.quit() }
  }
}
