/**
 * bench/fetch-scale: fetch-by-context latency for a context of 10 forums when the database holds
 * 10 forums, then FORUMS (default 10,000) forums in other contexts. The context index is a sorted
 * set per context, so the answer should not depend on how many forums exist elsewhere (target:
 * ratio <= 1.2).
 *
 * TARGET=fake (default): the plugin's own route handlers over the in-process fake platform (NodeBB's
 * storage layout in memory): measures the plugin's work, not NodeBB's database.
 * TARGET=nodebb: a real NodeBB (NODEBB_URL, NODEBB_TOKEN); the extra forums are made through the
 * plugin route, CONCURRENCY at a time, and every one is deleted again at the end.
 */
import { noCaller } from '../plugin/caller'
import { cpus, hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import { pluginRoutes, pluginPaths } from '../plugin/routes'
import { createFakePlatform } from '../test/plugin/fake-platform'
import { callNodebb, nodebbTarget, type NodebbTarget } from '../test/e2e/nodebb'

const FORUMS = Number(process.env.FORUMS ?? 10000)
const SAMPLES = Number(process.env.SAMPLES ?? 300)
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 4)
const TARGET = process.env.TARGET ?? 'fake'

interface Backend {
  name: string
  create: (context: { type: string, identifier: string }, name: string) => Promise<string>
  fetch: (context: { type: string, identifier: string }) => Promise<number>
  remove: (id: string) => Promise<void>
}

function fakeBackend (): Backend {
  const fake = createFakePlatform()
  const admin = fake.addUser('admin', { admin: true })
  const routes = pluginRoutes(fake)
  const route = (method: string, path: string) => {
    const r = routes.find((x) => x.method === method && x.path === path)
    if (r === undefined) throw new Error(`no route ${method} ${path}`)
    return r.handler
  }
  const create = route('post', pluginPaths.forums)
  const fetch = route('get', pluginPaths.contextForums)
  const remove = route('delete', pluginPaths.forum)
  return {
    name: 'plugin route handlers over the in-process fake platform',
    create: async (context, name) => ((await create({ uid: admin, params: {}, query: {}, caller: noCaller, body: { name, context, groups: [{ permissions: ['post'] }] } })) as { identifier: string }).identifier,
    fetch: async (context) => ((await fetch({ uid: admin, params: context, query: {}, caller: noCaller, body: undefined })) as { count: number }).count,
    remove: async (id) => { await remove({ uid: admin, params: { forumId: id }, query: {}, caller: noCaller, body: undefined }) }
  }
}

function nodebbBackend (nb: NodebbTarget): Backend {
  return {
    name: `real NodeBB at ${nb.url} (plugin routes over HTTP)`,
    create: async (context, name) => {
      const res = await callNodebb(nb, 'POST', '/api/v3/plugins/sunbird/forums', nb.adminUid, { name, context, groups: [{ permissions: ['post'] }] })
      const id = (res.body.response as { identifier?: string } | undefined)?.identifier
      if (id === undefined) throw new Error(`create failed: ${JSON.stringify(res.body).slice(0, 300)}`)
      return id
    },
    fetch: async (context) => {
      const res = await callNodebb(nb, 'GET', `/api/v3/plugins/sunbird/contexts/${context.type}/${context.identifier}/forums`, nb.adminUid)
      return (res.body.response as { count: number }).count
    },
    remove: async (id) => { await callNodebb(nb, 'DELETE', `/api/v3/plugins/sunbird/forums/${id}`, nb.adminUid) }
  }
}

function percentile (values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(s.length * p))] as number
}

async function latency (backend: Backend, context: { type: string, identifier: string }): Promise<{ p50: number, p90: number }> {
  for (let i = 0; i < 20; i++) await backend.fetch(context) // warm
  const times: number[] = []
  for (let i = 0; i < SAMPLES; i++) {
    const start = process.hrtime.bigint()
    const count = await backend.fetch(context)
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
    if (count !== 10) throw new Error(`the measured context has ${count} forums, expected 10`)
  }
  return { p50: percentile(times, 0.5), p90: percentile(times, 0.9) }
}

async function main (): Promise<void> {
  let backend: Backend
  if (TARGET === 'nodebb') {
    const nb = nodebbTarget()
    if (nb === null) {
      console.log('TARGET=nodebb needs NODEBB_URL and NODEBB_TOKEN; skipped')
      return
    }
    backend = nodebbBackend(nb)
  } else {
    backend = fakeBackend()
  }
  const tag = randomBytes(3).toString('hex')
  const measured = { type: 'batch', identifier: `bench-fetch-${tag}` }
  const made: string[] = []
  try {
    for (let i = 0; i < 10; i++) made.push(await backend.create(measured, `measured ${i}`))
    const small = await latency(backend, measured)
    const started = Date.now()
    let next = 10
    // the other forums: 100 per context, in FORUMS/100 other contexts
    const worker = async (): Promise<void> => {
      while (next < FORUMS) {
        const i = next++
        made.push(await backend.create({ type: 'batch', identifier: `bench-fetch-${tag}-${Math.floor(i / 100)}` }, `other ${i}`))
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    const fillSeconds = (Date.now() - started) / 1000
    const large = await latency(backend, measured)
    console.log(`machine: ${hostname()}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}; ${backend.name}; ${SAMPLES} sequential fetches each`)
    console.log(`made ${FORUMS - 10} more forums in ${fillSeconds.toFixed(1)} s`)
    console.log('| forums in the db | fetch p50 (ms) | fetch p90 (ms) |')
    console.log('|---|---|---|')
    console.log(`| 10 | ${small.p50.toFixed(3)} | ${small.p90.toFixed(3)} |`)
    console.log(`| ${made.length} | ${large.p50.toFixed(3)} | ${large.p90.toFixed(3)} |`)
    console.log(`ratio ${made.length}/10 forums: p50 ${(large.p50 / small.p50).toFixed(2)}x, p90 ${(large.p90 / small.p90).toFixed(2)}x (target <= 1.2)`)
  } finally {
    // the fake lives in this process and goes with it (its purge scans every privilege key: slow, and not NodeBB's cost)
    if (TARGET !== 'nodebb') made.length = 0
    const started = Date.now()
    let i = 0
    const worker = async (): Promise<void> => {
      while (i < made.length) {
        const id = made[i++] as string
        await backend.remove(id).catch((err: unknown) => { console.error(`could not delete forum ${id}: ${String(err)}`) })
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    console.log(`deleted ${made.length} forums in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
