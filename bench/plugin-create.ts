/**
 * bench/plugin-create: what one forum create costs inside a real NodeBB, against a bare category
 * create, measured in one run: wall time (median of RUNS) and Redis commands (NodeBB's database
 * round trips, from INFO commandstats). Needs NODEBB_URL, NODEBB_TOKEN and NODEBB_REDIS_URL (the
 * Redis NodeBB uses). Loopback only; every forum it makes is deleted again.
 */
import { hostname, cpus } from 'node:os'
import { callNodebb } from '../test/e2e/nodebb'
import { benchSetup } from './nodebb-setup'

const RUNS = Number(process.env.RUNS ?? 7)

function median (values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

async function main (): Promise<void> {
  const setup = await benchSetup('plugin-create', 30, 'b')
  if (setup === null) return
  const { nb, redis, tag, users } = setup
  const admin = nb.adminUid
  const groups = (offset: number) => [0, 1, 2].map((g) => ({ permissions: [['read', 'post', 'topic'][g] as string], members: users.slice(((offset + g) * 10) % 30, ((offset + g) * 10) % 30 + 10) }))
  const body = {
    name: `bench ${tag}`,
    context: { type: 'batch', identifier: `bench-${tag}` },
    groups: groups(0),
    privileges: [{ permissions: ['moderate'], users: users.slice(0, 2) }],
    children: [0, 1, 2, 3, 4].map((c) => ({ name: `child ${c}`, groups: groups(c + 1), privileges: [{ permissions: ['post'], users: users.slice(10, 20) }] }))
  }

  /** Time over RUNS runs (Redis unwatched), then one more run with its commands counted (MONITOR slows Redis). */
  const measure = async (label: string, op: () => Promise<() => Promise<void>>) => {
    const times: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const start = process.hrtime.bigint()
      const cleanup = await op()
      times.push(Number(process.hrtime.bigint() - start) / 1e6)
      await cleanup()
    }
    const { value: cleanup, commands } = await redis.count(op)
    await cleanup()
    return { label, ms: median(times), commands }
  }

  const bare = await measure('bare category create (NodeBB POST /api/v3/categories)', async () => {
    const res = await callNodebb(nb, 'POST', '/api/v3/categories', admin, { name: `bare ${tag}` })
    const cid = Number((res.body.response as { cid?: number } | undefined)?.cid)
    if (!(cid > 0)) throw new Error(`category create failed: ${JSON.stringify(res.body).slice(0, 300)}`)
    return async () => { await callNodebb(nb, 'DELETE', `/api/v3/categories/${cid}`, admin) }
  })
  const forum = await measure('forum create, 5 children x 3 groups x 10 users (plugin POST /sunbird/forums)', async () => {
    const res = await callNodebb(nb, 'POST', '/api/v3/plugins/sunbird/forums', admin, body)
    const id = (res.body.response as { identifier?: string } | undefined)?.identifier
    if (id === undefined) throw new Error(`forum create failed: ${JSON.stringify(res.body).slice(0, 300)}`)
    return async () => { await callNodebb(nb, 'DELETE', `/api/v3/plugins/sunbird/forums/${id}`, admin) }
  })
  await redis.close()

  console.log(`machine: ${hostname()}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}; NodeBB at ${nb.url}; ${RUNS} runs each, medians`)
  console.log('| operation | time (ms) | Redis commands |')
  console.log('|---|---|---|')
  for (const r of [bare, forum]) console.log(`| ${r.label} | ${r.ms.toFixed(1)} | ${r.commands} |`)
  console.log(`ratio forum/bare: time ${(forum.ms / bare.ms).toFixed(2)}x, commands ${(forum.commands / bare.commands).toFixed(2)}x (the forum makes 6 categories, 18 auto groups, 180 memberships)`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
