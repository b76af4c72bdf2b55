import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { DownCommand } from './args'
import { nodebbEnv } from './child-env'
import { stopNodebb } from './lifecycle'
import { instanceId, settingsFile, stateFile, upLogFile } from './paths'
import { releaseDatabase } from './postgres-db'
import { releaseIndex } from './redis-db'
import { readState, removeFiles, writeState, type InstanceState } from './state'
import type { Context } from './up'
import { nodeAtLeast } from '../node-runtime'

/**
 * `down`: stops the instance by its pid (only when that pid is still its NodeBB), then, unless
 * --keep, empties its database (only one marked as this instance's) and removes its working copy,
 * state and settings. The log of its last `up` stays in .nodebb/.
 */
export async function down (cmd: DownCommand, ctx: Context, known?: InstanceState): Promise<void> {
  const { layout, say } = ctx
  const id = instanceId(cmd.name, ctx.checkout)
  const statePaths = [stateFile(layout.local, cmd.name), join(layout.instances, `${id}.json`)]
  const state = known ?? readState(statePaths[0] as string) ?? readState(statePaths[1] as string)
  if (state === null) {
    say(`no instance "${cmd.name}" of this checkout (npm run nodebb -- status lists them)`)
    return
  }
  const how = await stopNodebb(state.pid, state.dir, state.port)
  say(how === 'not-running' ? `${cmd.name}: NodeBB was not running` : `${cmd.name}: NodeBB (pid ${state.pid ?? '?'}) ${how}`)
  if (cmd.keep) {
    writeState(statePaths, { ...state, pid: null, phase: 'stopped' })
    say(`kept its database and ${state.dir}; down without --keep releases them`)
    return
  }
  try {
    if (state.db.kind === 'redis') {
      await releaseIndex(state.db.url, state.db.index, state.id)
      say(`${cmd.name}: Redis database ${state.db.index} emptied`)
    } else {
      const node = await nodeAtLeast(22)
      await releaseDatabase(state.db.url, state.db.database, state.id, { nodebb: state.tree, node: join(node.bin, 'node'), env: nodebbEnv(ctx.env, node.bin), log: upLogFile(layout.local, cmd.name) })
      say(`${cmd.name}: PostgreSQL database ${state.db.database} dropped`)
    }
  } catch (err) {
    say(`${cmd.name}: database not released: ${(err as Error).message}`)
  }
  await rm(state.dir, { recursive: true, force: true })
  removeFiles([...statePaths, settingsFile(layout.local, cmd.name)])
  say(`${cmd.name}: removed ${state.dir} and its settings`)
}
