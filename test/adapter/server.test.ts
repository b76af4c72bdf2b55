import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { request } from 'undici'
import { startStandIn, closedPort } from './nodebb-stand-in'
import { watchOutput } from '../child-output'

/**
 * The real entry point (adapter/server.ts) in its own process: it listens, checks NodeBB once and
 * says what is wrong, keeps serving either way, and exits cleanly on SIGTERM.
 */
async function runServer (t: { teardown: (fn: () => unknown) => void }, env: Record<string, string>) {
  const cwd = mkdtempSync(join(tmpdir(), 'adapter-')) // no .env to pick up
  t.teardown(() => rmSync(cwd, { recursive: true, force: true }))
  const child = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, join(__dirname, '..', '..', 'adapter', 'server.ts')], {
    cwd,
    // no coverage from the child: it runs the sources through tsx, whose maps do not merge with tap's
    env: { _TAPJS_PROCESSINFO_COVERAGE_: '0', PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', CLOSE_GRACE_MS: '2000', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const { exited, waitFor, output } = watchOutput(child)
  return { child, exited, waitFor, output }
}

t.test('NodeBB up: listens and confirms the token and the plugin', async (t) => {
  const nodebb = await startStandIn()
  t.teardown(() => nodebb.close())
  const s = await runServer(t, { NODEBB_URL: nodebb.url, NODEBB_TOKEN: nodebb.token })
  const url = (await s.waitFor(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/))[1] as string
  await s.waitFor(/takes the master token; plugin version/)
  const ready = await request(`${url}/ready`)
  t.equal(ready.statusCode, 200)
  await ready.body.dump()
  s.child.kill('SIGTERM')
  t.equal(await s.exited, 0, 'exits cleanly on SIGTERM')
  t.notOk(s.output().includes(nodebb.token), 'the token is not in the output')
})

t.test('NodeBB unreachable: says so at error level, keeps serving', async (t) => {
  const port = await closedPort()
  const s = await runServer(t, { NODEBB_URL: `http://127.0.0.1:${port}`, NODEBB_TOKEN: 'some-token-9x' })
  const url = (await s.waitFor(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/))[1] as string
  const line = (await s.waitFor(/\{"level":50,[^\n]*\}/))[0]
  t.match((JSON.parse(line) as { msg: string }).msg, /^cannot reach NodeBB at http:\/\/127\.0\.0\.1:\d+/, 'at error level: cannot reach NodeBB at URL')
  const health = await request(`${url}/health`)
  t.equal(health.statusCode, 200, '/health answers')
  await health.body.dump()
  const ready = await request(`${url}/ready`)
  t.equal(ready.statusCode, 503, '/ready reports NodeBB down')
  await ready.body.dump()
  s.child.kill('SIGTERM')
  t.equal(await s.exited, 0)
  t.notOk(s.output().includes('some-token-9x'))
})

t.test('a bad configuration stops the start, naming the variable', async (t) => {
  const s = await runServer(t, { PORT: 'eighty' })
  t.equal(await s.exited, 1)
  t.match(s.output(), /Invalid configuration: PORT/)
})
