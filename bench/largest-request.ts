/**
 * bench/largest-request: how long the largest create the request limits allow takes on a real
 * NodeBB, through the adapter (in process, its real undici client), so NODEBB_WRITE_TIMEOUT_MS
 * (default 60 s) can be checked against it: 197 forums (a root, 4 children, 4 x 48 grandchildren,
 * under the 200-forum limit) and 50 users at moderate with applyToChildren (9,850 of the 10,000
 * grants allowed). Needs NODEBB_URL, NODEBB_TOKEN and NODEBB_REDIS_URL. The forum is deleted again.
 */
import { hostname, cpus } from 'node:os'
import Fastify from 'fastify'
import app, { fastifyOptions } from '../adapter/app'
import { loadConfig } from '../adapter/config'
import { authConfig, apiToken } from '../test/tokens'
import { requestCost } from '../shared/request-cost'
import { benchSetup } from './nodebb-setup'

async function main (): Promise<void> {
  const setup = await benchSetup('largest-request', 50, 'lg')
  if (setup === null) return
  const { nb, redis, tag, users } = setup
  const config = loadConfig({ env: { ...authConfig(), LOG_LEVEL: 'silent', NODEBB_URL: nb.url, NODEBB_TOKEN: nb.token, NODEBB_SERVICE_UID: String(nb.adminUid) }, dotenvPath: null })
  const adapter = Fastify({ ...fastifyOptions(config), logger: false })
  await adapter.register(app, { config })
  await adapter.ready()
  const request = {
    name: `largest ${tag}`,
    context: { type: 'batch', identifier: `largest-${tag}` },
    privileges: [{ permissions: ['moderate'], users, applyToChildren: true }],
    children: Array.from({ length: 4 }, (_v, c) => ({ name: `child ${c}`, children: Array.from({ length: 48 }, (_x, g) => ({ name: `grandchild ${c}.${g}` })) }))
  }
  const cost = requestCost(request, 'create')
  const headers = { authorization: `Bearer ${apiToken()}`, 'content-type': 'application/json' }
  type Sent = { statusCode: number, body: string, json: () => unknown }
  /**
   * One write to its outcome: past the write deadline the answer is OUTCOME_UNKNOWN (or IN_PROGRESS while
   * NodeBB still works), so retry with the same msgid, as a client would, until the plugin's record answers.
   */
  const untilOutcome = async (send: () => Promise<Sent>): Promise<{ res: Sent, first: Sent, firstMs: number, retries: number, ms: number }> => {
    const started = process.hrtime.bigint()
    const first = await send()
    const firstMs = Number(process.hrtime.bigint() - started) / 1e6
    let res = first
    let retries = 0
    while (res.statusCode === 503 || res.statusCode === 409) {
      retries++
      await new Promise((resolve) => setTimeout(resolve, 2000))
      res = await send()
    }
    return { res, first, firstMs, retries, ms: Number(process.hrtime.bigint() - started) / 1e6 }
  }
  const errOf = (answer: Sent): string => `${answer.statusCode} ${(JSON.parse(answer.body) as { params: { err: string } }).params.err}`
  const create = async (msgid: string): Promise<{ id: string, firstMs: number, firstErr: string | null, retries: number, ms: number }> => {
    const { res, first, firstMs, retries, ms } = await untilOutcome(async () =>
      await adapter.inject({ method: 'POST', url: '/api/forum/v1/create', headers, payload: JSON.stringify({ params: { msgid }, request: { ...request, context: { type: 'batch', identifier: msgid } } }) }))
    if (res.statusCode !== 200) throw new Error(`create failed: ${res.body.slice(0, 300)}`)
    const fetched = await adapter.inject({ method: 'POST', url: '/api/forum/v1/fetch', headers, payload: JSON.stringify({ request: { context: { type: 'batch', identifier: msgid } } }) })
    const roots = (fetched.json() as { result: { forums: unknown[] } }).result.forums.length
    if (roots !== 1) throw new Error(`the context holds ${roots} root forums after ${retries} retries, not 1`)
    return { id: (res.json() as { result: { identifier: string } }).result.identifier, firstMs, firstErr: first.statusCode === 200 ? null : errOf(first), retries, ms }
  }
  const remove = async (id: string, msgid: string) =>
    await untilOutcome(async () => await adapter.inject({ method: 'DELETE', url: `/api/forum/v1/delete/${id}`, headers, payload: JSON.stringify({ params: { msgid } }) }))
  // the commands in a run of their own (MONITOR slows Redis), deleted again; then the timed run
  const counted = await redis.count(() => create(`largest-count-${tag}`))
  const commands = counted.commands
  await remove(counted.value.id, `largest-count-del-${tag}`)
  const { id, firstMs, firstErr, retries, ms } = await create(`largest-${tag}`)
  const { res: del, first: delFirst, ms: delMs } = await remove(id, `largest-del-${tag}`)
  await adapter.close()
  await redis.close()
  console.log(`machine: ${hostname()}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}; NodeBB at ${nb.url}`)
  console.log(`largest create allowed: ${cost.forums} forums, ${cost.grants} grants (limits 200 and 10,000): ${(ms / 1000).toFixed(1)} s to its outcome, ${commands} Redis commands (counted in a run of its own${counted.value.retries > 0 ? ', retry polls included' : ''}); its delete: ${(delMs / 1000).toFixed(1)} s to its outcome (first answer HTTP ${delFirst.statusCode}, final ${del.statusCode})`)
  if (firstErr === null) console.log(`NODEBB_WRITE_TIMEOUT_MS default 60,000 ms: within it (${(60_000 / ms).toFixed(1)}x headroom)`)
  else console.log(`NODEBB_WRITE_TIMEOUT_MS default 60,000 ms: NOT within it: the first answer came at ${(firstMs / 1000).toFixed(1)} s (${firstErr}); ${retries} retries with the same msgid, then the created forum, the only one in its context`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
