import { spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync, readlinkSync } from 'node:fs'
import { createServer, connect } from 'node:net'

/** The last `lines` lines of a log file, for an error message. */
export function tail (path: string, lines = 40): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines - 1).join('\n')
  } catch {
    return ''
  }
}

export interface RunOptions {
  cwd: string
  env: NodeJS.ProcessEnv
  /** stdout and stderr are appended here. */
  log: string
  timeoutMs: number
}

/**
 * Runs a command to its end, its output appended to the log. Rejects (with the log's tail) on a
 * non-zero exit or when it outlives the timeout (then it and its process group are killed).
 */
export async function runLogged (command: string, args: string[], options: RunOptions): Promise<void> {
  const fd = openSync(options.log, 'a')
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', fd, fd], detached: true })
      const timer = setTimeout(() => {
        try { process.kill(-(child.pid ?? 0), 'SIGKILL') } catch {}
        reject(new Error(`${command} ${args[0] ?? ''} took longer than ${Math.round(options.timeoutMs / 1000)} s; stopped (log: ${options.log})\n${tail(options.log)}`))
      }, options.timeoutMs)
      child.on('error', (err) => { clearTimeout(timer); reject(err) })
      child.on('exit', (code, signal) => {
        clearTimeout(timer)
        if (code === 0) resolve()
        else reject(new Error(`${command} ${args.join(' ').slice(0, 120)} failed (${signal ?? `exit ${code ?? '?'}`}); log: ${options.log}\n${tail(options.log)}`))
      })
    })
  } finally {
    closeSync(fd)
  }
}

export function pidAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The working directory of a process (Linux /proc), or null. Tells our NodeBB from a reused pid. */
export function processCwd (pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/cwd`)
  } catch {
    return null
  }
}

/** Polls `check` every `everyMs` until it is true or `timeoutMs` passes; says whether it became true. */
export async function waitUntil (check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<boolean> {
  const end = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return true
    if (Date.now() > end) return false
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}

/** True when nothing listens on the port, on the loopback address nor on all addresses. */
export async function portFree (port: number): Promise<boolean> {
  for (const host of ['127.0.0.1', '0.0.0.0']) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer()
      server.once('error', () => resolve(false))
      server.listen(port, host, () => server.close(() => resolve(true)))
    })
    if (!free) return false
  }
  return true
}

/** True when something accepts a connection on 127.0.0.1:port. */
export async function portAnswers (port: number): Promise<boolean> {
  return await new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.setTimeout(2000, () => { socket.destroy(); resolve(false) })
    socket.once('error', () => resolve(false))
    socket.once('connect', () => { socket.destroy(); resolve(true) })
  })
}
