import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { isOurs } from './lifecycle'
import { settingsFile } from './paths'
import { portAnswers } from './processes'
import { statesIn, type InstanceState } from './state'
import { readTree } from './tree'
import type { Context } from './up'

async function line (s: InstanceState): Promise<string> {
  const running = isOurs(s.pid, s.dir)
  const answers = running && await portAnswers(s.port)
  const what = running ? (answers ? 'running' : 'starting or stuck (its port does not answer)') : s.phase === 'setting-up' ? 'not running (its up did not finish; down releases it)' : 'stopped'
  const db = s.db.kind === 'redis' ? `Redis db ${s.db.index}` : `PostgreSQL ${s.db.database}`
  return `  ${s.name.padEnd(12)} ${what}: NodeBB ${s.release} at http://127.0.0.1:${s.port}${running ? ` (pid ${s.pid ?? '?'})` : ''}, ${db}, ${s.dir}`
}

/** `status`: this checkout's instances, other checkouts' instances on this machine, and the cached releases. */
export async function status (ctx: Context): Promise<void> {
  const { layout, say } = ctx
  const all = statesIn(layout.instances)
  const mine = all.filter((s) => s.checkout === ctx.checkout)
  const others = all.filter((s) => s.checkout !== ctx.checkout)
  say(`instances of this checkout (${ctx.checkout}):`)
  if (mine.length === 0) say('  none (npm run nodebb -- up starts one)')
  for (const s of mine) say(`${await line(s)}\n  ${''.padEnd(12)} settings: ${relative(ctx.checkout, settingsFile(layout.local, s.name))}`)
  if (others.length > 0) {
    say('instances of other checkouts on this machine:')
    for (const s of others) say(`${await line(s)} [${s.checkout}]`)
  }
  let trees: string[] = []
  try {
    trees = readdirSync(layout.trees).filter((n) => /^[0-9a-f]{64}$/.test(n))
  } catch {}
  say(`installed releases in ${layout.trees}:`)
  if (trees.length === 0) say('  none yet')
  for (const sha of trees) {
    const info = await readTree(join(layout.trees, sha))
    say(info === null ? `  ${sha.slice(0, 12)}… (incomplete)` : `  NodeBB ${info.release}  sha256 ${sha.slice(0, 12)}…  from ${info.source}, installed ${info.installedAt} in ${info.installSeconds} s on node ${info.node}`)
  }
}
