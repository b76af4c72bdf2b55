/**
 * bench/adapter-overhead: the adapter (its own process, tokens verified, envelope, validation,
 * one NodeBB call) against a direct call of the same plugin route with the master token, measured
 * with autocannon on loopback in one run. Needs NODEBB_URL, NODEBB_TOKEN (and the plugin active);
 * `npm run build` first.
 *
 * Direct and adapter alternate in short rounds (ABBA order), so that a machine whose speed drifts
 * during the run (a shared VM) weighs on both sides alike; the tables give the median over rounds.
 * Two loads per operation, both closed loops over keep-alive connections:
 *  - saturating: CONNECTIONS connections, as fast as the server answers; with NodeBB, the adapter
 *    and the load generator on one small machine this measures CPU contention as much as the
 *    adapter itself;
 *  - one caller: a single connection, one request at a time: the latency the adapter adds to a
 *    lone call, with nothing queued in NodeBB.
 * (autocannon's fixed-rate mode sends each second's requests in a burst, so it is not used.)
 * Latencies are taken from every response (sub-millisecond), not autocannon's whole-ms histogram.
 * Bounded: ROUNDS x 2 x DURATION seconds per operation and load.
 */
import autocannon, { type Result } from 'autocannon'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpus, hostname } from 'node:os'
import { join } from 'node:path'
import { authConfig, apiToken } from '../test/tokens'
import { callNodebb, nodebbTarget } from '../test/e2e/nodebb'

const ROUNDS = Number(process.env.ROUNDS ?? 5)
const DURATION = Number(process.env.DURATION ?? 4)
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 8)
// creates are few and short: every forum made is deleted afterwards, one by one
const CREATE_ROUNDS = Math.min(ROUNDS, 2)
const CREATE_DURATION = Math.min(DURATION, 2)
const ADAPTER_PORT = Number(process.env.ADAPTER_PORT ?? 4099)
const BARE_PORT = Number(process.env.BARE_PORT ?? 4098)

interface Sample { p50: number, p99: number, rps: number }
type Side = 'direct' | 'bare' | 'adapter'
const sides: Side[] = ['direct', 'bare', 'adapter']

function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid] as number : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/** One autocannon run; latencies from each 2xx response (ms, with fractions). */
async function load (name: string, given: autocannon.Options): Promise<Sample> {
  const options = { duration: DURATION, ...given }
  const latencies: number[] = []
  const result = await new Promise<Result>((resolve, reject) => {
    const instance = autocannon({ connections: CONNECTIONS, ...options }, (err, res) => { if (err !== null && err !== undefined) reject(err); else resolve(res) })
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => { if (status < 300) latencies.push(ms) })
  })
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  latencies.sort((a, b) => a - b)
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), rps: latencies.length / (options.duration as number) }
}

/** Starts a server process and waits until its /health answers; resolves its stop function. */
async function startServer (name: string, args: string[], port: number, env: Record<string, string>): Promise<() => void> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'] })
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`)
      if (res.ok) return () => child.kill('SIGTERM')
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  child.kill('SIGKILL')
  throw new Error(`${name} did not start`)
}

/** ROUNDS rounds of every side, the order reversed each round (ABBA); each side's samples. */
async function alternate (op: string, targets: Record<Side, autocannon.Options>, extra: Partial<autocannon.Options> = {}, rounds = ROUNDS): Promise<Record<Side, Sample[]>> {
  const samples: Record<Side, Sample[]> = { direct: [], bare: [], adapter: [] }
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse()
    for (const side of order) samples[side].push(await load(`${op}: ${side}`, { ...targets[side], ...extra }))
  }
  return samples
}

interface Row { op: string, load: string, direct: Sample, bare: Sample, adapter: Sample, perRoundP50: number[] }

function summarise (op: string, loadName: string, samples: Record<Side, Sample[]>): Row {
  const pick = (side: Side): Sample => ({
    p50: median(samples[side].map((s) => s.p50)),
    p99: median(samples[side].map((s) => s.p99)),
    rps: median(samples[side].map((s) => s.rps))
  })
  const perRoundP50 = samples.adapter.map((a, i) => a.p50 / (samples.direct[i] as Sample).p50)
  return { op, load: loadName, direct: pick('direct'), bare: pick('bare'), adapter: pick('adapter'), perRoundP50 }
}

async function main (): Promise<void> {
  const nb = nodebbTarget()
  if (nb === null) {
    console.log('bench/adapter-overhead needs NODEBB_URL and NODEBB_TOKEN; skipped')
    return
  }
  const nbEnv = { NODEBB_URL: nb.url, NODEBB_TOKEN: nb.token }
  const stopAdapter = await startServer('the adapter', [join(__dirname, '..', 'build', 'adapter', 'server.js')], ADAPTER_PORT, { ...authConfig(), ...nbEnv, LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '1000000000' })
  const stopBare = await startServer('the bare proxy', ['--import', 'tsx', join(__dirname, 'bare-proxy.ts')], BARE_PORT, { ...nbEnv, NODEBB_UID: String(nb.adminUid) })
  const stop = (): void => { stopAdapter(); stopBare() }
  const tag = randomBytes(3).toString('hex')
  const ctx = { type: 'batch', identifier: `bench-${tag}` }
  const createCtx = { type: 'batch', identifier: `bench-create-${tag}` }
  try {
    const created = await callNodebb(nb, 'POST', '/api/v3/plugins/sunbird/forums', nb.adminUid, { name: `bench ${tag}`, context: ctx, groups: [{ permissions: ['post'] }], children: [{ name: 'c1' }, { name: 'c2' }] })
    const forumId = (created.body.response as { identifier: string }).identifier
    const direct = { authorization: `Bearer ${nb.token}` }
    const viaAdapter = { authorization: `Bearer ${apiToken({ exp: Math.floor(Date.now() / 1000) + 3600 })}`, 'content-type': 'application/json' }
    const adapter = `http://127.0.0.1:${ADAPTER_PORT}`
    const bare = `http://127.0.0.1:${BARE_PORT}`
    const plugin = `${nb.url}/api/v3/plugins/sunbird`
    const ops: Record<string, Record<Side, autocannon.Options>> = {
      read: {
        direct: { url: `${plugin}/forums/${forumId}?_uid=${nb.adminUid}`, headers: direct },
        bare: { url: `${bare}/api/forum/v1/read/${forumId}` },
        adapter: { url: `${adapter}/api/forum/v1/read/${forumId}`, headers: viaAdapter }
      },
      fetch: {
        direct: { url: `${plugin}/contexts/${ctx.type}/${ctx.identifier}/forums?_uid=${nb.adminUid}`, headers: direct },
        bare: { url: `${bare}/api/forum/v1/fetch`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ request: { context: ctx } }) },
        adapter: { url: `${adapter}/api/forum/v1/fetch`, method: 'POST', headers: viaAdapter, body: JSON.stringify({ request: { context: ctx } }) }
      }
    }
    // warm both sides of both operations
    for (const op of Object.values(ops)) for (const side of Object.values(op)) await load('warm-up', { ...side, duration: 1 })

    const rows: Row[] = []
    for (const [op, targets] of Object.entries(ops)) {
      const saturated = summarise(op, `saturating, ${CONNECTIONS} connections`, await alternate(op, targets))
      rows.push(saturated)
      rows.push(summarise(op, 'one caller, 1 connection', await alternate(op, targets, { connections: 1 })))
    }
    const createBody = { name: 'bench create', context: createCtx, groups: [{ permissions: ['read'] }] }
    const creates = await alternate('create', {
      direct: { url: `${plugin}/forums`, method: 'POST', headers: { ...direct, 'content-type': 'application/json' }, body: JSON.stringify({ ...createBody, _uid: nb.adminUid }) },
      bare: { url: `${bare}/api/forum/v1/create`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ request: createBody }) },
      adapter: { url: `${adapter}/api/forum/v1/create`, method: 'POST', headers: viaAdapter, body: JSON.stringify({ request: createBody }) }
    }, { connections: 2, duration: CREATE_DURATION }, CREATE_ROUNDS)
    rows.push(summarise('create', `saturating, 2 connections, ${CREATE_ROUNDS} x ${CREATE_DURATION} s`, creates))

    const cpu = cpus()[0]?.model ?? '?'
    console.log(`machine: ${hostname()}, ${cpus().length} cores (${cpu}), node ${process.version}; NodeBB at ${nb.url}; ${ROUNDS} rounds x ${DURATION} s per side, ABBA order`)
    console.log('| operation | load | direct p50 / p99 (ms) | bare proxy p50 / p99 (ms) | adapter p50 / p99 (ms) | req/s direct / bare / adapter |')
    console.log('|---|---|---|---|---|---|')
    const ms = (v: number): string => v.toFixed(1)
    const pair = (x: Sample): string => `${ms(x.p50)} / ${ms(x.p99)}`
    for (const r of rows) console.log(`| ${r.op} | ${r.load} | ${pair(r.direct)} | ${pair(r.bare)} | ${pair(r.adapter)} | ${[r.direct, r.bare, r.adapter].map((x) => x.rps.toFixed(0)).join(' / ')} |`)
    console.log('')
    console.log('| operation | load | adapter / direct p50, p99 | bare / direct p50, p99 | adapter / bare p50, p99 | adapter / direct p50 per round |')
    console.log('|---|---|---|---|---|---|')
    const ratio = (a: Sample, b: Sample): string => `${(a.p50 / b.p50).toFixed(2)}x, ${(a.p99 / b.p99).toFixed(2)}x`
    for (const r of rows) console.log(`| ${r.op} | ${r.load} | **${ratio(r.adapter, r.direct)}** | ${ratio(r.bare, r.direct)} | ${ratio(r.adapter, r.bare)} | ${r.perRoundP50.map((x) => x.toFixed(2)).join(', ')} |`)
    // clean up every forum the run made
    for (const c of [ctx, createCtx]) {
      const fetched = await callNodebb(nb, 'GET', `/api/v3/plugins/sunbird/contexts/${c.type}/${c.identifier}/forums`, nb.adminUid)
      for (const f of (fetched.body.response as { forums: Array<{ identifier: string }> }).forums) {
        await callNodebb(nb, 'DELETE', `/api/v3/plugins/sunbird/forums/${f.identifier}`, nb.adminUid)
      }
    }
  } finally {
    stop()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
