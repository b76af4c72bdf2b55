import { nodebbRequire } from './require'

interface Winston {
  info: (msg: string) => void
  warn: (msg: string) => void
  error: (msg: string) => void
}

/** NodeBB's logger (winston), as the plugin's modules take a logger: a message and, for failures, the error. */
export const nodebbLog = {
  info: (msg: string): void => { nodebbRequire<Winston>('winston').info(msg) },
  error: (msg: string, err?: unknown): void => {
    nodebbRequire<Winston>('winston').error(`${msg}${err instanceof Error ? `: ${err.stack ?? err.message}` : ''}`)
  }
}
