import { readFileSync } from 'node:fs'
import { parse } from 'dotenv'
import { defaultName } from './args'
import { layout, repoRoot, settingsFile } from './paths'

/**
 * The settings `up` prints and writes to `.nodebb/<name>.env`: what the adapter needs (NODEBB_URL,
 * NODEBB_TOKEN, NODEBB_SERVICE_UID) and what the e2e suites and benchmarks read besides. The file
 * is dotenv: `source` it, copy lines into `.env`, or let test/e2e read it.
 */
export const settingNames = ['NODEBB_URL', 'NODEBB_TOKEN', 'NODEBB_SERVICE_UID', 'NODEBB_ADMIN_UID', 'NODEBB_ADMIN_USER', 'NODEBB_ADMIN_PASSWORD', 'NODEBB_REDIS_URL', 'CHROMIUM_PATH'] as const
export type SettingName = typeof settingNames[number]
export type Settings = Partial<Record<SettingName, string>>

export function formatSettings (settings: Settings, header: string[] = []): string {
  const lines = header.map((h) => `# ${h}`)
  for (const name of settingNames) {
    const value = settings[name]
    if (value === undefined) continue
    // every value is one this tool made or found; a shell-special one would be a bug, not a case to quote
    if (!/^[\w@%+=:,./-]+$/.test(value)) throw new Error(`${name}: "${value}" would need quoting in a settings file`)
    lines.push(`${name}=${value}`)
  }
  return lines.join('\n') + '\n'
}

/** The settings in a file; empty when there is none. */
export function readSettings (path: string): Record<string, string> {
  try {
    return parse(readFileSync(path))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw err
  }
}

/**
 * What e2e suites and benchmarks run against: the environment, and when it names no NodeBB (neither
 * NODEBB_URL nor NODEBB_TOKEN set), the settings file of instance `$NODEBB_INSTANCE` (default
 * `local`) as well, the environment still winning name by name. A NodeBB named by the environment
 * is described by the environment alone, so a URL never meets another instance's token.
 */
export function localSettings (env: NodeJS.ProcessEnv = process.env, checkout: string = repoRoot): { values: Record<string, string>, file: string | null } {
  const set = (v: string | undefined): v is string => v !== undefined && v !== ''
  const fromEnv: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (set(v)) fromEnv[k] = v
  if (set(env.NODEBB_URL) || set(env.NODEBB_TOKEN)) return { values: fromEnv, file: null }
  const file = settingsFile(layout('', checkout).local, set(env.NODEBB_INSTANCE) ? env.NODEBB_INSTANCE : defaultName)
  const fromFile = readSettings(file)
  return { values: { ...fromFile, ...fromEnv }, file: Object.keys(fromFile).length > 0 ? file : null }
}
