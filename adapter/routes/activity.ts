import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { apiIds } from '../../shared/envelope'
import { errorResponses, requestEnvelope, responseEnvelope } from '../../shared/schemas/common'
import { activityQuery, ActivityListRequest, ActivityListResult } from '../../shared/schemas/activity'
import { nodebbPaths } from '../nodebb/paths'
import { callerSecurity } from './security-schemes'

/** Activity: what happened in a context's forums (recorded by the plugin from NodeBB's hooks). */
const activityRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post('/api/activity/v1/list', {
    config: { apiId: apiIds.activityList },
    schema: {
      tags: ['activity'],
      security: callerSecurity,
      summary: 'List activity',
      description: 'Newest first, filtered by context, forum (and its descendants), acting user, verbs and time. Only activity in forums the caller can read is listed, and entries about deleted topics or posts only if the user may view deleted posts there (purged ones not at all).',
      body: requestEnvelope(ActivityListRequest),
      response: { 200: responseEnvelope(ActivityListResult), ...errorResponses }
    }
  }, async (request, reply) => {
    const actor = await fastify.actor(request)
    const result = await fastify.nodebb.call<ActivityListResult>('GET', nodebbPaths.activity, { uid: actor.uid, query: activityQuery(request.body.request), request })
    return reply.envelope(result)
  })
}

export default activityRoutes
