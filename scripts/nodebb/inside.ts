import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runLogged } from './processes'

/**
 * Runs one of inside/*.cjs with NodeBB's node in a NodeBB folder, so it reaches NodeBB's own
 * modules (its database module, its `pg`); the input and the answer go through files.
 */
export interface InsideOptions {
  nodebb: string
  node: string
  env: NodeJS.ProcessEnv
  log: string
}

export async function runInside<T> (script: 'nodebb-db.cjs' | 'postgres-sql.cjs', input: unknown, options: InsideOptions): Promise<T> {
  const scratch = await mkdtemp(join(tmpdir(), 'sunbird-nodebb-'))
  try {
    const inFile = join(scratch, 'in.json')
    const outFile = join(scratch, 'out.json')
    await writeFile(inFile, JSON.stringify(input), { mode: 0o600 })
    await runLogged(options.node, [join(__dirname, 'inside', script), inFile, outFile], { cwd: options.nodebb, env: options.env, log: options.log, timeoutMs: 120_000 })
    return JSON.parse(await readFile(outFile, 'utf8')) as T
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

export interface DbOp { op: string, args: unknown[] }

/** NodeBB's database module (src/database) performs the operations; their answers, in order. */
export async function nodebbDb (ops: DbOp[], options: InsideOptions): Promise<unknown[]> {
  return await runInside<unknown[]>('nodebb-db.cjs', ops, options)
}

/**
 * A master token as NodeBB's own token store keeps one (src/api/utils.js, tokens.add): the object
 * `token:<t>` {uid: 0, description, timestamp} and <t> in `tokens:createtime` and `tokens:uid`
 * (score: the uid, 0).
 */
export function masterTokenOps (token: string, description: string, timestamp: number): DbOp[] {
  return [
    { op: 'setObject', args: [`token:${token}`, { uid: 0, description, timestamp }] },
    { op: 'sortedSetAdd', args: ['tokens:createtime', timestamp, token] },
    { op: 'sortedSetAdd', args: ['tokens:uid', 0, token] }
  ]
}
