import type { Request } from 'express'
import { nodebbRequire } from './require'
import type { CallerCheck } from './api-routes'

interface Db {
  getObjectField: (key: string, field: string) => Promise<string | number | null>
}

interface UserModule {
  isAdministrator: (uid: number) => Promise<boolean>
}

/**
 * Who may use the plugin's routes: the adapter (NodeBB master token: a `token:<t>` record with
 * uid 0) or an administrator. Any other logged-in user, by session or own token, is refused, so a
 * learner cannot create users or forums by calling the Write API directly.
 */
export function nodebbCallerCheck (): CallerCheck {
  const db = nodebbRequire<Db>('./src/database')
  const user = nodebbRequire<UserModule>('./src/user')
  return {
    async isTrustedCaller (req: Request): Promise<boolean> {
      const header = req.headers.authorization
      if (typeof header === 'string' && header.startsWith('Bearer ')) {
        const tokenUid = await db.getObjectField(`token:${header.slice('Bearer '.length).trim()}`, 'uid')
        if (tokenUid !== null && Number(tokenUid) === 0) return true
      }
      const uid = Number((req as Request & { uid?: number }).uid ?? 0)
      return uid > 0 && await user.isAdministrator(uid)
    }
  }
}
