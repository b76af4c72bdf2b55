import type { Test } from 'tap'
import { mountRoutes, type CallRecorder } from '../../plugin/nodebb/api-routes'
import { nodebbCallerCheck } from '../../plugin/nodebb/callers'
import { pluginRoutes } from '../../plugin/routes'
import { memorySettingsStore } from '../../plugin/acp/settings'
import { AuditRecorder } from '../../plugin/acp/audit-recorder'
import { Store } from '../../plugin/store'
import { createFakePlatform, type FakePlatform } from './fake-platform'

/**
 * The plugin's route table mounted the way NodeBB mounts it (setupApiRoute, NodeBB's answer shape,
 * the real caller check over NodeBB's token records), with the audit recorder behind it: calls
 * go in as NodeBB hands them to a controller, answers come out as NodeBB would send them.
 */
export interface Mounted {
  fake: FakePlatform
  admin: number
  learner: number
  /** The adapter's master token (`token:<t>` with uid 0). */
  master: Record<string, string>
  recorder: AuditRecorder
  settings: ReturnType<typeof memorySettingsStore>
  logs: string[]
  invoke: (verb: string, path: string, req: { uid: number, headers?: Record<string, string>, params?: Record<string, string>, query?: Record<string, unknown>, body?: unknown }) => Promise<{ status: number, body: any }>
}

export function mounted (t: Test, options: { recorder?: (recorder: AuditRecorder) => CallRecorder } = {}): Mounted {
  const fake = createFakePlatform()
  const admin = fake.addUser('admin', { admin: true })
  const learner = fake.addUser('learner')
  const token = 'master-token-abc'
  fake.db.hashes.set(`token:${token}`, new Map([['uid', '0']]))
  const captured: Array<{ verb: string, path: string, controller: (req: any, res: any) => Promise<void> }> = []
  const modules: Record<string, unknown> = {
    './src/routes/helpers': { setupApiRoute: (_r: unknown, verb: string, path: string, _m: unknown, controller: any) => captured.push({ verb, path, controller }) },
    './src/controllers/helpers': { formatApiResponse: async (status: number, res: any, payload: unknown) => res.status(status).json({ status: { code: 'ok', message: 'OK' }, response: payload }) },
    './src/database': fake.db,
    './src/user': { isAdministrator: async (uid: number) => uid === admin }
  }
  ;(globalThis as { nodebb?: unknown }).nodebb = { require: (id: string) => modules[id] }
  t.teardown(() => { delete (globalThis as { nodebb?: unknown }).nodebb })
  const logs: string[] = []
  const settings = memorySettingsStore()
  const recorder = new AuditRecorder(fake, new Store(fake.db))
  mountRoutes({ router: {} as any, middleware: {} }, pluginRoutes(fake, { settings }), nodebbCallerCheck(), (msg) => logs.push(msg), options.recorder?.(recorder) ?? recorder)
  return {
    fake,
    admin,
    learner,
    master: { authorization: `Bearer ${token}` },
    recorder,
    settings,
    logs,
    async invoke (verb, path, req) {
      const route = captured.find((c) => c.verb === verb && c.path === path)
      if (route === undefined) throw new Error(`not mounted ${verb} ${path}`)
      const out = { status: 0, body: null as any }
      const res = { status (s: number) { out.status = s; return res }, json (b: unknown) { out.body = b; return res } }
      await route.controller({ uid: req.uid, headers: req.headers ?? {}, params: req.params ?? {}, query: req.query ?? {}, body: req.body ?? {} }, res)
      return out
    }
  }
}
