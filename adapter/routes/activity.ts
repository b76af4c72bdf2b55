import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { apiIds } from '../../shared/envelope'
import { errorResponses, requestEnvelope, responseEnvelope } from '../../shared/schemas/common'
import { activityQuery, ActivityCreateRequest, ActivityCreateResult, ActivityListRequest, ActivityListResult, isNodebbVerb } from '../../shared/schemas/activity'
import { ApiError } from '../../shared/errors'
import { nodebbPaths } from '../nodebb/paths'
import { callerSecurity } from './security-schemes'

/** Activity: what happened in a context's forums (recorded by the plugin from NodeBB's hooks). */
const activityRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  const serviceUid = fastify.config.NODEBB_SERVICE_UID

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

  fastify.post('/api/activity/v1/create', {
    config: { apiId: apiIds.activityCreate, idempotent: true },
    schema: {
      tags: ['activity'],
      security: callerSecurity,
      summary: 'Put an app\'s event into a context\'s activity',
      description: 'An app\'s own event (e.g. `completed` a course) in a context\'s stream, and in a forum\'s when `forum` is given (it must belong to the context): listed by activity list beside NodeBB\'s events (filterable by verb) and sent to webhooks. `actor` is a Sunbird id with a forum account; the verb is the app\'s own (NodeBB\'s verbs are refused). Trusted services and administrators only (a client consumer acting as a user: 403). Idempotent per msgid.',
      body: requestEnvelope(ActivityCreateRequest),
      response: { 200: responseEnvelope(ActivityCreateResult), ...errorResponses }
    }
  }, async (request, reply) => {
    // decided from the tokens alone: a refused call never reaches NodeBB
    if (request.caller?.isService !== true && request.sunbirdUser?.isAdmin !== true) throw new ApiError('FORBIDDEN', 'Only trusted services and administrators put events into the activity stream')
    if (isNodebbVerb(request.body.request.verb)) throw new ApiError('INVALID_REQUEST', `request.verb ${request.body.request.verb} is NodeBB's own; an app's event needs a verb of its own`)
    // as the service: the plugin records it for the app, whoever the token names
    const result = await fastify.nodebb.call<ActivityCreateResult>('POST', nodebbPaths.activity, { uid: serviceUid, body: request.body.request, request })
    return reply.envelope(result)
  })
}

export default activityRoutes
