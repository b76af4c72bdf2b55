/**
 * NodeBB's package.json as this tool installs it: a release keeps it as `install/package.json`
 * (NodeBB copies it to the root on first run); the root copy is made without devDependencies (the
 * test and build tooling of NodeBB itself, not needed to run it) and, where the release pins its
 * bundled plugins at versions the registry does not have, with those pins relaxed to `*`.
 */
export interface PackageJson {
  name?: string
  version?: string
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  [key: string]: unknown
}

/** Plugins, themes, widgets and rewards NodeBB bundles by dependency. */
export const bundledPackage = /^nodebb-(plugin|theme|widget|rewards)-/

/**
 * Releases whose bundled pins the registry cannot satisfy (seen: 4.15.1 pins e.g.
 * nodebb-theme-harmony 3.2.9; 4.11.2 installs as it is). Later releases are assumed alike; `up`
 * also relaxes them when npm answers ETARGET for one of them on a release not listed here.
 */
export function pinsNeedRelaxing (version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number)
  return major > 4 || (major === 4 && minor >= 15)
}

export function preparePackageJson (pkg: PackageJson, relaxPins: boolean): PackageJson {
  const { devDependencies: _dropped, ...rest } = pkg
  const dependencies = { ...(pkg.dependencies ?? {}) }
  if (relaxPins) for (const name of Object.keys(dependencies)) if (bundledPackage.test(name)) dependencies[name] = '*'
  return { ...rest, dependencies }
}

/** npm's ETARGET for a bundled package ("No matching version found for nodebb-theme-x@1.2.3"). */
export function etargetOnBundled (npmOutput: string): boolean {
  return /ETARGET/.test(npmOutput) && /No matching version found for nodebb-(plugin|theme|widget|rewards)-/.test(npmOutput)
}
