import { ApiError } from '../shared/errors'
import { expandLevel, levelFromPrivileges } from '../shared/permission-ladder'
import type { UserCreateRequest, UserCreateResult, UserReadResult } from '../shared/schemas/user'
import type { Platform } from './platform'
import { keys, type Store } from './store'
import { withLock } from './lock'
import { readHolders } from './forum/state'

/** A mail-safe local part from a NodeBB username (which may hold spaces and most characters). */
export function emailLocalPart (username: string): string {
  const local = username.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').replace(/\.{2,}/g, '.')
  return local === '' ? 'user' : local.slice(0, 64)
}

/** NodeBB's own error keys for a refused username or email, mapped onto the catalogue. */
function mapCreateError (err: unknown): ApiError | null {
  const message = err instanceof Error ? err.message : String(err)
  if (message.includes('[[error:username-taken]]') || message.includes('[[error:email-taken]]')) return new ApiError('USERNAME_TAKEN')
  const reason = /\[\[error:([a-z-]+)(?:, [^\]]*)?\]\]/.exec(message)
  if (reason !== null && /username|email|invalid/.test(reason[1] as string)) {
    return new ApiError('INVALID_REQUEST', `NodeBB refused the user: ${reason[1] as string}`)
  }
  return null
}

const readBatch = 200

export class UserService {
  constructor (private readonly platform: Platform, private readonly store: Store) {}

  async create (request: UserCreateRequest): Promise<UserCreateResult> {
    const username = request.username.trim()
    return withLock(this.platform.db, `user:${request.identifier}`, async () => {
      const [mapped] = await this.store.uidsOf([request.identifier])
      if (mapped !== null && mapped !== undefined) throw new ApiError('USER_EXISTS', `Sunbird user ${request.identifier} already exists`)
      const problem = this.platform.usernameProblem(username)
      if (problem !== null) throw new ApiError('INVALID_REQUEST', `NodeBB refused the username: ${problem}`)
      if (await this.platform.isUsernameTaken(username)) throw new ApiError('USERNAME_TAKEN', `The username ${username} is taken`)
      const { emailDomain } = await this.platform.getSettings()
      let uid: number
      try {
        uid = await this.platform.createUser({
          username,
          email: `${emailLocalPart(username)}@${emailDomain}`,
          ...(request.fullname === undefined ? {} : { fullname: request.fullname.trim() })
        })
      } catch (err) {
        throw mapCreateError(err) ?? err
      }
      try {
        await this.store.mapUser(request.identifier, uid)
      } catch (err) {
        // nothing half-written: a user without its mapping would block the retry with USERNAME_TAKEN
        await this.store.unmapUser(request.identifier, uid).catch(() => {})
        await this.platform.deleteUser(uid)
        throw err
      }
      return { identifier: request.identifier, uid, username }
    })
  }

  /** The NodeBB uid of a Sunbird user: two hash-field reads, for the adapter's acting-user lookup. */
  async uid (identifier: string): Promise<{ identifier: string, uid: number }> {
    const [uid] = await this.store.uidsOf([identifier])
    const [exists] = uid === null || uid === undefined ? [false] : await this.platform.usersExist([uid])
    if (uid === null || uid === undefined || exists !== true) throw new ApiError('USER_NOT_FOUND', `No Sunbird user ${identifier}`)
    return { identifier, uid }
  }

  async read (identifier: string): Promise<UserReadResult> {
    const [uid] = await this.store.uidsOf([identifier])
    const [user] = uid === null || uid === undefined ? [null] : await this.platform.getUsers([uid])
    if (uid === null || uid === undefined || user === null || user === undefined) throw new ApiError('USER_NOT_FOUND', `No Sunbird user ${identifier}`)
    const forums: UserReadResult['forums'] = []
    const all = (await this.platform.db.getSortedSetRange(keys.forums, 0, -1)).map(Number)
    for (let i = 0; i < all.length; i += readBatch) {
      const cids = all.slice(i, i + readBatch)
      const [holders, records, names] = await Promise.all([readHolders(this.platform, cids), this.store.getForums(cids), this.platform.getCategoryNames(cids)])
      const groups = [...new Set(holders.flatMap((h) => [...h.groups.keys()]))]
      const member = groups.length === 0 ? [] : await this.platform.db.isMemberOfSortedSets(groups.map((g) => `group:${g}:members`), String(uid))
      const memberOf = new Set(groups.filter((_g, j) => member[j] === true))
      cids.forEach((cid, j) => {
        const h = holders[j]
        const record = records[j]
        const name = names[j]
        if (h === undefined || record === null || record === undefined || name === null || name === undefined) return
        const held = new Set(h.users.get(uid) ?? [])
        for (const [group, privileges] of h.groups) if (memberOf.has(group)) for (const p of privileges) held.add(p)
        const { level } = levelFromPrivileges(held)
        if (level !== null) forums.push({ identifier: String(cid), name, context: record.context, permissions: expandLevel(level) })
      })
    }
    return { user: { identifier, uid, username: user.username, fullname: user.fullname === '' ? null : user.fullname }, forums }
  }
}
