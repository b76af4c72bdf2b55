import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readFileSync, realpathSync } from 'node:fs'
import { join } from 'node:path'
import { pidAlive, portAnswers, processCwd, tail, waitUntil } from './processes'

/** True when `pid` is alive and is a process running in `dir` (our NodeBB, not a reused pid). */
export function isOurs (pid: number | null, dir: string): pid is number {
  if (pid === null || !pidAlive(pid)) return false
  const cwd = processCwd(pid)
  if (cwd === null) return false
  try {
    return cwd === realpathSync(dir)
  } catch {
    return false
  }
}

function pidfile (dir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dir, 'pidfile'), 'utf8').trim())
    return Number.isInteger(pid) && pid > 0 ? pid : null
  } catch {
    return null
  }
}

export async function httpOk (url: string, headers: Record<string, string> = {}): Promise<{ status: number, body: string } | null> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) })
    return { status: res.status, body: await res.text() }
  } catch {
    return null
  }
}

/**
 * `./nodebb start`: NodeBB's loader daemonises (its pid goes to `pidfile`) but keeps the stdout it
 * was given, so that is a file (logs/start.log); NodeBB's own log is logs/output.log. Resolves with
 * the loader's pid once the port answers HTTP, rejects when the loader dies first or time runs out.
 */
export async function startNodebb (dir: string, node: string, env: NodeJS.ProcessEnv, port: number, timeoutMs: number): Promise<number> {
  mkdirSync(join(dir, 'logs'), { recursive: true })
  const startLog = join(dir, 'logs', 'start.log')
  const fd = openSync(startLog, 'a')
  try {
    await new Promise<void>((resolve, reject) => {
      const cli = spawn(node, ['nodebb', 'start'], { cwd: dir, env, stdio: ['ignore', fd, fd], detached: true })
      cli.on('error', reject)
      cli.on('exit', (code) => code === 0 ? resolve() : reject(new Error(`./nodebb start exited ${code ?? '?'}\n${tail(startLog)}`)))
    })
  } finally {
    closeSync(fd)
  }
  const logs = (): string => `${tail(join(dir, 'logs', 'output.log'))}\n${tail(startLog, 10)}`
  if (!await waitUntil(() => pidfile(dir) !== null, 30_000)) throw new Error(`NodeBB wrote no pidfile within 30 s\n${logs()}`)
  const pid = pidfile(dir) as number
  let died = false
  const up = await waitUntil(async () => {
    if (!pidAlive(pid)) { died = true; return true }
    if (!await portAnswers(port)) return false
    const res = await httpOk(`http://127.0.0.1:${port}/api/config`)
    return res !== null && res.status === 200
  }, timeoutMs, 500)
  if (died) throw new Error(`NodeBB (pid ${pid}) stopped while starting; logs/output.log ends:\n${logs()}`)
  if (!up) throw new Error(`NodeBB did not answer on port ${port} within ${Math.round(timeoutMs / 1000)} s\n${logs()}`)
  return pid
}

/**
 * Stops our NodeBB by its pid: SIGTERM to the loader (it stops its workers), then waits for it to
 * go and the port to close. Past the timeout, SIGKILL to the loader's process group (the daemonised
 * loader leads its own group, its workers are in it). A pid that is no longer our NodeBB is left alone.
 */
export async function stopNodebb (pid: number | null, dir: string, port: number, timeoutMs = 60_000): Promise<'stopped' | 'killed' | 'not-running'> {
  if (!isOurs(pid, dir)) return 'not-running'
  process.kill(pid, 'SIGTERM')
  const gone = await waitUntil(async () => !pidAlive(pid) && !await portAnswers(port), timeoutMs)
  if (gone) return 'stopped'
  try { process.kill(-pid, 'SIGKILL') } catch {}
  await waitUntil(() => !pidAlive(pid), 10_000)
  return 'killed'
}
