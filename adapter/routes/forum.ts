import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { apiIds } from '../../shared/envelope'
import { errorResponses, optionalRequestEnvelope, requestEnvelope, responseEnvelope } from '../../shared/schemas/common'
import {
  ForumCreateRequest, ForumDeleteResult, ForumFetchRequest, ForumFetchResult, ForumIdParams, ForumReadResult, ForumResult, ForumUpdateRequest
} from '../../shared/schemas/forum'
import { checkRequestCost, requestCost } from '../../shared/request-cost'
import { nodebbPaths } from '../nodebb/paths'
import { callerSecurity } from './security-schemes'

/** Forums: NodeBB categories with a Sunbird context, groups and the permission ladder. */
const forumRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const maxGrants = fastify.config.MAX_GRANTS_PER_REQUEST

  fastify.post('/api/forum/v1/create', {
    config: { apiId: apiIds.forumCreate, idempotent: true },
    schema: {
      tags: ['forums'],
      security: callerSecurity,
      summary: 'Create a forum',
      description: 'A private forum (unless `public`) for a context, with its groups, member privileges and nested children (at most 5 levels, 200 forums and MAX_GRANTS_PER_REQUEST grants), in one call. A root forum needs a service, an administrator or one of FORUM_CREATOR_ROLES; under a `parent`, `moderate` on the parent, and the parent\'s context. References are checked before the first write; a failure changes nothing.',
      body: requestEnvelope(ForumCreateRequest),
      response: { 200: responseEnvelope(ForumResult), ...errorResponses }
    }
  }, async (request, reply) => {
    const body = request.body.request
    // before any NodeBB call, the acting user's lookup included
    checkRequestCost(requestCost(body, 'create'), maxGrants)
    if (body.parent === undefined) fastify.requireForumCreator(request)
    const actor = await fastify.actor(request)
    const result = await fastify.nodebb.call<ForumResult>('POST', nodebbPaths.forums, { uid: actor.uid, body, request })
    return reply.envelope(result)
  })

  fastify.patch('/api/forum/v1/update/:forumId', {
    config: { apiId: apiIds.forumUpdate, idempotent: true },
    schema: {
      tags: ['forums'],
      security: callerSecurity,
      summary: 'Update a forum',
      description: 'Rename, add or change groups (by identifier), set or remove (`permissions: null`) member privileges, add children. Needs `moderate` on the forum (or a service or administrator).',
      params: ForumIdParams,
      body: requestEnvelope(ForumUpdateRequest),
      response: { 200: responseEnvelope(ForumResult), ...errorResponses }
    }
  }, async (request, reply) => {
    const body = request.body.request
    checkRequestCost(requestCost(body, 'update'), maxGrants)
    const actor = await fastify.actor(request)
    const result = await fastify.nodebb.call<ForumResult>('PATCH', nodebbPaths.forum, { uid: actor.uid, params: { forumId: request.params.forumId }, body, request })
    return reply.envelope(result)
  })

  fastify.post('/api/forum/v1/fetch', {
    config: { apiId: apiIds.forumFetch },
    schema: {
      tags: ['forums'],
      security: callerSecurity,
      summary: 'Forums of a context',
      description: 'The forums of the context that the caller can read, children nested under their parents (a readable forum under one the caller cannot read takes its place).',
      body: requestEnvelope(ForumFetchRequest),
      response: { 200: responseEnvelope(ForumFetchResult), ...errorResponses }
    }
  }, async (request, reply) => {
    const { type, identifier } = request.body.request.context
    const actor = await fastify.actor(request)
    const result = await fastify.nodebb.call<ForumFetchResult>('GET', nodebbPaths.contextForums, { uid: actor.uid, params: { type, identifier }, request })
    return reply.envelope(result)
  })

  fastify.get('/api/forum/v1/read/:forumId', {
    config: { apiId: apiIds.forumRead },
    schema: {
      tags: ['forums'],
      security: callerSecurity,
      summary: 'Read a forum',
      description: 'One forum as `forums: [forum]` (as Sunbird\'s seed shows it), with its readable descendants. A forum the caller cannot read is 403 FORBIDDEN.',
      params: ForumIdParams,
      response: { 200: responseEnvelope(ForumReadResult), ...errorResponses }
    }
  }, async (request, reply) => {
    const actor = await fastify.actor(request)
    const result = await fastify.nodebb.call<ForumReadResult>('GET', nodebbPaths.forum, { uid: actor.uid, params: { forumId: request.params.forumId }, request })
    return reply.envelope(result)
  })

  fastify.delete('/api/forum/v1/delete/:forumId', {
    config: { apiId: apiIds.forumDelete, idempotent: true },
    // no body (or an empty one, whatever the content type says) is an empty envelope
    preValidation: async (request) => { request.body ??= {} },
    schema: {
      tags: ['forums'],
      security: callerSecurity,
      summary: 'Delete a forum',
      description: 'Removes the forum, every descendant and their auto-created groups. Needs `moderate` on the forum (or a service or administrator). The body is optional (an envelope for `params.msgid`).',
      params: ForumIdParams,
      body: optionalRequestEnvelope(),
      response: { 200: responseEnvelope(ForumDeleteResult), ...errorResponses }
    }
  }, async (request, reply) => {
    const actor = await fastify.actor(request)
    const result = await fastify.nodebb.call<ForumDeleteResult>('DELETE', nodebbPaths.forum, { uid: actor.uid, params: { forumId: request.params.forumId }, request })
    return reply.envelope(result)
  })
}

export default forumRoutes
