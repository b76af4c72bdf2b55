import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ApiError } from '../../shared/errors'
import { nodebbPaths } from '../nodebb/paths'
import { listSetting } from '../config'
import type { UserEnsureResult } from '../../shared/schemas/user'

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
    /**
     * The NodeBB uid of the user the user token names, whatever their roles (the discussion
     * passthrough acts as the user themselves, never as the service uid). 401 without a user token;
     * a user with no account is created on first use when AUTO_CREATE_USERS is on, else USER_NOT_FOUND.
     */
    ownUid: (request: FastifyRequest) => Promise<number>
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
  const autoCreate = fastify.config.AUTO_CREATE_USERS
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
    remember(subject, found)
    return found
  }

  function remember (subject: string, found: { uid: number, identifier: string }): void {
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string)
    cache.set(subject, { uid: found.uid, identifier: found.identifier, until: Date.now() + ttlMs })
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

  fastify.decorate('ownUid', async (request: FastifyRequest): Promise<number> => {
    const user = request.sunbirdUser
    if (user === null) throw new ApiError('UNAUTHORIZED', 'The discussion routes act as a user: the user\'s token (x-authenticated-user-token) is required')
    try {
      return (await mapped(request, user.subject)).uid
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'USER_NOT_FOUND') || !autoCreate) throw err
    }
    // as the service: the user does not exist in NodeBB yet
    const ensured = await fastify.nodebb.call<UserEnsureResult>('PUT', nodebbPaths.user, { uid: serviceUid, params: { identifier: user.subject }, body: { username: user.preferredUsername ?? user.sunbirdId }, request })
    if (ensured.created) request.log.info({ uid: ensured.uid }, 'user created on first use')
    remember(user.subject, ensured)
    return ensured.uid
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
