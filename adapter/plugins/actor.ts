import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ApiError } from '../../shared/errors'
import { nodebbPaths } from '../nodebb/paths'

/** Who a call acts as: the service account, or the user the user token names. */
export type ActorNeed = 'service-or-user' | 'user'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The NodeBB uid a call goes to the plugin as (`_uid`), so NodeBB's own privileges decide:
     * the user token's Sunbird user, mapped to its uid; the service uid for an admin-role user or
     * when no user token came and none is needed. `user`: a user token is required (401 without).
     */
    actorUid: (request: FastifyRequest, need: ActorNeed) => Promise<number>
  }
}

const ttlMs = 5 * 60 * 1000
const maxEntries = 10000

async function actorPlugin (fastify: FastifyInstance): Promise<void> {
  const serviceUid = fastify.config.NODEBB_SERVICE_UID
  // Sunbird id -> uid hardly ever changes; a short cache saves a NodeBB call per request
  const cache = new Map<string, { uid: number, until: number }>()

  fastify.decorate('actorUid', async (request: FastifyRequest, need: ActorNeed): Promise<number> => {
    const user = request.sunbirdUser
    if (user === null) {
      if (need === 'user') throw new ApiError('UNAUTHORIZED', 'This operation needs the acting user\'s token (x-authenticated-user-token)')
      return serviceUid
    }
    if (user.isAdmin) return serviceUid
    const hit = cache.get(user.sunbirdId)
    if (hit !== undefined && hit.until > Date.now()) return hit.uid
    let found: { uid: number }
    try {
      found = await fastify.nodebb.call<{ uid: number }>('GET', nodebbPaths.userUid, { uid: serviceUid, params: { identifier: user.sunbirdId }, log: request.log, msgid: request.msgid })
    } catch (err) {
      if (err instanceof ApiError && err.code === 'USER_NOT_FOUND') throw new ApiError('USER_NOT_FOUND', `The user ${user.sunbirdId} has no forum account yet`)
      throw err
    }
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string)
    cache.set(user.sunbirdId, { uid: found.uid, until: Date.now() + ttlMs })
    return found.uid
  })
}

export default fp(actorPlugin, { name: 'actor', fastify: '5.x', dependencies: ['auth', 'nodebb-client'] })
