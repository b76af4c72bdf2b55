import { parseCommand, usage, UsageError } from './args'
import { down } from './down'
import { cacheRoot, layout, repoRoot } from './paths'
import { formatSettings } from './settings-file'
import { status } from './status'
import { up, type Context } from './up'

/**
 * `npm run nodebb -- up|down|status`: a local NodeBB with this checkout's plugin (see args.ts for
 * the options, docs/development.md for the why). Runs through tsx, as the benchmarks do: a
 * developer's and CI's tool in a checkout with its devDependencies, never shipped in the package,
 * so it needs no build step of its own.
 */
async function main (argv: string[]): Promise<number> {
  let cmd
  try {
    cmd = parseCommand(argv)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    process.stderr.write(`${err.message}\n\n${usage}\n`)
    return 2
  }
  const ctx: Context = { checkout: repoRoot, layout: layout(cacheRoot()), env: process.env, say: (line) => process.stderr.write(line + '\n') }
  switch (cmd.kind) {
    case 'help':
      process.stdout.write(usage + '\n')
      return 0
    case 'status':
      await status(ctx)
      return 0
    case 'down':
      await down(cmd, ctx)
      return 0
    case 'up':
      process.stdout.write(formatSettings(await up(cmd, ctx)))
      return 0
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (err: Error) => {
  process.stderr.write(`nodebb: ${err.message}\n`)
  process.exitCode = 1
})
