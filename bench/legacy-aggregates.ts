/**
 * bench/legacy-aggregates: the old plugin's aggregates that Sunbird's UI calls (docs/legacy-ui.md),
 * composed by the adapter from NodeBB 4's reads, against the NodeBB reads they replace, made by one
 * caller with the master token and the same `_uid`:
 *   category/list {cids: 5}  vs  5 x GET /api/category/:cid, one after another and all at once
 *   forum/tags    {cids: 5}  vs  the same 5 reads
 *   tags/list     {cid: 5, tag} vs  GET /api/tags/:tag
 * One caller, one request at a time; sides alternate per round (ABBA), medians over rounds.
 * Needs NODEBB_URL, NODEBB_TOKEN and `npm run build`. Env: ROUNDS (4), REQUESTS (60) per side a round.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpus, hostname } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { apiRsaToken, authConfig, userToken } from '../test/tokens'
import { callNodebb, nodebbTarget } from '../test/e2e/nodebb'

const ROUNDS = Number(process.env.ROUNDS ?? 4)
const REQUESTS = Number(process.env.REQUESTS ?? 60)
const ADAPTER_PORT = Number(process.env.ADAPTER_PORT ?? 4671)
const FORUMS = 5

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid] as number : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/** Times `once` REQUESTS times in a row: p50 and p99 in ms. */
async function time (once: () => Promise<void>): Promise<{ p50: number, p99: number }> {
  const ms: number[] = []
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now()
    await once()
    ms.push(performance.now() - started)
  }
  ms.sort((a, b) => a - b)
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) }
}

async function ok (url: string, init: Parameters<typeof request>[1]): Promise<void> {
  const res = await request(url, init)
  await res.body.arrayBuffer()
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`)
}

async function startAdapter (env: Record<string, string>): Promise<() => void> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'build', 'adapter', 'server.js')], { env: { ...process.env, ...env, PORT: String(ADAPTER_PORT), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'] })
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${ADAPTER_PORT}/health`)).ok) return () => child.kill('SIGTERM')
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  child.kill('SIGKILL')
  throw new Error('the adapter did not start')
}

async function main (): Promise<void> {
  const nb = nodebbTarget()
  if (nb === null) {
    console.log('bench/legacy-aggregates needs NODEBB_URL and NODEBB_TOKEN; skipped')
    return
  }
  const tag = randomBytes(3).toString('hex')
  const learner = `bench-legacy-${tag}`
  const user = await callNodebb(nb, 'POST', '/api/v3/plugins/sunbird/users', nb.adminUid, { identifier: learner, username: `blg${tag}` })
  const uid = Number(user.body.response?.uid)
  const topicTag = `bench${tag}`
  const cids: number[] = []
  for (let f = 0; f < FORUMS; f++) {
    const forum = await callNodebb(nb, 'POST', '/api/v3/plugins/sunbird/forums', nb.adminUid, { name: `bench legacy ${tag} ${f}`, context: { type: 'batch', identifier: `bench-legacy-${tag}-${f}` }, privileges: [{ permissions: ['topic'], users: [learner] }] })
    const cid = Number((forum.body.response as { identifier: string }).identifier)
    cids.push(cid)
    for (let i = 0; i < 4; i++) await callNodebb(nb, 'POST', '/api/v3/topics', uid, { cid, title: `Bench topic ${tag} ${f}.${i}`, content: 'A question of a line or two.', tags: [topicTag, `t${i}`] })
  }
  const stop = await startAdapter({ ...authConfig(), NODEBB_URL: nb.url, NODEBB_TOKEN: nb.token, NODEBB_SERVICE_UID: String(nb.adminUid), LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '1000000000', RATE_LIMIT_ADDRESS_MAX: '1000000000' })
  try {
    const exp = Math.floor(Date.now() / 1000) + 3600
    const headers = { authorization: `Bearer ${apiRsaToken({ exp })}`, 'x-authenticated-user-token': userToken(learner), 'content-type': 'application/json' }
    const master = { authorization: `Bearer ${nb.token}` }
    const adapter = (path: string, body: unknown) => async () => { await ok(`http://127.0.0.1:${ADAPTER_PORT}/discussion${path}`, { method: 'POST', headers, body: JSON.stringify(body) }) }
    const read = async (cid: number): Promise<void> => { await ok(`${nb.url}/api/category/${cid}?_uid=${uid}`, { headers: master }) }
    const sides: Record<string, () => Promise<void>> = {
      'adapter category/list': adapter('/category/list', { request: { cids } }),
      'adapter forum/tags': adapter('/forum/tags', { request: { cids } }),
      'adapter tags/list': adapter('/tags/list', { request: { cid: cids, tag: topicTag } }),
      [`NodeBB ${FORUMS} category reads, in turn`]: async () => { for (const cid of cids) await read(cid) },
      [`NodeBB ${FORUMS} category reads, at once`]: async () => { await Promise.all(cids.map(read)) },
      'NodeBB tag read': async () => { await ok(`${nb.url}/api/tags/${topicTag}?_uid=${uid}`, { headers: master }) }
    }
    const names = Object.keys(sides)
    for (const name of names) await (sides[name] as () => Promise<void>)()
    const samples: Record<string, Array<{ p50: number, p99: number }>> = Object.fromEntries(names.map((n) => [n, []]))
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of round % 2 === 0 ? names : [...names].reverse()) samples[name]?.push(await time(sides[name] as () => Promise<void>))
    }
    const version = process.env.NODEBB_VERSION ?? '(set NODEBB_VERSION to name it)'
    console.log(`machine: ${hostname()}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}; NodeBB ${version}; ${FORUMS} forums of 4 topics; ${ROUNDS} rounds x ${REQUESTS} requests per side, one at a time, ABBA order`)
    console.log('| call | p50 (ms) | p99 (ms) |')
    console.log('|---|---|---|')
    for (const name of names) {
      const s = samples[name] ?? []
      console.log(`| ${name} | ${median(s.map((x) => x.p50)).toFixed(2)} | ${median(s.map((x) => x.p99)).toFixed(2)} |`)
    }
  } finally {
    stop()
    for (const cid of cids) await callNodebb(nb, 'DELETE', `/api/v3/plugins/sunbird/forums/${cid}`, nb.adminUid)
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
