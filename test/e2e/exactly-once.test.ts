import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { build, testConfig, type EnvelopeBody } from '../helper'
import { apiToken } from '../tokens'
import { nodebbTarget, skipReason, unavailable, type NodebbTarget } from './nodebb'

/**
 * Issue 18 on a real NodeBB: with a write deadline far shorter than the write, the adapter answers
 * 503 OUTCOME_UNKNOWN while NodeBB goes on; the retry with the same msgid answers what NodeBB made,
 * and the context holds exactly one forum. The same for update (applied once) and delete (the
 * retry answers the first's result, not FORUM_NOT_FOUND).
 */
const target = nodebbTarget()

if (target === null) {
  unavailable(t, skipReason)
} else {
  t.test('exactly once past the adapter\'s timeout, on a real NodeBB', async (t) => run(t, target))
}

interface Answer { status: number, body: EnvelopeBody }

async function run (t: Test, nb: NodebbTarget): Promise<void> {
  const base = { NODEBB_URL: nb.url, NODEBB_TOKEN: nb.token, NODEBB_SERVICE_UID: String(nb.adminUid) }
  // 100 ms (the least allowed): none of the writes below finishes that fast on NodeBB
  const hasty: FastifyInstance = await build(t, { config: testConfig({ ...base, NODEBB_WRITE_TIMEOUT_MS: '100' }) })
  const patient: FastifyInstance = await build(t, { config: testConfig(base) })
  const tag = randomBytes(3).toString('hex')
  const ctx = { type: 'batch', identifier: `once-${tag}` }
  const headers = { authorization: `Bearer ${apiToken()}`, 'content-type': 'application/json' }
  const send = async (app: FastifyInstance, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload: unknown): Promise<Answer> => {
    const res = await app.inject({ method, url, headers, payload: JSON.stringify(payload) })
    return { status: res.statusCode, body: res.json() as EnvelopeBody }
  }
  /** As a client told OUTCOME_UNKNOWN or IN_PROGRESS does: the same request and msgid again, until it has an outcome. */
  const retry = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload: unknown): Promise<Answer> => {
    for (let i = 0; i < 200; i++) {
      const res = await send(hasty, method, url, payload)
      if (res.body.params.err !== 'IN_PROGRESS' && res.body.params.err !== 'OUTCOME_UNKNOWN') return res
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    throw new Error('no outcome after 200 retries')
  }
  const fetched = async (): Promise<Array<{ identifier: string, children: unknown[] }>> =>
    (await send(patient, 'POST', '/api/forum/v1/fetch', { request: { context: ctx } })).body.result.forums as Array<{ identifier: string, children: unknown[] }>
  const sunbird = (msgid: string, request: unknown) => ({ id: 'api.discussions', ver: '1.0', ts: new Date().toISOString(), params: { msgid, did: null, cid: 'svc' }, request })

  // the request: a root and 8 children, 19 groups
  const tree = sunbird(`create-${tag}`, {
    name: `Once ${tag}`,
    context: ctx,
    groups: [{ permissions: ['read'] }, { permissions: ['post'], applyToChildren: true }, { permissions: ['moderate'] }],
    children: Array.from({ length: 8 }, (_v, i) => ({ name: `Week ${i + 1}`, groups: [{ permissions: ['read'] }, { permissions: ['topic'] }] }))
  })
  const first = await send(hasty, 'POST', '/api/forum/v1/create', tree)
  t.same([first.status, first.body.params.err], [503, 'OUTCOME_UNKNOWN'], 'the create outlived the deadline: its outcome is unknown, and the client is told so')
  const created = await retry('POST', '/api/forum/v1/create', tree)
  t.equal(created.status, 200, JSON.stringify(created.body).slice(0, 300))
  const forumId = (created.body.result as { identifier: string }).identifier
  const listed = await fetched()
  t.same(listed.map((f) => f.identifier), [forumId], 'the context holds exactly one forum: the one the first attempt made')
  t.equal(listed[0]?.children.length, 8)

  // 30 new children with 3 groups each: with NodeBB's calls batched, 3 children came in under 100 ms on an idle NodeBB
  const update = sunbird(`update-${tag}`, { children: Array.from({ length: 30 }, (_v, i) => ({ name: `Extra ${i + 1}`, groups: [{ permissions: ['read'] }, { permissions: ['post'] }, { permissions: ['moderate'] }] })) })
  t.equal((await send(hasty, 'PATCH', `/api/forum/v1/update/${forumId}`, update)).body.params.err, 'OUTCOME_UNKNOWN')
  t.equal((await retry('PATCH', `/api/forum/v1/update/${forumId}`, update)).status, 200)
  t.equal((await fetched())[0]?.children.length, 38, 'the update was applied once')

  const del = sunbird(`delete-${tag}`, {})
  t.equal((await send(hasty, 'DELETE', `/api/forum/v1/delete/${forumId}`, del)).body.params.err, 'OUTCOME_UNKNOWN')
  const deleted = await retry('DELETE', `/api/forum/v1/delete/${forumId}`, del)
  t.equal(deleted.status, 200, `the retry answers the first delete's result, not FORUM_NOT_FOUND: ${JSON.stringify(deleted.body).slice(0, 200)}`)
  t.equal((deleted.body.result as { deleted: string[] }).deleted.length, 39)
  t.same(await fetched(), [])
}
