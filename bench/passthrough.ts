/**
 * bench/passthrough: reading a topic (NodeBB's Read API `/api/topic/:tid`, the topic with its
 * posts) through the adapter's discussion passthrough (both tokens verified, the user mapped to
 * its uid, the call forwarded and NodeBB's body streamed back) against calling NodeBB directly with
 * the master token and the same `_uid`, and against the bench's bare proxy (bench/bare-proxy.ts: a
 * Fastify route that forwards the same call over an undici pool and streams the body, nothing
 * else). One run on loopback; sides alternate per round (ABBA), medians over rounds. Needs
 * NODEBB_URL, NODEBB_TOKEN and `npm run build`. Env: ROUNDS (3), DURATION (4 s), CONNECTIONS (8).
 */
import autocannon, { type Result } from 'autocannon'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpus, hostname } from 'node:os'
import { join } from 'node:path'
import { apiRsaToken, authConfig, userToken } from '../test/tokens'
import { callNodebb, nodebbTarget } from '../test/e2e/nodebb'

const ROUNDS = Number(process.env.ROUNDS ?? 3)
const DURATION = Number(process.env.DURATION ?? 4)
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 8)
const ADAPTER_PORT = Number(process.env.ADAPTER_PORT ?? 4097)
const BARE_PORT = Number(process.env.BARE_PORT ?? 4096)

interface Sample { p50: number, p99: number, rps: number }
type Side = 'direct' | 'bare' | 'passthrough'
const sides: Side[] = ['direct', 'bare', 'passthrough']

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid] as number : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

async function load (name: string, options: autocannon.Options): Promise<Sample> {
  const latencies: number[] = []
  const duration = (options.duration ?? DURATION) as number
  const result = await new Promise<Result>((resolve, reject) => {
    const instance = autocannon({ connections: CONNECTIONS, duration, ...options }, (err, res) => { if (err !== null && err !== undefined) reject(err); else resolve(res) })
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => { if (status < 300) latencies.push(ms) })
  })
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  latencies.sort((a, b) => a - b)
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), rps: latencies.length / duration }
}

async function startServer (name: string, args: string[], port: number, env: Record<string, string>): Promise<() => void> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'] })
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return () => child.kill('SIGTERM')
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  child.kill('SIGKILL')
  throw new Error(`${name} did not start`)
}

async function main (): Promise<void> {
  const nb = nodebbTarget()
  if (nb === null) {
    console.log('bench/passthrough needs NODEBB_URL and NODEBB_TOKEN; skipped')
    return
  }
  const tag = randomBytes(3).toString('hex')
  const learner = `bench-learner-${tag}`
  const user = await callNodebb(nb, 'POST', '/api/v3/plugins/sunbird/users', nb.adminUid, { identifier: learner, username: `bl${tag}` })
  const uid = Number(user.body.response?.uid)
  const forum = await callNodebb(nb, 'POST', '/api/v3/plugins/sunbird/forums', nb.adminUid, { name: `bench passthrough ${tag}`, context: { type: 'batch', identifier: `bench-pt-${tag}` }, privileges: [{ permissions: ['post'], users: [learner] }] })
  const cid = Number((forum.body.response as { identifier: string }).identifier)
  const topic = await callNodebb(nb, 'POST', '/api/v3/topics', nb.adminUid, { cid, title: `Bench topic ${tag}`, content: 'The first post of the bench topic, a paragraph or so long.' })
  const tid = Number(topic.body.response?.tid)
  for (let i = 0; i < 9; i++) await callNodebb(nb, 'POST', `/api/v3/topics/${tid}`, uid, { content: `Reply ${i}: a line or two of discussion.` })

  const nbEnv = { NODEBB_URL: nb.url, NODEBB_TOKEN: nb.token }
  const stopAdapter = await startServer('the adapter', [join(__dirname, '..', 'build', 'adapter', 'server.js')], ADAPTER_PORT, { ...authConfig(), ...nbEnv, NODEBB_SERVICE_UID: String(nb.adminUid), LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '1000000000', RATE_LIMIT_ADDRESS_MAX: '1000000000' })
  const stopBare = await startServer('the bare proxy', ['--import', 'tsx', join(__dirname, 'bare-proxy.ts')], BARE_PORT, { ...nbEnv, NODEBB_UID: String(uid) })
  try {
    const exp = Math.floor(Date.now() / 1000) + 3600
    const targets: Record<Side, autocannon.Options> = {
      direct: { url: `${nb.url}/api/topic/${tid}?_uid=${uid}`, headers: { authorization: `Bearer ${nb.token}` } },
      bare: { url: `http://127.0.0.1:${BARE_PORT}/discussion/api/topic/${tid}` },
      passthrough: { url: `http://127.0.0.1:${ADAPTER_PORT}/discussion/api/topic/${tid}`, headers: { authorization: `Bearer ${apiRsaToken({ exp })}`, 'x-authenticated-user-token': userToken(learner) } }
    }
    const bytes = (await (await fetch(targets.passthrough.url as string, { headers: targets.passthrough.headers as Record<string, string> })).arrayBuffer()).byteLength
    for (const side of sides) await load('warm-up', { ...targets[side], duration: 1 })
    const rows: Array<{ load: string, s: Record<Side, Sample> }> = []
    for (const [name, connections] of [[`saturating, ${CONNECTIONS} connections`, CONNECTIONS], ['one caller, 1 connection', 1]] as const) {
      const samples: Record<Side, Sample[]> = { direct: [], bare: [], passthrough: [] }
      for (let round = 0; round < ROUNDS; round++) {
        for (const side of round % 2 === 0 ? sides : [...sides].reverse()) samples[side].push(await load(side, { ...targets[side], connections }))
      }
      const pick = (side: Side): Sample => ({ p50: median(samples[side].map((x) => x.p50)), p99: median(samples[side].map((x) => x.p99)), rps: median(samples[side].map((x) => x.rps)) })
      rows.push({ load: name, s: { direct: pick('direct'), bare: pick('bare'), passthrough: pick('passthrough') } })
    }
    const version = process.env.NODEBB_VERSION ?? '(set NODEBB_VERSION to name it)'
    console.log(`machine: ${hostname()}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}; NodeBB ${version} at ${nb.url}; topic of 10 posts (${bytes} bytes); ${ROUNDS} rounds x ${DURATION} s per side, ABBA order`)
    console.log('| load | direct p50 / p99 (ms) | bare proxy p50 / p99 (ms) | passthrough p50 / p99 (ms) | req/s direct / bare / passthrough | passthrough / bare p50 | passthrough / direct p50 |')
    console.log('|---|---|---|---|---|---|---|')
    const pair = (x: Sample): string => `${x.p50.toFixed(2)} / ${x.p99.toFixed(2)}`
    for (const { load: name, s } of rows) {
      console.log(`| ${name} | ${pair(s.direct)} | ${pair(s.bare)} | ${pair(s.passthrough)} | ${[s.direct, s.bare, s.passthrough].map((x) => x.rps.toFixed(0)).join(' / ')} | **${(s.passthrough.p50 / s.bare.p50).toFixed(2)}x** | ${(s.passthrough.p50 / s.direct.p50).toFixed(2)}x |`)
    }
  } finally {
    stopAdapter()
    stopBare()
    await callNodebb(nb, 'DELETE', `/api/v3/plugins/sunbird/forums/${cid}`, nb.adminUid)
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
