/**
 * bench/adapter-overhead: the adapter (its own process, tokens verified, envelope, validation,
 * one NodeBB call) against a direct call of the same plugin route with the master token, measured
 * with autocannon on loopback in one run, alternating. Needs NODEBB_URL, NODEBB_TOKEN (and the
 * plugin active); `npm run build` first. Bounded: DURATION seconds per scenario (default 8).
 */
import autocannon, { type Result } from 'autocannon'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpus, hostname } from 'node:os'
import { join } from 'node:path'
import { authConfig, apiToken } from '../test/tokens'
import { callNodebb, nodebbTarget } from '../test/e2e/nodebb'

const DURATION = Number(process.env.DURATION ?? 8)
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 8)
const ADAPTER_PORT = Number(process.env.ADAPTER_PORT ?? 4099)

interface Row { name: string, p50: number, p99: number, rps: number }

async function load (name: string, options: autocannon.Options): Promise<Row> {
  const result: Result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options })
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  return { name, p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average }
}

async function startAdapter (nbUrl: string, token: string): Promise<() => void> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'build', 'adapter', 'server.js')], {
    env: { ...process.env, ...authConfig(), PORT: String(ADAPTER_PORT), HOST: '127.0.0.1', NODEBB_URL: nbUrl, NODEBB_TOKEN: token, LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '1000000000' },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${ADAPTER_PORT}/health`)
      if (res.ok) return () => child.kill('SIGTERM')
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  child.kill('SIGKILL')
  throw new Error('the adapter did not start')
}

async function main (): Promise<void> {
  const nb = nodebbTarget()
  if (nb === null) {
    console.log('bench/adapter-overhead needs NODEBB_URL and NODEBB_TOKEN; skipped')
    return
  }
  const stop = await startAdapter(nb.url, nb.token)
  const tag = randomBytes(3).toString('hex')
  const ctx = { type: 'batch', identifier: `bench-${tag}` }
  try {
    const created = await callNodebb(nb, 'POST', '/api/v3/plugins/sunbird/forums', nb.adminUid, { name: `bench ${tag}`, context: ctx, groups: [{ permissions: ['post'] }], children: [{ name: 'c1' }, { name: 'c2' }] })
    const forumId = (created.body.response as { identifier: string }).identifier
    const direct = { authorization: `Bearer ${nb.token}` }
    const viaAdapter = { authorization: `Bearer ${apiToken({ exp: Math.floor(Date.now() / 1000) + 3600 })}`, 'content-type': 'application/json' }
    const adapter = `http://127.0.0.1:${ADAPTER_PORT}`
    const plugin = `${nb.url}/api/v3/plugins/sunbird`
    const rows: Row[] = []
    // warm both paths, then alternate direct/adapter per operation
    await load('warm-up', { url: `${adapter}/api/forum/v1/read/${forumId}`, headers: viaAdapter, duration: 2 })
    rows.push(await load('read: direct', { url: `${plugin}/forums/${forumId}?_uid=${nb.adminUid}`, headers: direct }))
    rows.push(await load('read: adapter', { url: `${adapter}/api/forum/v1/read/${forumId}`, headers: viaAdapter }))
    rows.push(await load('fetch: direct', { url: `${plugin}/contexts/${ctx.type}/${ctx.identifier}/forums?_uid=${nb.adminUid}`, headers: direct }))
    rows.push(await load('fetch: adapter', { url: `${adapter}/api/forum/v1/fetch`, method: 'POST', headers: viaAdapter, body: JSON.stringify({ request: { context: ctx } }) }))
    const createBody = (c: typeof ctx) => ({ name: 'bench create', context: c, groups: [{ permissions: ['read'] }] })
    const createCtx = { type: 'batch', identifier: `bench-create-${tag}` }
    rows.push(await load('create: direct', { url: `${plugin}/forums`, method: 'POST', headers: { ...direct, 'content-type': 'application/json' }, body: JSON.stringify({ ...createBody(createCtx), _uid: nb.adminUid }), duration: Math.min(DURATION, 4), connections: 2 }))
    rows.push(await load('create: adapter', { url: `${adapter}/api/forum/v1/create`, method: 'POST', headers: viaAdapter, body: JSON.stringify({ request: createBody(createCtx) }), duration: Math.min(DURATION, 4), connections: 2 }))

    console.log(`machine: ${hostname()}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}; NodeBB at ${nb.url}; ${CONNECTIONS} connections x ${DURATION} s (create: 2 x ${Math.min(DURATION, 4)} s)`)
    console.log('| scenario | p50 (ms) | p99 (ms) | req/s |')
    console.log('|---|---|---|---|')
    for (const r of rows) console.log(`| ${r.name} | ${r.p50} | ${r.p99} | ${r.rps.toFixed(0)} |`)
    for (const op of ['read', 'fetch', 'create']) {
      const d = rows.find((r) => r.name === `${op}: direct`) as Row
      const a = rows.find((r) => r.name === `${op}: adapter`) as Row
      console.log(`${op}: adapter/direct p50 ${(a.p50 / d.p50).toFixed(2)}x, p99 ${(a.p99 / d.p99).toFixed(2)}x, throughput ${(d.rps / a.rps).toFixed(2)}x fewer req/s`)
    }
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
