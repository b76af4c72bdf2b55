import { readFileSync } from 'node:fs'
import { parse as parseDotenv } from 'dotenv'
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

/**
 * The adapter's configuration: one schema, read once at start from the environment and an
 * optional `.env` file (the environment wins). No other module reads process.env.
 */
export const ConfigSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', description: 'Interface to listen on (0.0.0.0 in a container)' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4000 }),
  SOCKET_PATH: Type.String({ default: '', description: 'Listen on this Unix socket instead of HOST:PORT' }),
  ROUTE_PREFIX: Type.String({ default: '', pattern: '^(/[A-Za-z0-9._~-]+)*$', description: 'Mount the /api routes under this prefix, e.g. /discussions' }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  BODY_LIMIT: Type.Integer({ minimum: 1024, maximum: 10485760, default: 1048576, description: 'Largest accepted body, bytes' }),
  REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: 30000 }),
  KEEP_ALIVE_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: 72000 }),
  CLOSE_GRACE_MS: Type.Integer({ minimum: 0, default: 10000, description: 'How long in-flight requests get on shutdown' }),
  NODEBB_URL: Type.String({ default: 'http://127.0.0.1:4567', pattern: '^https?://' }),
  // visible ASCII only: the token goes into a header, and a malformed one must fail here, not in a log line
  NODEBB_TOKEN: Type.String({ default: '', pattern: '^[\\x21-\\x7e]*$', description: 'A NodeBB master token (uid 0); never logged' }),
  NODEBB_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10000 }),
  NODEBB_CONNECTIONS: Type.Integer({ minimum: 1, maximum: 1024, default: 32 }),
  NODEBB_SERVICE_UID: Type.Integer({ minimum: 1, default: 1, description: 'The NodeBB uid every call acts as (an administrator) until user tokens are mapped to uids' }),
  REDIS_URL: Type.String({ default: '', pattern: '^(rediss?://.*)?$', description: 'Adapter state in Redis; in memory when empty' }),
  REDIS_KEY_PREFIX: Type.String({ default: 'sunbird-discussions:', maxLength: 64, pattern: '^[A-Za-z0-9:._-]*$', description: 'Prefix of every Redis key the adapter writes' }),
  IDEMPOTENCY_TTL_SECONDS: Type.Integer({ minimum: 1, default: 86400 })
}, { additionalProperties: false })

export type Config = Static<typeof ConfigSchema>

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
