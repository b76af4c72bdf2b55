/**
 * bench/forum-children: how forum create cost grows with the number of children (1, 5, 10, 25, 50
 * children, 3 auto groups on each forum with 2 members each), inside a real NodeBB: wall time and
 * Redis commands (INFO commandstats, read-only), per child and as a least-squares slope. Needs
 * NODEBB_URL, NODEBB_TOKEN and NODEBB_REDIS_URL (NodeBB's own Redis db; never flushed). Every
 * forum it makes is deleted again, and so are its users' forums; users stay (NodeBB has no cheap
 * user purge through the plugin), named bench-<tag>-*.
 */
import { cpus, hostname } from 'node:os'
import { callNodebb } from '../test/e2e/nodebb'
import { benchSetup } from './nodebb-setup'

const RUNS = Number(process.env.RUNS ?? 3)
const SIZES = (process.env.SIZES ?? '1,5,10,25,50').split(',').map(Number)

function median (values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

/** Least-squares line y = a + b x. */
function fit (xs: number[], ys: number[]): { intercept: number, slope: number, r2: number } {
  const n = xs.length
  const mx = xs.reduce((a, b) => a + b, 0) / n
  const my = ys.reduce((a, b) => a + b, 0) / n
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    sxy += ((xs[i] as number) - mx) * ((ys[i] as number) - my)
    sxx += ((xs[i] as number) - mx) ** 2
    syy += ((ys[i] as number) - my) ** 2
  }
  const slope = sxy / sxx
  return { intercept: my - slope * mx, slope, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) }
}

async function main (): Promise<void> {
  const setup = await benchSetup('forum-children', 6, 'c')
  if (setup === null) return
  const { nb, redis, tag, users } = setup
  const admin = nb.adminUid
  const groups = (k: number) => [0, 1, 2].map((g) => ({ permissions: [['read', 'post', 'topic'][g] as string], members: [users[(k + g * 2) % 6] as string, users[(k + g * 2 + 1) % 6] as string] }))
  const made: string[] = []
  const rows: Array<{ children: number, ms: number, commands: number }> = []
  try {
    // warm NodeBB (first creates pay for lazy setup)
    for (let i = 0; i < 2; i++) {
      const res = await callNodebb(nb, 'POST', '/api/v3/plugins/sunbird/forums', admin, { name: `warm ${tag}`, context: { type: 'batch', identifier: `bench-${tag}` }, groups: groups(0), children: [{ name: 'c', groups: groups(1) }] })
      const id = (res.body.response as { identifier?: string } | undefined)?.identifier
      if (id === undefined) throw new Error(`create failed: ${JSON.stringify(res.body).slice(0, 300)}`)
      await callNodebb(nb, 'DELETE', `/api/v3/plugins/sunbird/forums/${id}`, admin)
    }
    for (const n of SIZES) {
      const body = {
        name: `bench ${tag} ${n}`,
        context: { type: 'batch', identifier: `bench-${tag}` },
        groups: groups(0),
        children: Array.from({ length: n }, (_x, c) => ({ name: `child ${c}`, groups: groups(c + 1) }))
      }
      const times: number[] = []
      const create = async (): Promise<string> => {
        const res = await callNodebb(nb, 'POST', '/api/v3/plugins/sunbird/forums', admin, body)
        const id = (res.body.response as { identifier?: string } | undefined)?.identifier
        if (id === undefined) throw new Error(`create with ${n} children failed: ${JSON.stringify(res.body).slice(0, 300)}`)
        made.push(id)
        return id
      }
      const remove = async (id: string): Promise<void> => {
        await callNodebb(nb, 'DELETE', `/api/v3/plugins/sunbird/forums/${id}`, admin)
        made.pop()
      }
      for (let r = 0; r < RUNS; r++) {
        const start = process.hrtime.bigint()
        const id = await create()
        times.push(Number(process.hrtime.bigint() - start) / 1e6)
        await remove(id)
      }
      // counted in a run of its own: MONITOR slows Redis
      const counted = await redis.count(create)
      await remove(counted.value)
      const commands = [counted.commands]
      rows.push({ children: n, ms: median(times), commands: median(commands) })
    }
  } finally {
    for (const id of made) await callNodebb(nb, 'DELETE', `/api/v3/plugins/sunbird/forums/${id}`, admin)
    await redis.close()
  }

  console.log(`machine: ${hostname()}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}; NodeBB at ${nb.url}; ${RUNS} runs per size, medians`)
  console.log('| children | forums made | auto groups | time (ms) | Redis commands | ms per forum | commands per forum |')
  console.log('|---|---|---|---|---|---|---|')
  for (const r of rows) console.log(`| ${r.children} | ${r.children + 1} | ${(r.children + 1) * 3} | ${r.ms.toFixed(1)} | ${r.commands} | ${(r.ms / (r.children + 1)).toFixed(1)} | ${(r.commands / (r.children + 1)).toFixed(0)} |`)
  const t = fit(rows.map((r) => r.children), rows.map((r) => r.ms))
  const c = fit(rows.map((r) => r.children), rows.map((r) => r.commands))
  console.log(`time: ${t.intercept.toFixed(1)} ms + ${t.slope.toFixed(2)} ms per child (r² ${t.r2.toFixed(4)})`)
  console.log(`commands: ${c.intercept.toFixed(0)} + ${c.slope.toFixed(1)} per child (r² ${c.r2.toFixed(4)})`)
  const first = rows[0]
  const last = rows[rows.length - 1]
  if (first !== undefined && last !== undefined) {
    console.log(`ratio ${last.children}/${first.children} children: time ${(last.ms / first.ms).toFixed(2)}x, commands ${(last.commands / first.commands).toFixed(2)}x for ${((last.children + 1) / (first.children + 1)).toFixed(2)}x the forums`)
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
