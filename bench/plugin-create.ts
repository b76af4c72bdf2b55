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

  const bareOp = async (): Promise<() => Promise<void>> => {
    const res = await callNodebb(nb, 'POST', '/api/v3/categories', admin, { name: `bare ${tag}` })
    const cid = Number((res.body.response as { cid?: number } | undefined)?.cid)
    if (!(cid > 0)) throw new Error(`category create failed: ${JSON.stringify(res.body).slice(0, 300)}`)
    return async () => { await callNodebb(nb, 'DELETE', `/api/v3/categories/${cid}`, admin) }
  }
  const forumOp = async (): Promise<() => Promise<void>> => {
    const res = await callNodebb(nb, 'POST', '/api/v3/plugins/sunbird/forums', admin, body)
    const id = (res.body.response as { identifier?: string } | undefined)?.identifier
    if (id === undefined) throw new Error(`forum create failed: ${JSON.stringify(res.body).slice(0, 300)}`)
    return async () => { await callNodebb(nb, 'DELETE', `/api/v3/plugins/sunbird/forums/${id}`, admin) }
  }
  const timed = async (op: () => Promise<() => Promise<void>>): Promise<number> => {
    const start = process.hrtime.bigint()
    const cleanup = await op()
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    await cleanup()
    return ms
  }
  // side by side, in alternating order (ABBA), so a machine whose speed drifts weighs on both alike
  const bareTimes: number[] = []
  const forumTimes: number[] = []
  const ratios: number[] = []
  for (let i = 0; i < RUNS; i++) {
    let b: number
    let f: number
    if (i % 2 === 0) { b = await timed(bareOp); f = await timed(forumOp) } else { f = await timed(forumOp); b = await timed(bareOp) }
    bareTimes.push(b)
    forumTimes.push(f)
    ratios.push(f / b)
  }
  // then one run each with its commands counted (MONITOR slows Redis, so never while timing)
  const countRun = async (op: () => Promise<() => Promise<void>>): Promise<number> => {
    const { value: cleanup, commands } = await redis.count(op)
    await cleanup()
    return commands
  }
  const bare = { label: 'bare category create (NodeBB POST /api/v3/categories)', ms: median(bareTimes), commands: await countRun(bareOp) }
  const forum = { label: 'forum create, 5 children x 3 groups x 10 users (plugin POST /sunbird/forums)', ms: median(forumTimes), commands: await countRun(forumOp) }
  await redis.close()

  console.log(`machine: ${hostname()}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}; NodeBB at ${nb.url}; ${RUNS} runs each, medians`)
  console.log('| operation | time (ms) | Redis commands |')
  console.log('|---|---|---|')
  for (const r of [bare, forum]) console.log(`| ${r.label} | ${r.ms.toFixed(1)} | ${r.commands} |`)
  console.log(`per-pair ratios forum/bare: ${ratios.map((r) => r.toFixed(2)).join(', ')}; median ${median(ratios).toFixed(2)}x`)
  console.log(`commands per category made: forum ${(forum.commands / 6).toFixed(0)}, bare ${bare.commands}: ${(forum.commands / 6 / bare.commands).toFixed(2)}x`)
  console.log(`ratio forum/bare: time ${(forum.ms / bare.ms).toFixed(2)}x, commands ${(forum.commands / bare.commands).toFixed(2)}x (the forum makes 6 categories, 18 auto groups, 180 memberships)`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
