import { pluginMount, pluginPaths } from '../../shared/plugin-paths'

/** The plugin routes the adapter calls (the same table the plugin mounts). */
export const nodebbPaths = pluginPaths
export { pluginMount }

export type NodebbPath = typeof nodebbPaths[keyof typeof nodebbPaths]

/** A path template with its `:name` segments filled in, each percent-encoded. */
export function fillPath (template: string, params: Record<string, string> = {}): string {
  return template.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    const value = params[name]
    if (value === undefined) throw new Error(`no value for :${name} in ${template}`)
    return encodeURIComponent(value)
  })
}
