/**
 * The reference for bench/adapter-overhead: the least a forwarding service can do, a bare Fastify
 * server (no logger, no auth, no validation, no schemas) that forwards each call to the same
 * plugin route over an undici pool and wraps the plugin's `response` with JSON.stringify. What it
 * costs over a direct call is the price of one more process and HTTP hop on the machine; what the
 * adapter costs over it is the adapter's own work. Run by the bench, never deployed.
 * Env: NODEBB_URL, NODEBB_TOKEN, PORT, NODEBB_UID (default 1).
 */
import Fastify from 'fastify'
import { Pool } from 'undici'

const nodebb = new URL(process.env.NODEBB_URL ?? 'http://127.0.0.1:4567')
const base = `${nodebb.pathname.replace(/\/+$/, '')}/api/v3/plugins/sunbird`
const uid = process.env.NODEBB_UID ?? '1'
const headers = { accept: 'application/json', authorization: `Bearer ${process.env.NODEBB_TOKEN ?? ''}` }
const pool = new Pool(nodebb.origin, { connections: 32 })
const app = Fastify({ logger: false })

async function forward (method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const res = await pool.request({
    method,
    path: method === 'GET' ? `${base}${path}?_uid=${uid}` : `${base}${path}`,
    headers: method === 'GET' ? headers : { ...headers, 'content-type': 'application/json' },
    body: method === 'GET' ? undefined : JSON.stringify({ ...(body as object), _uid: Number(uid) })
  })
  const answer = await res.body.json() as { response: unknown }
  return { id: 'bare', ver: '1.0', params: { status: res.statusCode < 300 ? 'successful' : 'failed' }, result: answer.response }
}

app.get<{ Params: { id: string } }>('/api/forum/v1/read/:id', async (request) => await forward('GET', `/forums/${encodeURIComponent(request.params.id)}`))
app.post<{ Body: { request: { context: { type: string, identifier: string } } } }>('/api/forum/v1/fetch', async (request) => {
  const { type, identifier } = request.body.request.context
  return await forward('GET', `/contexts/${encodeURIComponent(type)}/${encodeURIComponent(identifier)}/forums`)
})
app.post<{ Body: { request: unknown } }>('/api/forum/v1/create', async (request) => await forward('POST', '/forums', request.body.request))
// bench/passthrough's reference: NodeBB's own topic page forwarded as it is, body streamed back
app.get<{ Params: { tid: string } }>('/discussion/api/topic/:tid', async (request, reply) => {
  const res = await pool.request({ method: 'GET', path: `${nodebb.pathname.replace(/\/+$/, '')}/api/topic/${encodeURIComponent(request.params.tid)}?_uid=${uid}`, headers })
  reply.code(res.statusCode)
  const type = res.headers['content-type']
  if (type !== undefined) reply.header('content-type', type)
  return reply.send(res.body)
})
app.get('/health', async () => ({ ok: true }))

app.listen({ port: Number(process.env.PORT ?? 4098), host: '127.0.0.1' }).catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
