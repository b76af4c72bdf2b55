import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { apiIds } from '../../shared/envelope'
import { errorResponses, requestEnvelope, responseEnvelope } from '../../shared/schemas/common'
import { UserCreateRequest, UserCreateResult, UserIdentifierParams, UserReadResult } from '../../shared/schemas/user'
import { nodebbPaths } from '../nodebb/paths'

/** Users: a Sunbird id mapped onto a NodeBB user. */
const userRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const uid = fastify.config.NODEBB_SERVICE_UID

  fastify.post('/api/user/v1/create', {
    config: { apiId: apiIds.userCreate, idempotent: true },
    schema: {
      tags: ['users'],
      security: [{ apiToken: [] }],
      summary: 'Create a user',
      description: 'Creates a NodeBB user for a Sunbird id (email stored as confirmed). USER_EXISTS if the id is mapped, USERNAME_TAKEN if NodeBB has the name.',
      body: requestEnvelope(UserCreateRequest),
      response: { 200: responseEnvelope(UserCreateResult), ...errorResponses }
    }
  }, async (request, reply) => {
    const result = await fastify.nodebb.call<UserCreateResult>('POST', nodebbPaths.users, { uid, body: request.body.request, log: request.log, msgid: request.msgid })
    return reply.envelope(result)
  })

  fastify.get('/api/user/v1/read/:identifier', {
    config: { apiId: apiIds.userRead },
    schema: {
      tags: ['users'],
      security: [{ apiToken: [] }],
      summary: 'Read a user',
      description: 'The user and every forum they can reach, directly or through groups, with the permissions they hold there.',
      params: UserIdentifierParams,
      response: { 200: responseEnvelope(UserReadResult), ...errorResponses }
    }
  }, async (request, reply) => {
    const result = await fastify.nodebb.call<UserReadResult>('GET', nodebbPaths.user, { uid, params: { identifier: request.params.identifier }, log: request.log, msgid: request.msgid })
    return reply.envelope(result)
  })
}

export default userRoutes
