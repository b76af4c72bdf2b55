import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { apiIds } from '../../shared/envelope'
import { errorResponses, requestEnvelope, responseEnvelope } from '../../shared/schemas/common'
import {
  ForumCreateRequest, ForumDeleteResult, ForumFetchRequest, ForumFetchResult, ForumIdParams, ForumResult, ForumUpdateRequest
} from '../../shared/schemas/forum'
import { nodebbPaths } from '../nodebb/paths'

/** DELETE carries no `request`, but may carry an envelope for its `params.msgid`. */
const deleteEnvelope = Type.Object({
  ...requestEnvelope(Type.Object({}, { additionalProperties: false })).properties,
  request: Type.Optional(Type.Object({}, { additionalProperties: false }))
}, { additionalProperties: false })

/** Forums: NodeBB categories with a Sunbird context, groups and the permission ladder. */
const forumRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const uid = fastify.config.NODEBB_SERVICE_UID

  fastify.post('/api/forum/v1/create', {
    config: { apiId: apiIds.forumCreate, idempotent: true },
    schema: {
      tags: ['forums'],
      security: [{ apiToken: [] }, { apiToken: [], userToken: [] }],
      summary: 'Create a forum',
      description: 'A private forum (unless `public`) for a context, with its groups, member privileges and nested children, in one call. References are checked before the first write; a failure changes nothing.',
      body: requestEnvelope(ForumCreateRequest),
      response: { 200: responseEnvelope(ForumResult), ...errorResponses }
    }
  }, async (request, reply) => {
    // under a parent the plugin checks the user's moderate on it; a root forum is a service operation
    const actor = await fastify.actorUid(request, request.body.request.parent === undefined ? 'service-or-user' : 'user')
    const result = await fastify.nodebb.call<ForumResult>('POST', nodebbPaths.forums, { uid: actor, body: request.body.request, log: request.log, msgid: request.msgid })
    return reply.envelope(result)
  })

  fastify.patch('/api/forum/v1/update/:forumId', {
    config: { apiId: apiIds.forumUpdate, idempotent: true },
    schema: {
      tags: ['forums'],
      security: [{ apiToken: [], userToken: [] }],
      summary: 'Update a forum',
      description: 'Rename, add or change groups (by identifier), set or remove (`permissions: null`) member privileges, add children. Needs the user token of a user with `moderate` on the forum (or an admin role).',
      params: ForumIdParams,
      body: requestEnvelope(ForumUpdateRequest),
      response: { 200: responseEnvelope(ForumResult), ...errorResponses }
    }
  }, async (request, reply) => {
    const actor = await fastify.actorUid(request, 'user')
    const result = await fastify.nodebb.call<ForumResult>('PATCH', nodebbPaths.forum, { uid: actor, params: { forumId: request.params.forumId }, body: request.body.request, log: request.log, msgid: request.msgid })
    return reply.envelope(result)
  })

  fastify.post('/api/forum/v1/fetch', {
    config: { apiId: apiIds.forumFetch },
    schema: {
      tags: ['forums'],
      security: [{ apiToken: [] }, { apiToken: [], userToken: [] }],
      summary: 'Forums of a context',
      description: 'Every forum of the context, children nested under their parents.',
      body: requestEnvelope(ForumFetchRequest),
      response: { 200: responseEnvelope(ForumFetchResult), ...errorResponses }
    }
  }, async (request, reply) => {
    const { type, identifier } = request.body.request.context
    const result = await fastify.nodebb.call<ForumFetchResult>('GET', nodebbPaths.contextForums, { uid, params: { type, identifier }, log: request.log, msgid: request.msgid })
    return reply.envelope(result)
  })

  fastify.get('/api/forum/v1/read/:forumId', {
    config: { apiId: apiIds.forumRead },
    schema: {
      tags: ['forums'],
      security: [{ apiToken: [] }, { apiToken: [], userToken: [] }],
      summary: 'Read a forum',
      params: ForumIdParams,
      response: { 200: responseEnvelope(ForumResult), ...errorResponses }
    }
  }, async (request, reply) => {
    const result = await fastify.nodebb.call<ForumResult>('GET', nodebbPaths.forum, { uid, params: { forumId: request.params.forumId }, log: request.log, msgid: request.msgid })
    return reply.envelope(result)
  })

  fastify.delete('/api/forum/v1/delete/:forumId', {
    config: { apiId: apiIds.forumDelete, idempotent: true },
    // Fastify validates a missing body as `undefined`; here no body means an empty envelope
    preValidation: async (request) => { request.body ??= {} },
    schema: {
      tags: ['forums'],
      security: [{ apiToken: [], userToken: [] }],
      summary: 'Delete a forum',
      description: 'Removes the forum, every descendant and their auto-created groups. Needs the user token of a user with `moderate` on the forum (or an admin role). The body is optional (an envelope for `params.msgid`).',
      params: ForumIdParams,
      body: deleteEnvelope,
      response: { 200: responseEnvelope(ForumDeleteResult), ...errorResponses }
    }
  }, async (request, reply) => {
    const actor = await fastify.actorUid(request, 'user')
    const result = await fastify.nodebb.call<ForumDeleteResult>('DELETE', nodebbPaths.forum, { uid: actor, params: { forumId: request.params.forumId }, log: request.log, msgid: request.msgid })
    return reply.envelope(result)
  })
}

export default forumRoutes
