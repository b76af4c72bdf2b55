import type { ChildProcess } from 'node:child_process'

/**
 * A child process's stdout and stderr, and a wait for a line that matches: it resolves on the
 * output event that brings the match (no polling) and gives up only after a generous limit, so a
 * busy machine makes a test slower, not red.
 */
export function watchOutput (child: ChildProcess, limitMs = 90_000) {
  let output = ''
  const waiters = new Set<() => void>()
  const onData = (d: Buffer) => {
    output += d.toString()
    for (const check of [...waiters]) check()
  }
  child.stdout?.on('data', onData)
  child.stderr?.on('data', onData)
  // 'close' rather than 'exit': by then every byte of output has been read
  let closed = false
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => {
    closed = true
    for (const check of [...waiters]) check()
    resolve(code)
  }))
  const waitFor = async (pattern: RegExp): Promise<RegExpExecArray> => await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiters.delete(check)
      reject(new Error(`no output matching ${pattern} after ${limitMs} ms; output so far:\n${output}`))
    }, limitMs)
    function check (): void {
      const m = pattern.exec(output)
      if (m !== null) {
        waiters.delete(check)
        clearTimeout(timer)
        resolve(m)
      } else if (closed) {
        waiters.delete(check)
        clearTimeout(timer)
        reject(new Error(`the process exited (${child.exitCode ?? child.signalCode}) without output matching ${pattern}; output:\n${output}`))
      }
    }
    waiters.add(check)
    check()
  })
  return { exited, waitFor, output: () => output }
}
