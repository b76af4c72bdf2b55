/**
 * bench/adapter-memory: the adapter's memory after 100,000 requests (no growth expected). The
 * adapter runs as its own process (build/adapter/server.js) against the HTTP stand-in for NodeBB
 * (the plugin's own routes over the fake platform, in this process); autocannon sends a mix of
 * reads, fetches, refused writes (4xx) and unknown routes. RSS (from /proc) and the heap after a
 * forced GC (bench/memory-probe.cjs, over IPC) are read after a warm-up and after each quarter. `npm run build` first. REQUESTS (default 100000).
 */
import autocannon from 'autocannon'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cpus, hostname } from 'node:os'
import { join } from 'node:path'
import { startStandIn } from '../test/adapter/nodebb-stand-in'
import { adminHeaders, authConfig } from '../test/tokens'

const REQUESTS = Number(process.env.REQUESTS ?? 100000)
const PORT = Number(process.env.ADAPTER_PORT ?? 4098)

function rssMiB (pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024
}

async function main (): Promise<void> {
  const nodebb = await startStandIn()
  const child = spawn(process.execPath, ['--expose-gc', '-r', join(__dirname, 'memory-probe.cjs'), join(__dirname, '..', 'build', 'adapter', 'server.js')], {
    env: { ...process.env, ...authConfig(), PORT: String(PORT), HOST: '127.0.0.1', NODEBB_URL: nodebb.url, NODEBB_TOKEN: nodebb.token, NODEBB_SERVICE_UID: String(nodebb.admin), LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '1000000000' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc']
  })
  const memory = () => new Promise<NodeJS.MemoryUsage>((resolve) => { child.once('message', (m) => resolve(m as NodeJS.MemoryUsage)); child.send('memory') })
  const base = `http://127.0.0.1:${PORT}`
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/health`)).ok) break } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const headers = { ...adminHeaders(), 'content-type': 'application/json' }
  const created = await fetch(`${base}/api/forum/v1/create`, { method: 'POST', headers, body: JSON.stringify({ request: { name: 'mem', context: { type: 'batch', identifier: 'mem' }, groups: [{ permissions: ['post'] }], children: [{ name: 'c' }] } }) })
  const forumId = ((await created.json()) as { result: { identifier: string } }).result.identifier
  const requests = [
    { method: 'GET' as const, path: `/api/forum/v1/read/${forumId}` },
    { method: 'POST' as const, path: '/api/forum/v1/fetch', body: JSON.stringify({ request: { context: { type: 'batch', identifier: 'mem' } } }) },
    { method: 'POST' as const, path: '/api/forum/v1/create', body: JSON.stringify({ request: { name: '', context: { type: 'batch', identifier: 'mem' } } }) },
    { method: 'GET' as const, path: '/api/nothing-here' }
  ]
  const run = (amount: number) => autocannon({ url: base, connections: 16, amount, headers, requests })
  await run(5000)
  const mib = (n: number): number => n / 1048576
  const sample = async (n: number): Promise<[number, number, number]> => { const m = await memory(); return [n, rssMiB(child.pid as number), mib(m.heapUsed)] }
  const samples: Array<[number, number, number]> = [await sample(0)]
  for (let q = 1; q <= 4; q++) {
    await run(REQUESTS / 4)
    samples.push(await sample(q * REQUESTS / 4))
  }
  child.kill('SIGTERM')
  await nodebb.close()
  console.log(`machine: ${hostname()}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}; ${REQUESTS} requests (read, fetch, refused create, unknown route), 16 connections, after a 5,000-request warm-up`)
  console.log('| requests sent | adapter RSS (MiB) | heap used after GC (MiB) |')
  console.log('|---|---|---|')
  for (const [n, rss, heap] of samples) console.log(`| ${n} | ${rss.toFixed(1)} | ${heap.toFixed(1)} |`)
  const heapAt = (i: number): number => samples[i]?.[2] as number
  console.log(`heap after GC: after ${REQUESTS} / after ${REQUESTS / 4}: ${(heapAt(4) / heapAt(1)).toFixed(2)}x; after / before the load: ${(heapAt(4) / heapAt(0)).toFixed(2)}x`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
