/**
 * The one door to NodeBB's internals. NodeBB v4.12+ exposes `globalThis.nodebb.require`; before
 * that, plugins resolve NodeBB modules through `require.main.require` (NodeBB points it at its own
 * root). Plain `require()` would resolve from this package's real path (npm links local installs).
 */
interface NodebbGlobal {
  nodebb?: { require?: (id: string) => unknown }
}

export function nodebbRequire<T> (id: string): T {
  const viaGlobal = (globalThis as NodebbGlobal).nodebb?.require
  if (typeof viaGlobal === 'function') return viaGlobal(id) as T
  const main = require.main
  if (main === undefined) throw new Error(`Cannot load NodeBB module ${id}: not running inside NodeBB`)
  return main.require(id) as T
}
