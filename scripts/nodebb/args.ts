import { parseArgs } from 'node:util'

/** The release `up` installs when neither --release nor --source says otherwise: the newest CI runs. */
export const defaultRelease = '4.15.1'
export const defaultName = 'local'
/**
 * Redis database indexes `up` may claim, first empty one wins. Not 0 (everyone's default), 7, 11, 12
 * (the benchmarks' and the unit tests' own); --redis-db overrides.
 */
export const defaultRedisDbs = [13, 14, 15, 8, 9, 10]
export const defaultRedisUrl = 'redis://127.0.0.1:6379'
export const defaultPostgresUrl = 'postgres://postgres@127.0.0.1:5432'
/** Ports `up` tries when --port is not given: NodeBB's own 4567 and the next ones. */
export const defaultPorts = { from: 4567, to: 4599 }

export type Database = 'redis' | 'postgres'

export interface UpCommand {
  kind: 'up'
  name: string
  release: string
  /** An archive, a folder or an http(s) URL of a release archive; null: the default archive. */
  source: string | null
  db: Database
  port: number | null
  redisDbs: number[]
  redisUrl: string
  postgresUrl: string
}
export interface DownCommand { kind: 'down', name: string, keep: boolean }
export interface StatusCommand { kind: 'status' }
export interface HelpCommand { kind: 'help' }
export type Command = UpCommand | DownCommand | StatusCommand | HelpCommand

export class UsageError extends Error {
  override name = 'UsageError'
}

export const usage = `npm run nodebb -- <command> [options]

  up       a local NodeBB with this checkout's plugin, a master token and the settings to use it
           --release <x.y.z>      NodeBB release (default ${defaultRelease}); names the default archive
           --source <path|url>    a release archive (.tar.gz), an unpacked release folder, or an
                                  http(s) URL of one (e.g. GitHub's archive of a tag)
           --db redis|postgres    NodeBB's database (default redis, on ${defaultRedisUrl})
           --redis-db <n|a-b,..>  Redis database indexes it may claim (default ${defaultRedisDbs.join(',')})
           --redis-url <url>      Redis host and port (default ${defaultRedisUrl})
           --postgres-url <url>   PostgreSQL server, trust auth (default ${defaultPostgresUrl})
           --port <n>             NodeBB's port (default: the first free from ${defaultPorts.from})
           --name <instance>      instance name (default ${defaultName}); settings go to .nodebb/<name>.env
  down     stop an instance by its pid and release its database and files
           --name <instance>      (default ${defaultName})
           --keep                 stop it only: keep its database, files and logs
  status   the instances of this checkout and of this machine, and the cached releases`

/** `1-4`, `3`, `13-15,8-10`: the indexes, in the order given. */
export function parseRedisDbs (text: string): number[] {
  const out: number[] = []
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part)
    if (m === null) throw new UsageError(`--redis-db: "${part}" is not an index or a range (e.g. 3, 1-4, 13-15,8-10)`)
    const from = Number(m[1])
    const to = m[2] === undefined ? from : Number(m[2])
    if (to < from) throw new UsageError(`--redis-db: ${part} runs backwards`)
    for (let i = from; i <= to; i++) if (!out.includes(i)) out.push(i)
  }
  if (out.some((i) => i > 255)) throw new UsageError('--redis-db: Redis database indexes are small numbers (0-15 by default)')
  return out
}

function port (text: string): number {
  const n = Number(text)
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) throw new UsageError(`--port: "${text}" is not a port`)
  return n
}

function instanceName (text: string): string {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,39}$/.test(text)) throw new UsageError(`--name: "${text}" is not an instance name (letters, digits, . _ -; up to 40)`)
  return text
}

function url (option: string, text: string, protocols: string[]): string {
  let parsed: URL
  try {
    parsed = new URL(text)
  } catch {
    throw new UsageError(`${option}: "${text}" is not a URL`)
  }
  if (!protocols.includes(parsed.protocol)) throw new UsageError(`${option}: expected ${protocols.join(' or ')}//..., got "${text}"`)
  return text.replace(/\/$/, '')
}

/** argv after the script name: a command and its options. Throws UsageError saying what is wrong. */
export function parseCommand (argv: string[]): Command {
  const [verb, ...rest] = argv
  if (verb === undefined || verb === 'help' || verb === '--help' || verb === '-h') return { kind: 'help' }
  let parsed
  try {
    parsed = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        release: { type: 'string' },
        source: { type: 'string' },
        db: { type: 'string' },
        port: { type: 'string' },
        'redis-db': { type: 'string' },
        'redis-url': { type: 'string' },
        'postgres-url': { type: 'string' },
        name: { type: 'string' },
        keep: { type: 'boolean' }
      }
    })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const v = parsed.values
  const allowed: Record<string, string[]> = {
    up: ['release', 'source', 'db', 'port', 'redis-db', 'redis-url', 'postgres-url', 'name'],
    down: ['name', 'keep'],
    status: []
  }
  const known = allowed[verb]
  if (known === undefined) throw new UsageError(`unknown command "${verb}" (up, down, status)`)
  const extra = Object.keys(v).filter((k) => !known.includes(k))
  if (extra.length > 0) throw new UsageError(`${verb} takes no ${extra.map((k) => '--' + k).join(', ')}`)
  const name = instanceName(v.name ?? defaultName)
  if (verb === 'status') return { kind: 'status' }
  if (verb === 'down') return { kind: 'down', name, keep: v.keep === true }
  const release = v.release ?? defaultRelease
  if (!/^\d+\.\d+\.\d+$/.test(release)) throw new UsageError(`--release: "${release}" is not a release number like ${defaultRelease}`)
  const db = v.db ?? 'redis'
  if (db !== 'redis' && db !== 'postgres') throw new UsageError(`--db: "${db}" is not redis or postgres`)
  if (db === 'postgres' && v['redis-db'] !== undefined) throw new UsageError('--redis-db: not with --db postgres')
  return {
    kind: 'up',
    name,
    release,
    source: v.source ?? null,
    db,
    port: v.port === undefined ? null : port(v.port),
    redisDbs: v['redis-db'] === undefined ? defaultRedisDbs : parseRedisDbs(v['redis-db']),
    redisUrl: url('--redis-url', v['redis-url'] ?? defaultRedisUrl, ['redis:']),
    postgresUrl: url('--postgres-url', v['postgres-url'] ?? defaultPostgresUrl, ['postgres:', 'postgresql:'])
  }
}
