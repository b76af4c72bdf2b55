import t, { type Test } from 'tap'
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { randomBytes } from 'node:crypto'
import { callNodebb, nodebbTarget, skipReason, unavailable, type NodebbTarget } from './nodebb'
import { pluginMount } from '../../shared/plugin-paths'
import { watchOutput } from '../child-output'

/**
 * The README's quick start, as a new operator follows it against a real NodeBB: `dev-tokens`, its printed
 * settings, the built adapter (`npm start` runs build/adapter/server.js), then the README's own curl block,
 * run by bash as it is written (only the port, the ids and the msgids made unique to this run).
 */
const target = nodebbTarget()
const root = join(__dirname, '..', '..')
const server = join(root, 'build', 'adapter', 'server.js')
const run = promisify(execFile)

if (target === null) unavailable(t, skipReason)
else t.test('the README\'s dev-tokens and first curl make a user and a forum on a real NodeBB', async (t) => await firstCall(t, target))

async function firstCall (t: Test, target: NodebbTarget): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'first-call-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const tag = randomBytes(4).toString('hex')
  const sunbirdId = `first-${tag}`

  const minted = (await run(process.execPath, [server, 'dev-tokens', '--dir', join(dir, 'keys'), '--sunbird-id', sunbirdId])).stdout
  t.match(minted, /FOR A LOCAL TRIAL ONLY/, 'the loud warning')
  const printed = Object.fromEntries([...minted.matchAll(/^([A-Z_]+)=(\S+)$/gm)].map((m) => [m[1], m[2]]))
  t.ok(printed.API_TOKEN !== undefined && printed.USER_TOKEN !== undefined && printed.API_TOKEN_KEYS_DIR !== undefined, 'tokens and settings printed')
  const { API_TOKEN: apiToken = '', USER_TOKEN: userToken = '', ...settings } = printed as Record<string, string>

  const child = spawn(process.execPath, [server], {
    cwd: dir, // no .env but the printed settings, given as the environment
    env: { PATH: process.env.PATH ?? '', ...settings, NODEBB_URL: target.url, NODEBB_TOKEN: target.token, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', CLOSE_GRACE_MS: '2000' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const out = watchOutput(child)
  const port = (await out.waitFor(/Server listening at http:\/\/127\.0\.0\.1:(\d+)/))[1] as string

  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const block = /A first call[^\n]*\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1]
  t.ok(block, 'the README has the first-call block')
  const script = (block as string)
    .replaceAll('127.0.0.1:4000', `127.0.0.1:${port}`)
    .replaceAll('learner-1', sunbirdId)
    .replaceAll('"b-1"', `"b-${tag}"`)
    .replaceAll('"first-user"', `"first-user-${tag}"`)
    .replaceAll('"first-forum"', `"first-forum-${tag}"`)
  const { stdout } = await run('bash', ['--noprofile', '--norc', '-c', 'curl () { command curl "$@"; echo; }  # each answer on a line of its own\n' + script], { env: { PATH: process.env.PATH ?? '', API_TOKEN: apiToken, USER_TOKEN: userToken } })
  const answers = stdout.trim().split('\n').map((line) => JSON.parse(line) as { responseCode: string, params: { err: string | null }, result: Record<string, any> })
  t.equal(answers.length, 2, 'two answers')
  const [user, forum] = answers as [typeof answers[0], typeof answers[0]]
  t.equal(user.responseCode, 'OK', `user create: ${JSON.stringify(user.params)}`)
  t.equal(user.result.identifier, sunbirdId)
  t.equal(forum.responseCode, 'OK', `forum create: ${JSON.stringify(forum.params)}`)
  t.equal(forum.result.forum.name, 'Q&A', 'the name as sent')
  t.same(forum.result.forum.context, { type: 'batch', identifier: `b-${tag}` })

  // tidy: the forum goes again (its creator holds no level on it, so through the plugin as an administrator)
  const del = await callNodebb(target, 'DELETE', `${pluginMount}/sunbird/forums/${String(forum.result.identifier)}`, target.adminUid, {})
  t.equal(del.status, 200, 'removed again')
  child.kill('SIGTERM')
  t.equal(await out.exited, 0, 'the adapter stops on SIGTERM')
  t.notOk(out.output().includes(target.token), 'the master token is not in its output')
}
