import { execFile } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { defaultPorts, type UpCommand } from './args'
import { nodebbEnv } from './child-env'
import { down } from './down'
import { masterTokenOps, nodebbDb, type InsideOptions } from './inside'
import { httpOk, startNodebb } from './lifecycle'
import { instanceId, postgresDatabase, settingsFile, stateFile, upLogFile, type Layout } from './paths'
import { upPlan, type StepName } from './plan'
import { claimDatabase } from './postgres-db'
import { portFree, runLogged } from './processes'
import { claimIndex, markerTool, type Marker } from './redis-db'
import { formatSettings, type Settings } from './settings-file'
import { baseUrl, metaConfig, serverConfigExtras, settingsOf, setupAnswers, type DatabaseClaim } from './setup-config'
import { buildIsStale } from './plugin-build'
import { resolveSource } from './source'
import { readState, statesIn, writeState, type InstanceState } from './state'
import { changedInTree, ensureTree, readTree, workingCopy } from './tree'
import { nodeAtLeast } from '../node-runtime'

const run = promisify(execFile)

export const pluginName = 'nodebb-plugin-sunbird-discussions'
/** NodeBB 4 runs on Node 22 or newer (4.15's engines say >=22; 4.11 allows 20 but is tested on 22). */
export const nodebbNodeMajor = 22

export interface Context {
  checkout: string
  layout: Layout
  env: NodeJS.ProcessEnv
  /** progress (stderr); the settings themselves go to stdout */
  say: (line: string) => void
}

async function choosePort (cmd: UpCommand, layout: Layout, id: string): Promise<number> {
  // ports other instances recorded (one being set up does not listen yet)
  const taken = new Set(statesIn(layout.instances).filter((s) => s.id !== id && s.phase !== 'stopped').map((s) => s.port))
  if (cmd.port !== null) {
    if (taken.has(cmd.port) || !await portFree(cmd.port)) throw new Error(`--port ${cmd.port}: something listens there already (or another instance has it: npm run nodebb -- status)`)
    return cmd.port
  }
  for (let p = defaultPorts.from; p <= defaultPorts.to; p++) if (!taken.has(p) && await portFree(p)) return p
  throw new Error(`no free port in ${defaultPorts.from}-${defaultPorts.to}; name one with --port`)
}

function chromium (env: NodeJS.ProcessEnv): string | null {
  for (const path of [env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) if (path !== undefined && path !== '' && existsSync(path)) return path
  return null
}

/**
 * `up`: a NodeBB of the release with this checkout's plugin active, a master token, and the
 * settings to reach it (printed, and written to .nodebb/<name>.env). Replaces an earlier instance
 * of the same name. On failure the instance is left for `down` (and its logs for reading).
 */
export async function up (cmd: UpCommand, ctx: Context): Promise<Settings> {
  const { layout, say } = ctx
  mkdirSync(layout.local, { recursive: true })
  mkdirSync(layout.instances, { recursive: true })
  const id = instanceId(cmd.name, ctx.checkout)
  const statePaths = [stateFile(layout.local, cmd.name), join(layout.instances, `${id}.json`)]
  const log = upLogFile(layout.local, cmd.name)
  writeFileSync(log, `# npm run nodebb -- up --name ${cmd.name}, ${new Date().toISOString()}\n`)
  const started = Date.now()

  const previous = readState(statePaths[0] as string) ?? readState(statePaths[1] as string)
  const source = await resolveSource(cmd.source, cmd.release, ctx.checkout, layout.downloads, say, ctx.env)
  const cachedTree = await readTree(join(layout.trees, source.sha256))
  const release = cachedTree?.release ?? (cmd.source === null ? cmd.release : 'from --source')
  const plan = upPlan({
    release,
    db: cmd.db,
    replacing: previous !== null,
    treeCached: cachedTree !== null,
    nodeFromRegistry: Number(process.versions.node.split('.')[0]) < nodebbNodeMajor,
    configuredSettings: Object.keys(metaConfig)
  })
  say(`up ${cmd.name}: NodeBB from ${source.label} (sha256 ${source.sha256.slice(0, 12)}…); log: ${log}`)
  plan.forEach((s, i) => say(`  ${i + 1}. ${s.says}`))
  let next = 0
  const step = async <T>(name: StepName, fn: () => Promise<T>): Promise<T> => {
    const planned = plan[next]
    if (planned?.name !== name) throw new Error(`bug: the plan says ${planned?.name ?? 'nothing'} next, the run does ${name}`)
    next++
    const t0 = Date.now()
    const value = await fn()
    say(`[${next}/${plan.length}] ${name} done (${((Date.now() - t0) / 1000).toFixed(1)} s)`)
    return value
  }

  if (previous !== null) await step('replace', async () => { await down({ kind: 'down', name: cmd.name, keep: false }, ctx, previous) })
  const node = await (plan.some((s) => s.name === 'node') ? step('node', async () => await nodeAtLeast(nodebbNodeMajor, { log: say })) : nodeAtLeast(nodebbNodeMajor))
  const nodeBinary = join(node.bin, 'node')
  const nodeVersion = (await run(nodeBinary, ['--version'])).stdout.trim()
  const env = nodebbEnv(ctx.env, node.bin)

  const tree = await step('install', async () => await ensureTree(source, { trees: layout.trees, env, nodeVersion, log, say }))
  const port = await choosePort(cmd, layout, id)
  const marker: Marker = { tool: markerTool, instance: id, checkout: ctx.checkout, created: new Date().toISOString() }
  const dir = join(layout.instances, id)
  const inTree: InsideOptions = { nodebb: tree.dir, node: nodeBinary, env, log }
  const db: DatabaseClaim = await step('claim', async () => {
    if (cmd.db === 'redis') return { kind: 'redis', url: cmd.redisUrl, index: await claimIndex(cmd.redisUrl, cmd.redisDbs, marker) }
    const database = postgresDatabase(id)
    await claimDatabase(cmd.postgresUrl, database, marker, inTree)
    return { kind: 'postgres', url: cmd.postgresUrl, database }
  })
  const state: InstanceState = { name: cmd.name, id, checkout: ctx.checkout, release: tree.info.release, tree: tree.dir, dir, port, db, pid: null, node: nodeVersion, startedAt: null, phase: 'setting-up' }
  writeState(statePaths, state)

  await step('copy', async () => { await workingCopy(tree.dir, dir) })
  const admin = { username: 'admin', password: randomBytes(12).toString('hex'), email: 'admin@example.org' }
  const nodebb = async (args: string[], timeoutMs: number): Promise<void> => { await runLogged(nodeBinary, ['nodebb', ...args], { cwd: dir, env, log, timeoutMs }) }
  await step('setup', async () => {
    await nodebb(['setup', '--skip-build', JSON.stringify(setupAnswers({ port, secret: randomUUID(), db, admin }))], 10 * 60_000)
    const configPath = join(dir, 'config.json')
    writeFileSync(configPath, JSON.stringify({ ...JSON.parse(readFileSync(configPath, 'utf8')), ...serverConfigExtras }, null, 4))
  })
  await step('plugin', async () => {
    if (await buildIsStale(ctx.checkout)) {
      say('  this checkout\'s build/ is older than its sources: npm run build')
      await runLogged('npm', ['run', 'build'], { cwd: ctx.checkout, env, log, timeoutMs: 15 * 60_000 })
    }
    const packs = await mkdtemp(join(tmpdir(), 'sunbird-pack-'))
    try {
      // the build is current: pack it as it is (prepack would build again)
      await runLogged('npm', ['pack', '--ignore-scripts', '--pack-destination', packs], { cwd: ctx.checkout, env, log, timeoutMs: 5 * 60_000 })
      const tgz = (await readdir(packs)).find((f) => f.endsWith('.tgz'))
      if (tgz === undefined) throw new Error('npm pack made no tarball')
      await runLogged('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', join(packs, tgz)], { cwd: dir, env, log, timeoutMs: 15 * 60_000 })
    } finally {
      await rm(packs, { recursive: true, force: true })
    }
  })
  await step('activate', async () => { await nodebb(['activate', pluginName], 5 * 60_000) })
  const token = randomUUID()
  const adminUid = await step('token', async () => {
    const here: InsideOptions = { ...inTree, nodebb: dir }
    const ops = [
      ...masterTokenOps(token, 'npm run nodebb -- up: the master token for the adapter and the e2e suites', Date.now()),
      ...(Object.keys(metaConfig).length > 0 ? [{ op: 'setObject', args: ['config', metaConfig] }] : []),
      { op: 'getSortedSetRange', args: ['group:administrators:members', 0, 0] }
    ]
    const answers = await nodebbDb(ops, here)
    const first = (answers.at(-1) as string[] | undefined)?.[0]
    if (first === undefined) throw new Error('NodeBB has no administrator after setup')
    return Number(first)
  })
  await step('build', async () => { await nodebb(['build'], 20 * 60_000) })
  state.pid = await step('start', async () => await startNodebb(dir, nodeBinary, env, port, 5 * 60_000))
  state.startedAt = new Date().toISOString()
  state.phase = 'running'
  writeState(statePaths, state)

  await step('verify', async () => {
    const res = await httpOk(`${baseUrl(port)}/api/v3/plugins/sunbird/status?_uid=${adminUid}`, { authorization: `Bearer ${token}`, accept: 'application/json' })
    if (res === null || res.status !== 200 || !res.body.includes(pluginName)) {
      throw new Error(`the master token does not work on the plugin's status route: ${res === null ? 'no answer' : `${res.status} ${res.body.slice(0, 300)}`}`)
    }
    const changed = await changedInTree(tree.dir)
    if (changed.length > 0) {
      await rm(tree.dir, { recursive: true, force: true })
      throw new Error(`the cached tree changed under the instance (dropped; the next up installs it again): ${changed.slice(0, 10).join(', ')}`)
    }
  })
  return await step('settings', async () => {
    const settings = settingsOf({ port, token, adminUid, admin, db, chromium: chromium(ctx.env) })
    const file = settingsFile(layout.local, cmd.name)
    writeFileSync(file, formatSettings(settings, [`npm run nodebb -- up --name ${cmd.name}: NodeBB ${tree.info.release}, ${new Date().toISOString()}`]), { mode: 0o600 })
    say(`NodeBB ${tree.info.release} runs at ${baseUrl(port)} (pid ${state.pid ?? '?'}, ${db.kind === 'redis' ? `Redis database ${db.index}` : `PostgreSQL database ${db.database}`}), up in ${Math.round((Date.now() - started) / 1000)} s`)
    say(`settings in ${file} (test/e2e reads it; the adapter wants NODEBB_URL and NODEBB_TOKEN in .env); NodeBB's log: ${join(dir, 'logs', 'output.log')}`)
    if (settings.CHROMIUM_PATH === undefined) say('no Chromium found (CHROMIUM_PATH, /usr/bin/chromium): the ACP browser test needs one (Debian: apt-get install chromium)')
    return settings
  })
}
