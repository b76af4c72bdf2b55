import type { Config } from '../config'
import { JwksKeys } from './jwks'
import { parseSecrets, readKeyFolder, type VerificationKey } from './keys'

/** Where each token's keys come from, built once from the config. */
export interface KeySources {
  /** API token keys by kid (or by `iss`, which is how Kong names the consumer credential). */
  api: Map<string, VerificationKey>
  /** Keycloak realm keys from the folder; the JWKS (if any) is asked for the others. */
  realm: Map<string, VerificationKey>
  jwks: JwksKeys | null
}

export function keySources (config: Config, onJwksError: (err: unknown) => void): KeySources {
  const api = new Map<string, VerificationKey>()
  if (config.API_TOKEN_KEYS_DIR !== '') for (const [kid, key] of readKeyFolder(config.API_TOKEN_KEYS_DIR, { allowSecrets: true })) api.set(kid, key)
  for (const [kid, key] of parseSecrets(config.API_TOKEN_HS256_SECRETS)) api.set(kid, key)
  const realm = config.KEYCLOAK_KEYS_DIR === '' ? new Map<string, VerificationKey>() : readKeyFolder(config.KEYCLOAK_KEYS_DIR, { allowSecrets: false })
  const jwksUrl = config.KEYCLOAK_JWKS_URL !== ''
    ? config.KEYCLOAK_JWKS_URL
    : (config.KEYCLOAK_REALM_URL !== '' && config.KEYCLOAK_KEYS_DIR === '' ? `${config.KEYCLOAK_REALM_URL.replace(/\/$/, '')}/protocol/openid-connect/certs` : '')
  const jwks = jwksUrl === ''
    ? null
    : new JwksKeys({ url: jwksUrl, minRefreshMs: config.KEYCLOAK_JWKS_MIN_REFRESH_MS, timeoutMs: config.NODEBB_TIMEOUT_MS, onError: onJwksError })
  return { api, realm, jwks }
}

/** The Sunbird user id is the last `:` part of a Keycloak `sub` (`f:<realm-id>:<user-id>`). */
export function sunbirdIdFromSub (sub: unknown): string | null {
  if (typeof sub !== 'string' || sub === '') return null
  const id = sub.slice(sub.lastIndexOf(':') + 1)
  return /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/.test(id) ? id : null
}

/** Realm roles from a Keycloak access token. */
export function realmRoles (payload: Record<string, unknown>): string[] {
  const access = payload.realm_access
  const roles = access !== null && typeof access === 'object' ? (access as { roles?: unknown }).roles : undefined
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : []
}
