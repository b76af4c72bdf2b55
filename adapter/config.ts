import { readFileSync } from 'node:fs'
import { parse as parseDotenv } from 'dotenv'
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { limits } from '../shared/schemas/forum'

/**
 * The adapter's configuration: one schema, read once at start from the environment and an
 * optional `.env` file (the environment wins). No other module reads process.env.
 */
export const ConfigSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', description: 'Interface to listen on (0.0.0.0 in a container)' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4000 }),
  SOCKET_PATH: Type.String({ default: '', description: 'Listen on this Unix socket instead of HOST:PORT' }),
  ROUTE_PREFIX: Type.String({ default: '', pattern: '^(/[A-Za-z0-9._~-]+)*$', description: 'Mount the /api routes under this prefix, e.g. /discussions' }),
  DISCUSSION_PREFIX: Type.String({ default: '/discussion', pattern: '^(/[A-Za-z0-9._~-]+)+$', description: 'NodeBB\'s own APIs, on the allow-list, are forwarded under this prefix as the user the tokens name: <prefix>/api/v3/topics/12 -> /api/v3/topics/12' }),
  AUTO_CREATE_USERS: Type.Boolean({ default: true, description: 'A user with no NodeBB account is created on first use through the discussion passthrough, from the token\'s preferred_username' }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  BODY_LIMIT: Type.Integer({ minimum: 1024, maximum: 10485760, default: 1048576, description: 'Largest accepted body, bytes' }),
  REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: 30000 }),
  KEEP_ALIVE_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: 72000 }),
  CLOSE_GRACE_MS: Type.Integer({ minimum: 0, default: 10000, description: 'How long in-flight requests get on shutdown' }),
  NODEBB_URL: Type.String({ default: 'http://127.0.0.1:4567', pattern: '^https?://' }),
  // visible ASCII only: the token goes into a header, and a malformed one must fail here, not in a log line
  NODEBB_TOKEN: Type.String({ default: '', pattern: '^[\\x21-\\x7e]*$', description: 'A NodeBB master token (uid 0); never logged' }),
  NODEBB_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10000, description: 'The longest one NodeBB read may take' }),
  NODEBB_WRITE_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 60000, description: 'The longest one NodeBB write may take (the largest request the limits allow must finish within it); past it the answer is 503 OUTCOME_UNKNOWN' }),
  NODEBB_CONNECTIONS: Type.Integer({ minimum: 1, maximum: 1024, default: 32 }),
  NODEBB_SERVICE_UID: Type.Integer({ minimum: 1, default: 1, description: 'The NodeBB uid (an administrator) a trusted service acts as without a user token, and an ADMIN_ROLES user acts as' }),
  REDIS_URL: Type.String({ default: '', pattern: '^(rediss?://.*)?$', description: 'Adapter state in Redis; in memory when empty' }),
  REDIS_KEY_PREFIX: Type.String({ default: 'sunbird-discussions:', maxLength: 64, pattern: '^[A-Za-z0-9:._-]*$', description: 'Prefix of every Redis key the adapter writes' }),
  IDEMPOTENCY_TTL_SECONDS: Type.Integer({ minimum: 1, default: 86400 }),
  API_TOKEN_KEYS_DIR: Type.String({ default: '', description: 'Folder of API token keys, one file per kid: <kid>.pem (RS256/ES256 public key) or <kid>.hs256 (secret)' }),
  API_TOKEN_HS256_SECRETS: Type.String({ default: '', description: 'API token HS256 secrets as kid=secret,kid2=secret2 (32+ characters each)' }),
  API_TOKEN_ISSUER: Type.String({ default: '', description: 'Required `iss` of API tokens (empty: not checked)' }),
  API_TOKEN_AUDIENCE: Type.String({ default: '', description: 'Required `aud` of API tokens (empty: not checked)' }),
  KEYCLOAK_REALM_URL: Type.String({ default: '', pattern: '^(https?://.+)?$', description: 'The realm URL, checked against `iss` of user tokens' }),
  KEYCLOAK_KEYS_DIR: Type.String({ default: '', description: 'Folder of the realm public keys, one file per kid (PEM or bare base64, as Sunbird deploys them)' }),
  KEYCLOAK_JWKS_URL: Type.String({ default: '', pattern: '^(https?://.+)?$', description: 'The realm JWKS (default: <realm>/protocol/openid-connect/certs when KEYCLOAK_REALM_URL is set and no key folder is)' }),
  KEYCLOAK_JWKS_MIN_REFRESH_MS: Type.Integer({ minimum: 1000, default: 60000, description: 'An unknown kid refreshes the JWKS at most this often' }),
  CLOCK_SKEW_SECONDS: Type.Integer({ minimum: 0, maximum: 300, default: 30, description: 'Tolerance for exp/nbf' }),
  TOKEN_CACHE_SIZE: Type.Integer({ minimum: 0, default: 10000, description: 'Verified tokens cached (by hash, until they expire); 0 turns the cache off' }),
  KEYCLOAK_AUDIENCE: Type.String({ default: '', description: 'When set, a user token\'s `aud` must include it or its `azp` must equal it' }),
  SERVICE_CONSUMERS: Type.String({ default: '', description: 'API consumers (the API token\'s kid, or iss) trusted as back-end services: only they may call without a user token (comma separated)' }),
  ADMIN_ROLES: Type.String({ default: '', description: 'Keycloak realm roles that may do everything (comma separated)' }),
  FORUM_CREATOR_ROLES: Type.String({ default: '', description: 'Keycloak realm roles that may create a root forum (comma separated); empty: any user' }),
  MAX_GRANTS_PER_REQUEST: Type.Integer({ minimum: 1, maximum: limits.grantsPerRequest, default: limits.grantsPerRequest, description: 'Member x forum grants (after applyToChildren) plus group memberships one create or update may make' }),
  RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 600, description: 'Requests per API consumer per window' }),
  RATE_LIMIT_ADDRESS_MAX: Type.Integer({ minimum: 1, default: 1200, description: 'Requests per client address per window, counted before the tokens are checked' }),
  TRUST_PROXY: Type.String({ default: '', pattern: '^(|true|false|[0-9]{1,2}|[0-9A-Fa-f.:/]+(,[0-9A-Fa-f.:/]+)*)$', description: 'Proxies in front of the adapter whose x-forwarded-for names the client: empty (none), true (any), a hop count, or their addresses (comma separated)' }),
  RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 1000, default: 60000 }),
  CORS_ORIGINS: Type.String({ default: '', description: 'Allowed CORS origins, comma separated; empty: CORS off' })
}, { additionalProperties: false })

export type Config = Static<typeof ConfigSchema>

/** A comma-separated setting as its entries, trimmed, empties dropped. */
export function listSetting (value: string): string[] {
  return value.split(',').map((v) => v.trim()).filter((v) => v !== '')
}

/** TRUST_PROXY as Fastify's `trustProxy` option. */
export function trustProxy (value: string): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (value === '' || value === 'false') return false
  if (value === 'true') return true
  if (/^[0-9]+$/.test(value)) {
    const hops = Number(value)
    return (_address, hop) => hop < hops
  }
  return listSetting(value)
}

export const configKeys = Object.keys(ConfigSchema.properties) as Array<keyof Config>

export class ConfigError extends Error {
  override name = 'ConfigError'
}

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>
  /** A .env file to read; missing is fine. Pass null to read none. */
  dotenvPath?: string | null
}

/** Build the config from env (and .env), applying defaults; throws ConfigError naming every bad key. */
export function loadConfig (options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env
  const fromFile = readDotenv(options.dotenvPath === undefined ? '.env' : options.dotenvPath)
  const raw: Record<string, unknown> = {}
  for (const key of configKeys) {
    const value = env[key] ?? fromFile[key]
    if (value !== undefined) raw[key] = value
  }
  const withDefaults = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, raw))
  const errors = [...Value.Errors(ConfigSchema, withDefaults)]
  if (errors.length > 0) {
    const detail = errors.map((e) => `${e.path.slice(1) || '(root)'}: ${e.message}`).join('; ')
    throw new ConfigError(`Invalid configuration: ${detail}`)
  }
  return withDefaults as Config
}

function readDotenv (path: string | null): Record<string, string> {
  if (path === null) return {}
  try {
    return parseDotenv(readFileSync(path))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw err
  }
}
