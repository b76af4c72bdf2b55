import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Readable } from 'node:stream'
import { ApiError } from '../../shared/errors'
import { apiIds, successEnvelope } from '../../shared/envelope'
import { validate } from '../../shared/validate'
import type { ForumFetchResult } from '../../shared/schemas/forum'
import type { UserEnsureResult } from '../../shared/schemas/user'
import {
  LegacyCidsRequest, LegacyForumCreate, LegacyForumRead, LegacyForumRemove, LegacyTagsList, LegacyUserCreate
} from '../../shared/schemas/legacy'
import { nodebbPaths } from '../nodebb/paths'
import type { NodebbMethod } from '../plugins/nodebb-client'
import { contextTagsResult, forumReadResult, tagTopicsResult, userCreateResult, v2Body, withoutHiddenDeleted } from './legacy-answers'
import type { LegacyComposed } from './legacy-routes'
import { queryAs } from './query'
import type { Resolved } from './resolve'

/** What a legacy call answers: a status and a JSON body. */
export interface LegacyAnswer { status: number, body: unknown }

/** NodeBB's JSON pages are small; a cap keeps a runaway answer from filling memory. */
const maxAnswerBytes = 8 * 1024 * 1024
/** How many NodeBB reads one aggregate has in flight at once. */
const readConcurrency = 8

/** A forwarded answer's body, read whole and parsed; null when it is not JSON. */
export async function readJson (body: Readable): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string)
    size += buffer.length
    if (size > maxAnswerBytes) {
      body.destroy()
      throw new ApiError('UPSTREAM_UNAVAILABLE', 'NodeBB answered with more than the adapter reads')
    }
    chunks.push(buffer)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    return null
  }
}

interface Call { method: NodebbMethod, path: string, query?: string, fields?: Record<string, unknown> | null, label: string }

/** One call to NodeBB as `uid` through the passthrough's pool: the uid first in the query and in a non-GET body. */
async function nodebb (fastify: FastifyInstance, request: FastifyRequest, uid: number, call: Call): Promise<{ status: number, json: unknown }> {
  const headers: Record<string, string> = { accept: 'application/json' }
  let body: string | undefined
  if (call.method !== 'GET') {
    body = JSON.stringify({ ...(call.fields ?? {}), _uid: uid })
    headers['content-type'] = 'application/json'
  }
  const answer = await fastify.nodebb.forward({ method: call.method, path: call.path, query: queryAs(call.query ?? '', uid), headers, body, label: call.label, request })
  return { status: answer.status, json: await readJson(answer.body) }
}

/** A page without the deleted posts and topics the user may not see (legacy-answers.ts). */
export async function legacyFilteredRead (fastify: FastifyInstance, request: FastifyRequest, uid: number, resolved: Resolved): Promise<LegacyAnswer> {
  const { status, json } = await nodebb(fastify, request, uid, { method: 'GET', path: resolved.path, query: resolved.query, label: resolved.entry.name })
  return { status, body: status === 200 ? withoutHiddenDeleted(json) : json }
}

/**
 * A write API v2 call made as NodeBB 4's v3 call, answered in the v2 shape. Where v2 purged (a
 * topic's or post's DELETE), a moderator's purge goes through and, when NodeBB refuses it, the
 * owner's soft delete is tried: NodeBB's own privileges decide either way.
 */
export async function legacyWrite (fastify: FastifyInstance, request: FastifyRequest, uid: number, resolved: Resolved, fields: Record<string, unknown>): Promise<LegacyAnswer> {
  const label = resolved.entry.name
  const method = (resolved.legacy?.kind === 'write' ? resolved.legacy.target.method : request.method) as NodebbMethod
  let { status, json } = await nodebb(fastify, request, uid, { method, path: resolved.path, query: resolved.query, fields, label })
  if (status === 403 && resolved.orElse !== undefined) {
    ({ status, json } = await nodebb(fastify, request, uid, { method: resolved.orElse.method, path: resolved.orElse.path, query: resolved.query, fields, label }))
  }
  return { status, body: v2Body(status, json) }
}

const numbers = (cids: ReadonlyArray<number | string>): number[] => [...new Set(cids.map(Number))]

/** Runs `task` over `items`, at most `readConcurrency` at a time, answers in order. */
async function inBatches<T, R> (items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = []
  for (let i = 0; i < items.length; i += readConcurrency) out.push(...await Promise.all(items.slice(i, i + readConcurrency).map(task)))
  return out
}

/** The category pages the user may read, in the order asked (a category NodeBB refuses or lacks is left out). */
async function categoryPages (fastify: FastifyInstance, request: FastifyRequest, uid: number, cids: number[], label: string): Promise<unknown[]> {
  const pages = await inBatches(cids, async (cid) => await nodebb(fastify, request, uid, { method: 'GET', path: `/api/category/${cid}`, label }))
  return pages.flatMap(({ status, json }) => status === 200 && json !== null ? [withoutHiddenDeleted(json)] : [])
}

type Handler = (fastify: FastifyInstance, request: FastifyRequest, uid: () => Promise<number>, label: string) => Promise<LegacyAnswer>

const ok = (result: unknown, request: FastifyRequest, id: string = apiIds.discussion): LegacyAnswer => ({ status: 200, body: successEnvelope(id, result, { msgid: request.msgid }) })

const composed: Record<LegacyComposed, Handler> = {
  'user.create': async (fastify, request, _uid, label) => {
    const { request: body } = validate(LegacyUserCreate, request.body, 'body')
    const user = request.sunbirdUser
    if (user === null) throw new ApiError('UNAUTHORIZED', 'The user\'s token (x-authenticated-user-token) is required')
    fastify.requireSelf(request, body.identifier, 'create')
    const subject = user.ids.includes(body.identifier) ? user.subject : body.identifier
    // an existing user is a success carrying their uid, as nodebb-plugin-sunbird-oidc answered
    const ensured = await fastify.nodebb.call<UserEnsureResult>('PUT', nodebbPaths.user, { uid: fastify.config.NODEBB_SERVICE_UID, params: { identifier: subject }, body: { username: body.username }, request })
    const page = await nodebb(fastify, request, ensured.uid, { method: 'GET', path: `/api/user/uid/${ensured.uid}`, label })
    const slug = typeof (page.json as { userslug?: unknown } | null)?.userslug === 'string' ? (page.json as { userslug: string }).userslug : null
    return ok(userCreateResult(ensured.uid, slug, body.username), request, apiIds.userCreate)
  },
  'forum.read': async (fastify, request, uid) => {
    const { request: body } = validate(LegacyForumRead, request.body, 'body')
    const identifiers = [...new Set(Array.isArray(body.identifier) ? body.identifier : [body.identifier])]
    const acting = await uid()
    const found = await inBatches(identifiers, async (identifier) => {
      const forums = await fastify.nodebb.call<ForumFetchResult>('GET', nodebbPaths.contextForums, { uid: acting, params: { type: body.type, identifier }, request })
      return { type: body.type, identifier, cids: forums.forums.map((f) => Number(f.identifier)) }
    })
    return ok(forumReadResult(found), request)
  },
  'forum.create': async (fastify, request, uid) => {
    const { category } = validate(LegacyForumCreate, request.body, 'body')
    const [context] = category.context
    const created = await fastify.nodebb.call<{ cid: number, cids: number[] }>('POST', nodebbPaths.legacyForums, {
      uid: await uid(),
      body: { name: category.name, parentCid: Number(category.pid), context, ...(category.description === undefined ? {} : { description: category.description }) },
      request
    })
    const contextOf = context as { type: string, identifier: string }
    return ok({ forums: [{ sbType: contextOf.type, sbIdentifier: contextOf.identifier, newCid: created.cid, cids: created.cids }] }, request)
  },
  'forum.remove': async (fastify, request, uid) => {
    const { request: body } = validate(LegacyForumRemove, request.body, 'body')
    const removed = await fastify.nodebb.call<{ removed: number[], deleted: number[] }>('POST', nodebbPaths.legacyForumsRemove, {
      uid: await uid(),
      body: { context: { type: body.sbType, identifier: body.sbIdentifier }, cids: numbers(body.cid) },
      request
    })
    return ok({ removed: removed.removed, deleted: removed.deleted }, request)
  },
  'category.list': async (fastify, request, uid, label) => {
    const { request: body } = validate(LegacyCidsRequest, request.body, 'body')
    return ok(await categoryPages(fastify, request, await uid(), numbers(body.cids), label), request)
  },
  'forum.tags': async (fastify, request, uid, label) => {
    const { request: body } = validate(LegacyCidsRequest, request.body, 'body')
    return ok(contextTagsResult(await categoryPages(fastify, request, await uid(), numbers(body.cids), label)), request)
  },
  'tags.list': async (fastify, request, uid, label) => {
    const { request: body } = validate(LegacyTagsList, request.body, 'body')
    const page = await nodebb(fastify, request, await uid(), { method: 'GET', path: `/api/tags/${encodeURIComponent(body.tag)}`, label })
    return ok(page.status === 200 ? tagTopicsResult(withoutHiddenDeleted(page.json), numbers(body.cid)) : [], request)
  }
}

/** A composed legacy route (the old plugins' routes): answered in the envelope the UI reads. */
export async function legacyComposed (fastify: FastifyInstance, request: FastifyRequest, handler: LegacyComposed, label: string): Promise<LegacyAnswer> {
  return await composed[handler](fastify, request, async () => await fastify.ownUid(request), label)
}
