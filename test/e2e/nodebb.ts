import type { Test } from 'tap'
import { request } from 'undici'
import { localSettings } from '../../scripts/nodebb/settings-file'

const local = localSettings()

/**
 * A setting of the NodeBB under test: from the environment, else (when the environment names no
 * NodeBB) from the settings file `npm run nodebb -- up` wrote, `.nodebb/$NODEBB_INSTANCE.env`
 * (default `local`). See scripts/nodebb/settings-file.ts.
 */
export function e2eSetting (name: string): string | undefined {
  return local.values[name]
}

/**
 * The real NodeBB these tests run against, from NODEBB_URL and NODEBB_TOKEN (a master token), set
 * or in the settings file. Neither: every e2e test skips, saying why (fails under E2E_REQUIRE_NODEBB).
 */
export interface NodebbTarget {
  url: string
  token: string
  /** uid to act as when a test needs an administrator (NODEBB_ADMIN_UID, default 1). */
  adminUid: number
}

export function nodebbTarget (): NodebbTarget | null {
  const url = e2eSetting('NODEBB_URL')
  const token = e2eSetting('NODEBB_TOKEN')
  if (url === undefined || token === undefined) return null
  return { url: url.replace(/\/$/, ''), token, adminUid: Number(e2eSetting('NODEBB_ADMIN_UID') ?? 1) }
}

export const skipReason = `no NodeBB: e2e tests need a real NodeBB 4 with the plugin active; \`npm run nodebb -- up\` starts one (its settings are read from ${local.file ?? '.nodebb/<instance>.env'} when NODEBB_URL and NODEBB_TOKEN are unset; see docs/development.md)`

/**
 * CI sets E2E_REQUIRE_NODEBB=1: there an e2e case that cannot run for want of a NodeBB (or of what
 * it needs besides: the admin login, a Chromium, NodeBB's Redis) fails instead of skipping, so a
 * green CI run is one where every e2e case ran.
 */
export const nodebbRequired = process.env.E2E_REQUIRE_NODEBB === '1'

/** Skips the test (`t.plan(0, reason)`), or under E2E_REQUIRE_NODEBB fails it, saying why. */
export function unavailable (t: Pick<Test, 'fail' | 'plan'>, reason: string): void {
  if (nodebbRequired) t.fail(`${reason} (E2E_REQUIRE_NODEBB=1: an e2e case may not skip here)`)
  else t.plan(0, reason)
}

export interface NodebbAnswer {
  status: number
  body: { status?: { code: string, message: string }, response?: Record<string, unknown> } & Record<string, unknown>
}

/** One Write API call as `uid`, with the master token. */
export async function callNodebb (target: NodebbTarget, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, uid: number, body?: Record<string, unknown>, token: string | null = target.token): Promise<NodebbAnswer> {
  const hasBody = method !== 'GET'
  const url = new URL(target.url + path)
  if (!hasBody) url.searchParams.set('_uid', String(uid))
  const headers: Record<string, string> = { accept: 'application/json' }
  if (token !== null) headers.authorization = `Bearer ${token}`
  if (hasBody) headers['content-type'] = 'application/json'
  const res = await request(url, { method, headers, body: hasBody ? JSON.stringify({ ...body, _uid: uid }) : undefined })
  const text = await res.body.text()
  let parsed: NodebbAnswer['body']
  try {
    parsed = JSON.parse(text) as NodebbAnswer['body']
  } catch {
    parsed = { raw: text.slice(0, 500) }
  }
  return { status: res.statusCode, body: parsed }
}
