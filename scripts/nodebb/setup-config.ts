import type { Settings } from './settings-file'

/** Where the instance's data lives. */
export type DatabaseClaim =
  | { kind: 'redis', url: string, index: number }
  | { kind: 'postgres', url: string, database: string }

export interface Admin { username: string, password: string, email: string }

export interface SetupInput {
  port: number
  secret: string
  db: DatabaseClaim
  admin: Admin
}

export const baseUrl = (port: number): string => `http://127.0.0.1:${port}`

/**
 * `./nodebb setup '<json>'`'s answers: the questions NodeBB asks (src/install.js and the database
 * modules' `questions`), named as NodeBB names them.
 */
export function setupAnswers (input: SetupInput): Record<string, string | number> {
  const answers: Record<string, string | number> = {
    url: baseUrl(input.port),
    port: input.port,
    secret: input.secret,
    submitPluginUsage: 'no',
    database: input.db.kind,
    'admin:username': input.admin.username,
    'admin:password': input.admin.password,
    'admin:password:confirm': input.admin.password,
    'admin:email': input.admin.email
  }
  const u = new URL(input.db.url)
  if (input.db.kind === 'redis') {
    Object.assign(answers, { 'redis:host': u.hostname, 'redis:port': Number(u.port || 6379), 'redis:password': decodeURIComponent(u.password), 'redis:database': input.db.index })
  } else {
    Object.assign(answers, {
      'postgres:host': u.hostname,
      'postgres:port': Number(u.port || 5432),
      'postgres:username': decodeURIComponent(u.username || 'postgres'),
      'postgres:password': decodeURIComponent(u.password),
      'postgres:database': input.db.database,
      'postgres:ssl': 'false'
    })
  }
  return answers
}

/** Added to the config.json setup writes: a local NodeBB listens on the loopback address only. */
export const serverConfigExtras = { bind_address: '127.0.0.1' }

/**
 * NodeBB settings (its `config` object, what the ACP saves) that `up` changes from NodeBB's
 * defaults. None today: the e2e learners are Sunbird users, whom the plugin exempts from the post
 * queue and new-user delays itself (the setting it has for that, on by default), and the e2e suites
 * check that it does; turning them off here would hide a broken exemption.
 */
export const metaConfig: Record<string, string | number> = {}

/** A Redis URL naming the database index, as NODEBB_REDIS_URL. */
export function redisUrlOf (claim: DatabaseClaim): string | undefined {
  if (claim.kind !== 'redis') return undefined
  return `${claim.url.replace(/\/\d*$/, '')}/${claim.index}`
}

export interface RunningInstance {
  port: number
  token: string
  adminUid: number
  admin: Admin
  db: DatabaseClaim
  chromium: string | null
}

/** What the adapter, the e2e suites and the benchmarks are told. */
export function settingsOf (instance: RunningInstance): Settings {
  const settings: Settings = {
    NODEBB_URL: baseUrl(instance.port),
    NODEBB_TOKEN: instance.token,
    NODEBB_SERVICE_UID: String(instance.adminUid),
    NODEBB_ADMIN_UID: String(instance.adminUid),
    NODEBB_ADMIN_USER: instance.admin.username,
    NODEBB_ADMIN_PASSWORD: instance.admin.password
  }
  const redis = redisUrlOf(instance.db)
  if (redis !== undefined) settings.NODEBB_REDIS_URL = redis
  if (instance.chromium !== null) settings.CHROMIUM_PATH = instance.chromium
  return settings
}
