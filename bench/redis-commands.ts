import { spawn } from 'node:child_process'
import { createClient } from 'redis'

/**
 * Counts the commands NodeBB sent to its Redis database, for a benchmark to report the database
 * round trips of one operation. Several NodeBBs may share one Redis server (each on its own db
 * index), so the server-wide INFO commandstats would count their traffic too: this reads MONITOR
 * (through `redis-cli monitor`) and counts only the commands on the db index of the URL (0 when it
 * names none). Read-only: it never resets or flushes.
 */
/**
 * `count(op)` runs op with MONITOR watching and returns how many commands went to the db. MONITOR
 * slows Redis several times over: time an operation in runs of its own, never while counting.
 */
export async function redisCommandCounter (url: string): Promise<{ count: <T>(op: () => Promise<T>) => Promise<{ value: T, commands: number }>, close: () => Promise<void> }> {
  const parsed = new URL(url)
  const db = Number(/^\/(\d+)/.exec(parsed.pathname)?.[1] ?? 0)
  // MONITOR lines arrive a little after the commands: an ECHO sent on db 0 (not counted) marks the end
  const probeUrl = new URL(url)
  probeUrl.pathname = '/0'
  const probe = createClient({ url: probeUrl.toString() })
  await probe.connect()
  return {
    async count (op) {
      const monitor = spawn('redis-cli', ['-h', parsed.hostname, '-p', parsed.port === '' ? '6379' : parsed.port, ...(parsed.password === '' ? [] : ['-a', decodeURIComponent(parsed.password), '--no-auth-warning']), 'monitor'], { stdio: ['ignore', 'pipe', 'inherit'] })
      // a MONITOR line: `<time> [<db> <client address>] "<command>" ...`
      const mark = ` [${db} `
      let count = 0
      let pending = ''
      let markSeen: (() => void) | null = null
      monitor.stdout.setEncoding('utf8')
      monitor.stdout.on('data', (chunk: string) => {
        const lines = (pending + chunk).split('\n')
        pending = lines.pop() ?? ''
        for (const line of lines) {
          const at = line.indexOf(mark)
          if (at > 0 && at < 24) count++
          if (line.includes('"sunbird-bench-mark"')) markSeen?.()
        }
      })
      const settle = async (): Promise<void> => {
        const seen = new Promise<boolean>((resolve) => { markSeen = () => resolve(true) })
        // repeated until seen: the first ones may go out before redis-cli has started monitoring
        for (let done = false; !done;) {
          await probe.echo('sunbird-bench-mark')
          done = await Promise.race([seen, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 100))])
        }
      }
      try {
        await settle()
        count = 0
        const value = await op()
        await settle()
        return { value, commands: count }
      } finally {
        monitor.kill()
      }
    },
    close: async () => { await probe.quit() }
  }
}
