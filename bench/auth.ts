/**
 * bench/auth: the cost of verifying both tokens (HS256 API token + RS256 Keycloak token) with the
 * verified-token cache on and off, in one run, in-process (fastify.inject on a route that only
 * authenticates). No NodeBB needed. ROUNDS requests per setting (default 5000), alternating blocks.
 */
import { cpus, hostname } from 'node:os'
import Fastify from 'fastify'
import app, { fastifyOptions } from '../adapter/app'
import { loadConfig } from '../adapter/config'
import { authConfig, apiToken, userToken } from '../test/tokens'

const ROUNDS = Number(process.env.ROUNDS ?? 5000)

async function buildApp (cacheSize: number) {
  const config = loadConfig({ env: { LOG_LEVEL: 'silent', ...authConfig(), TOKEN_CACHE_SIZE: String(cacheSize), RATE_LIMIT_MAX: '1000000000' }, dotenvPath: null })
  const fastify = Fastify({ ...fastifyOptions(config), logger: false })
  await fastify.register(app, { config })
  fastify.get('/bench/auth', async (request) => { await fastify.authenticate(request); return { ok: true } })
  await fastify.ready()
  return fastify
}

async function main (): Promise<void> {
  const cached = await buildApp(10000)
  const uncached = await buildApp(0)
  const headers = { authorization: `Bearer ${apiToken()}`, 'x-authenticated-user-token': userToken('bench-user') }
  const run = async (f: typeof cached, n: number): Promise<number> => {
    const start = process.hrtime.bigint()
    for (let i = 0; i < n; i++) {
      const res = await f.inject({ method: 'GET', url: '/bench/auth', headers })
      if (res.statusCode !== 200) throw new Error(res.body)
    }
    return Number(process.hrtime.bigint() - start) / 1e6
  }
  await run(cached, 200)
  await run(uncached, 200)
  let cachedMs = 0
  let uncachedMs = 0
  const block = Math.max(1, Math.floor(ROUNDS / 5))
  for (let i = 0; i < 5; i++) {
    cachedMs += await run(cached, block)
    uncachedMs += await run(uncached, block)
  }
  const n = block * 5
  console.log(`machine: ${hostname()}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}; ${n} requests each, alternating blocks of ${block}`)
  console.log('| verification | per request (µs) | req/s |')
  console.log('|---|---|---|')
  console.log(`| cache on (TOKEN_CACHE_SIZE=10000) | ${(cachedMs * 1000 / n).toFixed(0)} | ${(n / (cachedMs / 1000)).toFixed(0)} |`)
  console.log(`| cache off (TOKEN_CACHE_SIZE=0) | ${(uncachedMs * 1000 / n).toFixed(0)} | ${(n / (uncachedMs / 1000)).toFixed(0)} |`)
  console.log(`ratio: without the cache a request costs ${(uncachedMs / cachedMs).toFixed(2)}x (inject round trip included)`)
  await cached.close()
  await uncached.close()
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
