import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ApiError } from '../../shared/errors'
import { nodebbPaths } from '../nodebb/paths'
import { listSetting } from '../config'

/**
 * Who a call acts as (DESIGN, Security, "Who is calling"):
 * - `service`: a SERVICE_CONSUMERS consumer without a user token: NODEBB_SERVICE_UID, an administrator;
 * - `admin`: a user token whose user holds one of ADMIN_ROLES: NODEBB_SERVICE_UID as well;
 * - `user`: the user token's Sunbird user, mapped to its NodeBB uid, so NodeBB's privileges decide.
 */
export interface Actor {
  kind: 'service' | 'admin' | 'user'
  /** The NodeBB uid sent as `_uid`. */
  uid: number
  /** The Sunbird id the user is mapped under (for `user`), or the token's (for `admin`); null for a service. */
  sunbirdId: string | null
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The actor of an authenticated request (one cached plugin call to map a user's Sunbird id to its uid). */
    actor: (request: FastifyRequest) => Promise<Actor>
    /** Throws 403 unless the call acts for `identifier` itself, or as a service or administrator. */
    requireSelf: (request: FastifyRequest, identifier: string, what: string) => void
    /** Throws 403 unless the caller may create a root forum (a service, an administrator, or a user with one of FORUM_CREATOR_ROLES). */
    requireForumCreator: (request: FastifyRequest) => void
  }
}

const ttlMs = 5 * 60 * 1000
const maxEntries = 10000

async function actorPlugin (fastify: FastifyInstance): Promise<void> {
  const serviceUid = fastify.config.NODEBB_SERVICE_UID
  const creatorRoles = new Set(listSetting(fastify.config.FORUM_CREATOR_ROLES))
  // the token's subject -> its mapping; it hardly ever changes, and a short cache saves a NodeBB call per request
  const cache = new Map<string, { uid: number, identifier: string, until: number }>()

  async function mapped (request: FastifyRequest, subject: string): Promise<{ uid: number, identifier: string }> {
    const hit = cache.get(subject)
    if (hit !== undefined && hit.until > Date.now()) return hit
    let found: { uid: number, identifier: string }
    try {
      found = await fastify.nodebb.call<{ uid: number, identifier: string }>('GET', nodebbPaths.userUid, { uid: serviceUid, params: { identifier: subject }, request })
    } catch (err) {
      if (err instanceof ApiError && err.code === 'USER_NOT_FOUND') throw new ApiError('USER_NOT_FOUND', `The user ${request.sunbirdUser?.sunbirdId ?? subject} has no forum account yet`)
      throw err
    }
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string)
    cache.set(subject, { ...found, until: Date.now() + ttlMs })
    return found
  }

  fastify.decorate('actor', async (request: FastifyRequest): Promise<Actor> => {
    const user = request.sunbirdUser
    if (user === null) {
      // authenticate lets only trusted services through without a user token
      if (request.caller?.isService !== true) throw new ApiError('UNAUTHORIZED', 'The user\'s token (x-authenticated-user-token) is required')
      return { kind: 'service', uid: serviceUid, sunbirdId: null }
    }
    if (user.isAdmin) return { kind: 'admin', uid: serviceUid, sunbirdId: user.sunbirdId }
    const { uid, identifier } = await mapped(request, user.subject)
    return { kind: 'user', uid, sunbirdId: identifier }
  })

  fastify.decorate('requireSelf', (request: FastifyRequest, identifier: string, what: string): void => {
    const user = request.sunbirdUser
    if (user === null || user.isAdmin) return
    if (!user.ids.includes(identifier)) throw new ApiError('FORBIDDEN', `A user may ${what} only their own account`)
  })

  fastify.decorate('requireForumCreator', (request: FastifyRequest): void => {
    const user = request.sunbirdUser
    if (user === null || user.isAdmin || creatorRoles.size === 0) return
    if (!user.roles.some((r) => creatorRoles.has(r))) throw new ApiError('FORBIDDEN', 'Creating a root forum needs one of the forum creator roles')
  })
}

export default fp(actorPlugin, { name: 'actor', fastify: '5.x', dependencies: ['auth', 'nodebb-client'] })
