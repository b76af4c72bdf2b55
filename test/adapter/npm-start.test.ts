import t from 'tap'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { request } from 'undici'
import { closedPort } from './nodebb-stand-in'
import { watchOutput } from '../child-output'

/**
 * `npm start` as an operator (or systemd) runs it: it starts the built adapter at once (no build
 * step), and SIGTERM to npm reaches the adapter, which closes its port before npm exits (no orphan
 * left serving).
 */
const root = join(__dirname, '..', '..')

async function refused (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.on('connect', () => { socket.destroy(); resolve(false) })
    socket.on('error', () => resolve(true))
  })
}

t.test('SIGTERM to npm start stops the adapter and frees its port', async (t) => {
  t.ok(existsSync(join(root, 'build', 'adapter', 'server.js')), 'build/ exists (npm ci builds it through prepare; else run npm run build)')
  const port = await closedPort()
  const nodebb = await closedPort()
  const npm = spawn('npm', ['start', '--silent'], {
    cwd: root,
    // only what the adapter needs: no coverage hooks from tap, no .env setting taking over
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', CLOSE_GRACE_MS: '2000', NODEBB_URL: `http://127.0.0.1:${nodebb}`, NODEBB_TOKEN: 'npm-start-token', REDIS_URL: '', API_TOKEN_HS256_SECRETS: 'npm-start=' + 'x'.repeat(32) },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  t.teardown(() => { if (npm.exitCode === null) npm.kill('SIGKILL') })
  const { exited, waitFor, output } = watchOutput(npm)
  await waitFor(/Server listening at http:\/\/127\.0\.0\.1:\d+/)
  const health = await request(`http://127.0.0.1:${port}/health`)
  t.equal(health.statusCode, 200, '/health answers')
  await health.body.dump()
  t.notMatch(output(), /> tsc|npm run build/, 'no build on start')

  npm.kill('SIGTERM')
  await exited
  t.match(output(), /closing: finishing in-flight requests/, 'the adapter saw the signal and closed gracefully')
  t.ok(await refused(port), 'the port is closed once npm has exited')
})
