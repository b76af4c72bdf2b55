import fp from 'fastify-plugin'
import jwt from '@fastify/jwt'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ApiError } from '../../shared/errors'
import { keySources, realmRoles, sunbirdIdFromSub } from '../auth/verifiers'
import type { VerificationKey } from '../auth/keys'

export interface ApiCaller {
  /** The API consumer: the token's kid (or iss). Rate limits and idempotency records are per consumer. */
  consumer: string
}

export interface SunbirdUser {
  sunbirdId: string
  roles: string[]
  isAdmin: boolean
}

declare module 'fastify' {
  interface FastifyRequest {
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

interface Decoded {
  header: { kid?: unknown, alg?: unknown }
  payload: Record<string, unknown>
}

const userTokenHeader = 'x-authenticated-user-token'

function bearer (request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (typeof header !== 'string') return undefined
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header)
  return match?.[1]
}

/** The key a token names, refusing any algorithm other than the key's own (no `none`, no HS/RS confusion). */
function keyFor (key: VerificationKey | undefined, decoded: Decoded, what: string): string {
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

/**
 * Two tokens on every /api call (DESIGN, Security): the API token from the API manager
 * (`authorization: Bearer`, HS256/RS256/ES256 by kid) and, when a user acts, the Keycloak access
 * token (`x-authenticated-user-token`, RS256, verified offline against the realm's keys). Both are
 * verified by @fastify/jwt (fast-jwt), each with a cache of verified tokens keyed by their hash.
 */
async function authPlugin (fastify: FastifyInstance): Promise<void> {
  const config = fastify.config
  const sources = keySources(config, (err) => fastify.log.warn({ err: { message: (err as Error).message } }, 'JWKS refresh failed; keeping the keys we had'))
  const adminRoles = new Set(config.ADMIN_ROLES.split(',').map((r) => r.trim()).filter((r) => r !== ''))
  const cache = config.TOKEN_CACHE_SIZE > 0 ? config.TOKEN_CACHE_SIZE : false
  const clockTolerance = config.CLOCK_SKEW_SECONDS * 1000

  await fastify.register(jwt, {
    namespace: 'api',
    decoratorName: 'apiToken',
    decode: { complete: true },
    secret: async (_request: FastifyRequest, decoded: Decoded) =>
      keyFor(sources.api.get(String(decoded.header.kid ?? decoded.payload.iss ?? '')), decoded, 'API token'),
    verify: {
      algorithms: ['HS256', 'RS256', 'ES256'],
      extractToken: bearer,
      cache,
      clockTolerance,
      ...(config.API_TOKEN_ISSUER === '' ? {} : { allowedIss: config.API_TOKEN_ISSUER }),
      ...(config.API_TOKEN_AUDIENCE === '' ? {} : { allowedAud: config.API_TOKEN_AUDIENCE })
    }
  } as Parameters<typeof jwt>[1])

  await fastify.register(jwt, {
    namespace: 'user',
    decoratorName: 'userToken',
    decode: { complete: true },
    secret: async (_request: FastifyRequest, decoded: Decoded) => {
      const kid = String(decoded.header.kid ?? '')
      return keyFor(sources.realm.get(kid) ?? await sources.jwks?.get(kid), decoded, 'user token')
    },
    verify: {
      algorithms: ['RS256'],
      extractToken: (request: FastifyRequest) => {
        const token = request.headers[userTokenHeader]
        return typeof token === 'string' ? token : undefined
      },
      cache,
      clockTolerance,
      requiredClaims: ['sub', 'exp'],
      // no realm configured: no user token can be trusted
      allowedIss: config.KEYCLOAK_REALM_URL === '' ? /(?!)/ : config.KEYCLOAK_REALM_URL
    }
  } as Parameters<typeof jwt>[1])

  fastify.decorateRequest('caller', null)
  fastify.decorateRequest('sunbirdUser', null)

  fastify.decorate('authenticate', async (request: FastifyRequest) => {
    if (bearer(request) === undefined) throw new ApiError('UNAUTHORIZED', 'An API token is required (authorization: Bearer <token>)')
    let api: Record<string, unknown>
    try {
      api = await (request as unknown as { apiJwtVerify: () => Promise<Record<string, unknown>> }).apiJwtVerify()
    } catch (err) {
      throw unauthorized(err, 'API token')
    }
    // verified above, so its header can be read as it stands
    const header = JSON.parse(Buffer.from((bearer(request) as string).split('.')[0] as string, 'base64url').toString('utf8')) as { kid?: unknown }
    request.caller = { consumer: String(header.kid ?? api.iss ?? 'unknown') }

    if (request.headers[userTokenHeader] === undefined) return
    let user: Record<string, unknown>
    try {
      user = await (request as unknown as { userJwtVerify: () => Promise<Record<string, unknown>> }).userJwtVerify()
    } catch (err) {
      throw unauthorized(err, 'user token')
    }
    const sunbirdId = sunbirdIdFromSub(user.sub)
    if (sunbirdId === null) throw new ApiError('UNAUTHORIZED', 'The user token names no Sunbird user')
    const roles = realmRoles(user)
    request.sunbirdUser = { sunbirdId, roles, isAdmin: roles.some((r) => adminRoles.has(r)) }
    request.log = request.log.child({ consumer: request.caller.consumer, user: sunbirdId })
  })
}

export default fp(authPlugin, { name: 'auth', fastify: '5.x', dependencies: ['envelope'] })
