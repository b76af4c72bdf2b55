import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { apiIds } from '../../shared/envelope'
import { responseEnvelope } from '../../shared/schemas/common'

/** Liveness: answers while the process can serve, whatever NodeBB's state. */
const healthRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/health', {
    config: { apiId: apiIds.health },
    schema: {
      tags: ['operations'],
      summary: 'Liveness',
      response: { 200: responseEnvelope(Type.Object({ healthy: Type.Boolean() })) }
    }
  }, async (_request, reply) => reply.envelope({ healthy: true }))
}

export default healthRoutes
