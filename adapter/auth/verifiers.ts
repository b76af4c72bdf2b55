import type { Config } from '../config'
import { JwksKeys } from './jwks'
import { parseSecrets, readKeyFolder, type VerificationKey } from './keys'
import { SunbirdId } from '../../shared/schemas/common'

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

const sunbirdIdPattern = new RegExp(SunbirdId.pattern as string)

/**
 * The Sunbird ids a Keycloak `sub` names: its last `:` part (`f:<realm-id>:<user-id>` -> the user
 * id, as Sunbird's services name users), then the whole subject (as nodebb-plugin-sunbird-oidc maps
 * users who logged in by SSO). Null when the last part is not a Sunbird id.
 */
export function userIdsFromSub (sub: unknown): string[] | null {
  if (typeof sub !== 'string' || sub === '') return null
  const last = sub.slice(sub.lastIndexOf(':') + 1)
  if (last.length > (SunbirdId.maxLength as number) || !sunbirdIdPattern.test(last)) return null
  const whole = sub.length <= (SunbirdId.maxLength as number) && sunbirdIdPattern.test(sub) ? [sub] : []
  return [...new Set([last, ...whole])]
}

/** Realm roles from a Keycloak access token. */
export function realmRoles (payload: Record<string, unknown>): string[] {
  const access = payload.realm_access
  const roles = access !== null && typeof access === 'object' ? (access as { roles?: unknown }).roles : undefined
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : []
}
