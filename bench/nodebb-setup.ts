import { randomBytes } from 'node:crypto'
import { callNodebb, e2eSetting, nodebbTarget, type NodebbTarget } from '../test/e2e/nodebb'
import { redisCommandCounter } from './redis-commands'

export interface BenchSetup {
  nb: NodebbTarget
  redis: Awaited<ReturnType<typeof redisCommandCounter>>
  tag: string
  /** Sunbird ids of the users made for this run (`bench-<tag>-<i>`). */
  users: string[]
}

/**
 * What the NodeBB benchmarks share: the target from NODEBB_URL/NODEBB_TOKEN, a Redis command
 * counter on NODEBB_REDIS_URL (set, or in the settings file of `npm run nodebb -- up`, as the e2e
 * suites read them), and `userCount` Sunbird users made through the plugin. Null (with
 * a line saying why) when the environment does not name a NodeBB.
 */
export async function benchSetup (name: string, userCount: number, usernamePrefix: string): Promise<BenchSetup | null> {
  const nb = nodebbTarget()
  const redisUrl = process.env.NODEBB_REDIS_URL ?? e2eSetting('NODEBB_REDIS_URL')
  if (nb === null || redisUrl === undefined) {
    console.log(`bench/${name} needs NODEBB_URL, NODEBB_TOKEN and NODEBB_REDIS_URL (or npm run nodebb -- up); skipped`)
    return null
  }
  const redis = await redisCommandCounter(redisUrl)
  const tag = randomBytes(3).toString('hex')
  const users: string[] = []
  for (let i = 0; i < userCount; i++) {
    const identifier = `bench-${tag}-${i}`
    const res = await callNodebb(nb, 'POST', '/api/v3/plugins/sunbird/users', nb.adminUid, { identifier, username: `${usernamePrefix}${tag}${i}` })
    if (res.status !== 200) throw new Error(`user create failed: ${JSON.stringify(res.body)}`)
    users.push(identifier)
  }
  return { nb, redis, tag, users }
}
