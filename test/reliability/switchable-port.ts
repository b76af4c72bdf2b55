import { createServer, connect, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createClient } from 'redis'

/**
 * A TCP forwarder on a fixed loopback port that can be switched off (listener closed, every
 * connection cut: the port refuses like a stopped server) and on again on the same port, so the
 * adapter sees a dependency go down and come back without any change to its config.
 */
export interface SwitchablePort {
  port: number
  url: string
  /** Where connections go (set once the target has started). */
  target: number
  down: () => Promise<void>
  up: () => Promise<void>
  close: () => Promise<void>
}

export async function switchablePort (target = 0): Promise<SwitchablePort> {
  const sockets = new Set<Socket>()
  let server: Server | null = null
  const listen = async (port: number): Promise<number> => {
    const s = createServer((client) => {
      const upstream = connect(proxy.target, '127.0.0.1')
      for (const socket of [client, upstream]) {
        sockets.add(socket)
        socket.on('close', () => sockets.delete(socket))
        socket.on('error', () => { client.destroy(); upstream.destroy() })
      }
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(port, '127.0.0.1', () => resolve()) })
    server = s
    return (s.address() as AddressInfo).port
  }
  const down = async (): Promise<void> => {
    const s = server
    server = null
    for (const socket of sockets) socket.destroy()
    if (s !== null) await new Promise<void>((resolve) => s.close(() => resolve()))
  }
  const proxy: SwitchablePort = {
    port: 0,
    url: '',
    target,
    down,
    up: async () => { if (server === null) await listen(proxy.port) },
    close: down
  }
  proxy.port = await listen(0)
  proxy.url = `http://127.0.0.1:${proxy.port}`
  return proxy
}

/** Whether redis-server is on PATH. */
export function redisServerAvailable (): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
}

/** A throwaway redis-server of our own (no persistence) on `port`, killed by `stop`. */
export async function startRedisServer (port: number): Promise<{ stop: () => Promise<void> }> {
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: 'ignore' })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  for (let i = 0; ; i++) {
    const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false, connectTimeout: 500 } })
    client.on('error', () => {})
    try {
      await client.connect()
      await client.ping()
      await client.close()
      break
    } catch (err) {
      try { client.destroy() } catch {}
      if (i > 50 || child.exitCode !== null) { child.kill('SIGKILL'); throw new Error(`redis-server did not start on ${port}: ${String(err)}`) }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  return {
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGKILL')
      await exited
    }
  }
}
