import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

/**
 * The package's own name and version, read from its package.json (the one place they are written):
 * the plugin answers them on its status route and the adapter checks them. Found by walking up from
 * this file, which sits at shared/ in the sources and at build/shared/ once compiled.
 */
export function readPackage (from: string = __dirname): { name: string, version: string } {
  // a loop that ends (rather than `for (;;)` left only by return or throw): V8's coverage counts the
  // unreachable end of an endless loop as an uncovered line
  let dir = from
  let above = ''
  while (dir !== above) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown, version?: unknown }
      if (typeof pkg.name === 'string' && typeof pkg.version === 'string') return { name: pkg.name, version: pkg.version }
    } catch {}
    above = dir
    dir = dirname(dir)
  }
  throw new Error('package.json not found above ' + from)
}

export const packageInfo = readPackage()
