import t from 'tap'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { pathToFileURL } from 'node:url'
import { devTokensCommand, makeDevTokens } from '../../adapter/dev-tokens'
import { startStandIn } from './nodebb-stand-in'
import { build } from '../helper'
import { loadConfig } from '../../adapter/config'

function tempDir (t: { teardown: (fn: () => unknown) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'dev-tokens-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The env lines and tokens as an operator would copy them from the printed text. */
function parsePrinted (text: string): { env: Record<string, string>, apiToken: string, userToken: string } {
  const env: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.+)$/.exec(line)
    if (m !== null) env[m[1] as string] = m[2] as string
  }
  const { API_TOKEN: apiToken, USER_TOKEN: userToken, ...config } = env
  return { env: config, apiToken: apiToken as string, userToken: userToken as string }
}

t.test('the printed tokens are accepted by an adapter with the printed settings', async (t) => {
  const dir = tempDir(t)
  let text = ''
  t.equal(devTokensCommand(['--dir', join(dir, 'keys'), '--sunbird-id', 'learner-7'], (s) => { text += s }), 0)
  t.match(text, /DEVELOPMENT TOKENS, FOR A LOCAL TRIAL ONLY/, 'a loud warning')
  const printed = parsePrinted(text)
  t.same(Object.keys(printed.env).sort(), ['API_TOKEN_KEYS_DIR', 'KEYCLOAK_KEYS_DIR', 'KEYCLOAK_REALM_URL'])

  const nodebb = await startStandIn()
  t.teardown(() => nodebb.close())
  const config = loadConfig({ env: { LOG_LEVEL: 'silent', NODEBB_URL: nodebb.url, NODEBB_TOKEN: nodebb.token, ...printed.env }, dotenvPath: null })
  const app = await build(t, { config })
  const headers = { authorization: `Bearer ${printed.apiToken}`, 'x-authenticated-user-token': printed.userToken }
  const created = await app.inject({ method: 'POST', url: '/api/user/v1/create', headers, payload: { request: { identifier: 'learner-7', username: 'learner7' } } })
  t.equal(created.statusCode, 200, created.body)
  const read = await app.inject({ method: 'GET', url: '/api/user/v1/read/learner-7', headers })
  t.equal(read.statusCode, 200, read.body)
  const apiOnly = await app.inject({ method: 'GET', url: '/api/user/v1/read/learner-7', headers: { authorization: `Bearer ${printed.apiToken}` } })
  t.equal(apiOnly.statusCode, 401, 'the dev consumer is a client, not a trusted service: it needs the user token')
  t.match(apiOnly.json(), { params: { errmsg: /x-authenticated-user-token/ } }, 'refused for the missing user token, not for the API token')
  const forged = await app.inject({ method: 'GET', url: '/api/user/v1/read/learner-7', headers: { ...headers, authorization: `Bearer ${printed.apiToken.slice(0, -4)}AAAA` } })
  t.equal(forged.statusCode, 401, 'and only they: a changed signature is refused')
})

t.test('again with the same folder: the same keys, so earlier tokens stay valid', async (t) => {
  const dir = tempDir(t)
  const first = makeDevTokens({ dir, sunbirdId: 'a' })
  const files = readdirSync(dir).sort()
  const second = makeDevTokens({ dir, sunbirdId: 'a', now: new Date(Date.now() + 1000) })
  t.same(readdirSync(dir).sort(), files)
  t.same(second.env, first.env)
  const config = loadConfig({ env: { LOG_LEVEL: 'silent', ...second.env }, dotenvPath: null })
  const app = await build(t, { config })
  const res = await app.inject({ method: 'GET', url: '/api/forum/v1/read/1', headers: { authorization: `Bearer ${first.apiToken}`, 'x-authenticated-user-token': first.userToken } })
  t.not(res.statusCode, 401, 'the first run\'s tokens pass')
  t.equal(statSync(join(dir, 'dev-realm.private.pem')).mode & 0o077, 0, 'the private key is readable by its owner only')
})

t.test('bad arguments: usage and a non-zero exit', async (t) => {
  let err = ''
  t.equal(devTokensCommand(['--nope'], () => {}, (s) => { err += s }), 2)
  t.match(err, /usage: sunbird-discussions-adapter dev-tokens/)
  err = ''
  t.equal(devTokensCommand(['--dir', tempDir(t), '--sunbird-id', ' bad id'], () => {}, (s) => { err += s }), 1)
  t.match(err, /is not a Sunbird id/)
  let out = ''
  t.equal(devTokensCommand(['--help'], (s) => { out += s }), 0)
  t.match(out, /Local use only/)
})

t.test('the bin runs it: `sunbird-discussions-adapter dev-tokens`', async (t) => {
  const dir = tempDir(t)
  const run = spawnSync(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, join(__dirname, '..', '..', 'adapter', 'server.ts'), 'dev-tokens', '--dir', dir], {
    encoding: 'utf8',
    env: { _TAPJS_PROCESSINFO_COVERAGE_: '0', PATH: process.env.PATH ?? '' }
  })
  t.equal(run.status, 0, run.stderr)
  t.match(run.stdout, /^API_TOKEN=ey/m)
  t.match(run.stdout, /USER_TOKEN=ey/)
  t.notMatch(run.stdout, /Server listening/, 'it does not start the adapter')
})

t.test('start-up warns when no API token key or realm is configured', async (t) => {
  const lines: Array<{ level: number, msg: string }> = []
  const logger = { level: 'warn', stream: { write: (line: string) => { lines.push(JSON.parse(line)) } } }
  await build(t, { config: loadConfig({ env: {}, dotenvPath: null }), logger })
  t.ok(lines.some((l) => l.level === 40 && /^no API token key is configured .* every \/api call will be answered 401.*dev-tokens/.test(l.msg)), 'no API token key')
  t.ok(lines.some((l) => l.level === 40 && /^no Keycloak realm is configured/.test(l.msg)), 'no realm')
  const quiet: Array<{ msg: string }> = []
  await build(t, { logger: { level: 'warn', stream: { write: (line: string) => { quiet.push(JSON.parse(line)) } } } })
  t.notOk(quiet.some((l) => /is configured/.test(l.msg)), 'configured: no warning')
})
