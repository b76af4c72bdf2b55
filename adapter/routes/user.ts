import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { apiIds } from '../../shared/envelope'
import { errorResponses, requestEnvelope, responseEnvelope } from '../../shared/schemas/common'
import { UserCreateRequest, UserCreateResult, UserIdentifierParams, UserReadResult } from '../../shared/schemas/user'
import { nodebbPaths } from '../nodebb/paths'
import { callerSecurity } from './security-schemes'

/** Users: a Sunbird id mapped onto a NodeBB user. */
const userRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const uid = fastify.config.NODEBB_SERVICE_UID

  fastify.post('/api/user/v1/create', {
    config: { apiId: apiIds.userCreate, idempotent: true },
    schema: {
      tags: ['users'],
      security: callerSecurity,
      summary: 'Create a user',
      description: 'Creates a NodeBB user for a Sunbird id (email stored as confirmed), mapped for this API and for Sunbird SSO. USER_EXISTS if the id is mapped (also by SSO), USERNAME_TAKEN if NodeBB has the name. A user token may create only its own user.',
      body: requestEnvelope(UserCreateRequest),
      response: { 200: responseEnvelope(UserCreateResult), ...errorResponses }
    }
  }, async (request, reply) => {
    fastify.requireSelf(request, request.body.request.identifier, 'create')
    // as the service: the user may not exist in NodeBB yet
    const result = await fastify.nodebb.call<UserCreateResult>('POST', nodebbPaths.users, { uid, body: request.body.request, request })
    return reply.envelope(result)
  })

  fastify.get('/api/user/v1/read/:identifier', {
    config: { apiId: apiIds.userRead },
    schema: {
      tags: ['users'],
      security: callerSecurity,
      summary: 'Read a user',
      description: 'The user and every forum they can reach, directly or through groups, with the permissions they hold there. A user token may read only its own user.',
      params: UserIdentifierParams,
      response: { 200: responseEnvelope(UserReadResult), ...errorResponses }
    }
  }, async (request, reply) => {
    fastify.requireSelf(request, request.params.identifier, 'read')
    const result = await fastify.nodebb.call<UserReadResult>('GET', nodebbPaths.user, { uid, params: { identifier: request.params.identifier }, request })
    return reply.envelope(result)
  })
}

export default userRoutes
