import fp from 'fastify-plugin'
import jwt, { type FastifyJwtNamespace, type TokenOrHeader } from '@fastify/jwt'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ApiError } from '../../shared/errors'
import { keySources, realmRoles, userIdsFromSub } from '../auth/verifiers'
import type { VerificationKey } from '../auth/keys'
import { VerifiedTokenCache } from '../auth/verified-cache'
import { listSetting } from '../config'

export interface ApiCaller {
  /** The API consumer: the token's kid (or iss). Rate limits and idempotency records are per consumer. */
  consumer: string
  /** One of SERVICE_CONSUMERS: a trusted back-end service, which may act without a user token. */
  isService: boolean
}

export interface SunbirdUser {
  /** The token's `sub`, as Keycloak wrote it. */
  subject: string
  /** The forms the user may be mapped under: the last `:` part of `sub`, then the whole of it (one entry when they are the same). */
  ids: string[]
  /** The first of `ids`: how logs name the user. */
  sunbirdId: string
  roles: string[]
  isAdmin: boolean
  /** `preferred_username`, for a user created on first use; null when the token has none. */
  preferredUsername: string | null
}

/** A token as @fastify/jwt verifies it with `complete: true`. */
interface Verified {
  header: { kid?: unknown, alg?: unknown }
  payload: Record<string, unknown>
}

declare module 'fastify' {
  interface FastifyRequest extends FastifyJwtNamespace<{ namespace: 'api' }>, FastifyJwtNamespace<{ namespace: 'user' }> {
    /** Set once the API token is verified. */
    caller: ApiCaller | null
    /** Set once a user token is verified; null when none was sent. */
    sunbirdUser: SunbirdUser | null
  }
  interface FastifyInstance {
    /** Verifies the API token, and the user token when one is sent; throws 401 UNAUTHORIZED. */
    authenticate: (request: FastifyRequest) => Promise<void>
  }
}

export const userTokenHeader = 'x-authenticated-user-token'

/** `authorization: Bearer <token>`, the scheme in any case (RFC 9110 makes it case-insensitive). */
export function bearer (request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (typeof header !== 'string') return undefined
  return /^bearer +([A-Za-z0-9._~+/=-]+)$/i.exec(header)?.[1]
}

function userTokenOf (request: FastifyRequest): string | undefined {
  const token = request.headers[userTokenHeader]
  return typeof token === 'string' ? token : undefined
}

/** What the secret callback is given: with `decode: { complete: true }`, the whole decoded token. */
function decodedToken (decoded: TokenOrHeader): Verified {
  return 'payload' in decoded ? { header: decoded.header, payload: decoded.payload } : { header: decoded, payload: {} }
}

/** The key a token names, refusing any algorithm other than the key's own (no `none`, no HS/RS confusion). */
function keyFor (key: VerificationKey | undefined, decoded: Verified, what: string): string {
  if (key === undefined) throw new ApiError('UNAUTHORIZED', `The ${what} is signed with an unknown key`)
  if (decoded.header.alg !== key.alg) throw new ApiError('UNAUTHORIZED', `The ${what} uses an algorithm its key does not allow`)
  return key.key
}

/** @fastify/jwt's errors carry no token material; keep their reason, under our code. */
function unauthorized (err: unknown, what: string): ApiError {
  if (err instanceof ApiError) return err
  const reason = err instanceof Error ? err.message.replace(/\.$/, '') : 'invalid'
  return new ApiError('UNAUTHORIZED', `The ${what} is not valid: ${reason.slice(0, 120)}`)
}

/** A token without `exp` (API managers issue such consumer tokens) is cached this long. */
const maxCacheMs = 10 * 60 * 1000

/**
 * Two tokens on every /api call (DESIGN, Security): the API token from the API manager
 * (`authorization: Bearer`, HS256/RS256/ES256 by kid) names the API consumer; the Keycloak access
 * token (`x-authenticated-user-token`, RS256, verified offline against the realm's keys) names the
 * user. Consumers in SERVICE_CONSUMERS are trusted services and may call without a user token; every
 * other consumer must send one on every call. Both are verified by @fastify/jwt (fast-jwt); tokens
 * that verified are cached by hash until they expire (failures are never cached).
 */
async function authPlugin (fastify: FastifyInstance): Promise<void> {
  const config = fastify.config
  const sources = keySources(config, (err) => fastify.log.warn({ err: { message: (err as Error).message } }, 'JWKS refresh failed; keeping the keys we had'))
  // say at start what would otherwise only show as a 401 on every call
  if (sources.api.size === 0) fastify.log.warn('no API token key is configured (API_TOKEN_KEYS_DIR, API_TOKEN_HS256_SECRETS): every /api call will be answered 401. For a local trial, `sunbird-discussions-adapter dev-tokens` makes keys and tokens')
  if (sources.realm.size === 0 && sources.jwks === null) fastify.log.warn('no Keycloak realm is configured (KEYCLOAK_KEYS_DIR, KEYCLOAK_JWKS_URL or KEYCLOAK_REALM_URL): every call with a user token will be answered 401, and only SERVICE_CONSUMERS may call without one. For a local trial, `sunbird-discussions-adapter dev-tokens` makes keys and tokens')
  const services = new Set(listSetting(config.SERVICE_CONSUMERS))
  const adminRoles = new Set(listSetting(config.ADMIN_ROLES))
  const audience = config.KEYCLOAK_AUDIENCE
  const clockTolerance = config.CLOCK_SKEW_SECONDS * 1000
  const cache = new VerifiedTokenCache<Verified>(config.TOKEN_CACHE_SIZE)

  await fastify.register(jwt, {
    namespace: 'api',
    decoratorName: 'apiToken',
    decode: { complete: true },
    secret: async (_request: FastifyRequest, token: TokenOrHeader) => {
      const decoded = decodedToken(token)
      return keyFor(sources.api.get(String(decoded.header.kid ?? decoded.payload.iss ?? '')), decoded, 'API token')
    },
    verify: {
      complete: true,
      algorithms: ['HS256', 'RS256', 'ES256'],
      extractToken: bearer,
      cache: false,
      clockTolerance,
      ...(config.API_TOKEN_ISSUER === '' ? {} : { allowedIss: config.API_TOKEN_ISSUER }),
      ...(config.API_TOKEN_AUDIENCE === '' ? {} : { allowedAud: config.API_TOKEN_AUDIENCE })
    }
  })

  await fastify.register(jwt, {
    namespace: 'user',
    decoratorName: 'userToken',
    decode: { complete: true },
    secret: async (_request: FastifyRequest, token: TokenOrHeader) => {
      const decoded = decodedToken(token)
      const kid = String(decoded.header.kid ?? '')
      return keyFor(sources.realm.get(kid) ?? await sources.jwks?.get(kid), decoded, 'user token')
    },
    verify: {
      complete: true,
      algorithms: ['RS256'],
      extractToken: userTokenOf,
      cache: false,
      clockTolerance,
      requiredClaims: ['sub', 'exp'],
      // no realm configured: no user token can be trusted
      allowedIss: config.KEYCLOAK_REALM_URL === '' ? /(?!)/ : config.KEYCLOAK_REALM_URL
    }
  })

  /** One token through the cache, then @fastify/jwt; the cache keeps it until `exp` (at most 10 min). */
  async function verified (token: string, verify: () => Promise<Verified>, what: string): Promise<Verified> {
    const key = VerifiedTokenCache.keyOf(`${what}\n${token}`)
    const hit = cache.get(key)
    if (hit !== undefined) return hit
    let result: Verified
    try {
      result = await verify()
    } catch (err) {
      throw unauthorized(err, what)
    }
    const exp = result.payload.exp
    cache.set(key, result, Math.min(Date.now() + maxCacheMs, typeof exp === 'number' ? exp * 1000 + clockTolerance : Infinity))
    return result
  }

  /** What only access tokens for this deployment carry: Keycloak's `typ: Bearer`, and the audience when one is configured. */
  function checkAccessToken (payload: Record<string, unknown>): void {
    if (payload.typ !== 'Bearer') throw new ApiError('UNAUTHORIZED', 'The user token is not an access token (typ must be Bearer)')
    if (audience === '') return
    const aud = payload.aud
    const audiences = Array.isArray(aud) ? aud : [aud]
    if (!audiences.includes(audience) && payload.azp !== audience) throw new ApiError('UNAUTHORIZED', 'The user token was not issued for this service (aud / azp)')
  }

  fastify.decorateRequest('caller', null)
  fastify.decorateRequest('sunbirdUser', null)

  fastify.decorate('authenticate', async (request: FastifyRequest) => {
    const apiToken = bearer(request)
    if (apiToken === undefined) throw new ApiError('UNAUTHORIZED', 'An API token is required (authorization: Bearer <token>)')
    const api = await verified(apiToken, () => request.apiJwtVerify<Verified>(), 'API token')
    const consumer = String(api.header.kid ?? api.payload.iss ?? 'unknown')
    request.caller = { consumer, isService: services.has(consumer) }

    const userToken = userTokenOf(request)
    if (userToken === undefined) {
      if (!request.caller.isService) throw new ApiError('UNAUTHORIZED', 'The user\'s token (x-authenticated-user-token) is required: this API consumer is not a trusted service')
      request.log = request.log.child({ consumer })
      return
    }
    const user = (await verified(userToken, () => request.userJwtVerify<Verified>(), 'user token')).payload
    checkAccessToken(user)
    const ids = userIdsFromSub(user.sub)
    if (ids === null) throw new ApiError('UNAUTHORIZED', 'The user token names no Sunbird user')
    const roles = realmRoles(user)
    const preferred = user.preferred_username
    request.sunbirdUser = {
      subject: String(user.sub),
      ids,
      sunbirdId: ids[0] as string,
      roles,
      isAdmin: roles.some((r) => adminRoles.has(r)),
      preferredUsername: typeof preferred === 'string' && preferred !== '' ? preferred : null
    }
    request.log = request.log.child({ consumer, user: ids[0] })
  })
}

export default fp(authPlugin, { name: 'auth', fastify: '5.x', dependencies: ['envelope'] })
