import { ApiError } from '../shared/errors'
import { expandLevel, levelFromPrivileges } from '../shared/permission-ladder'
import type { UserCreateRequest, UserCreateResult, UserEnsureResult, UserReadResult } from '../shared/schemas/user'
import { randomBytes } from 'node:crypto'
import type { Platform } from './platform'
import { keys, type Store } from './store'
import { withLock } from './lock'
import { UserDirectory } from './user-directory'
import type { Journal } from './idempotency/run'
import { noteTrail } from './audit-trail'

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

/** NodeBB 4's default longest username; a longer wish is cut to it (a site allowing more loses nothing). */
const usernameMax = 16

/**
 * Usernames to try for a user created on first use, from a token's preferred_username: the wish
 * with what NodeBB refuses replaced, then with a random suffix (taken, or too short).
 */
export function usernameCandidates (wish: string, tries: number, random: () => string = () => randomBytes(3).toString('hex')): string[] {
  const base = wish.normalize('NFKC').replace(/[^\p{L}\p{N}_.-]+/gu, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, usernameMax).replace(/[-.]+$/, '')
  const out: string[] = base.length >= 2 ? [base] : []
  const stem = (base.length >= 2 ? base : 'user').slice(0, usernameMax - 7).replace(/[-.]+$/, '')
  while (out.length < tries) out.push(`${stem}-${random()}`)
  return out
}

export class UserService {
  private readonly directory: UserDirectory

  constructor (private readonly platform: Platform, private readonly store: Store) {
    this.directory = new UserDirectory(platform, store)
  }

  async create (request: UserCreateRequest, journal?: Journal): Promise<UserCreateResult> {
    return withLock(this.platform.db, `user:${request.identifier}`, { now: this.platform.now }, async () => await this.createLocked(request, journal))
  }

  /** Create, the user's lock held. */
  private async createLocked (request: UserCreateRequest, journal?: Journal): Promise<UserCreateResult> {
    const username = request.username.trim()
    const existing = await this.directory.find(request.identifier)
    if (existing !== undefined) throw new ApiError('USER_EXISTS', `Sunbird user ${request.identifier} already exists`, { identifier: existing.identifier, uid: existing.uid })
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
      await journal?.({ kind: 'user', uid })
      await this.directory.map(request.identifier, uid)
    } catch (err) {
      // nothing half-written: a user without its mapping would block the retry with USERNAME_TAKEN
      await this.platform.deleteUser(uid)
      throw err
    }
    return noteTrail({ identifier: request.identifier, uid, username }, { root: null, forums: new Map(), changes: [{ kind: 'userCreated', uid, identifier: request.identifier }] })
  }

  /**
   * The user a token's subject names, created when there is none (first use through the adapter's
   * passthrough, AUTO_CREATE_USERS): mapped under the subject's last `:` part, named from `wish`
   * (made valid and unique), with the synthetic email confirmed as user create does. Idempotent:
   * concurrent calls for one subject wait on one lock, and the later ones find the user.
   */
  async ensure (subject: string, wish: string, journal?: Journal): Promise<UserEnsureResult> {
    const found = await this.directory.find(subject)
    if (found !== undefined) return { identifier: found.identifier, uid: found.uid, created: false }
    const identifier = UserDirectory.forms(subject).at(-1) as string
    return withLock(this.platform.db, `user:${identifier}`, { now: this.platform.now }, async () => {
      const again = await this.directory.find(subject)
      if (again !== undefined) return { identifier: again.identifier, uid: again.uid, created: false }
      for (const username of usernameCandidates(wish, 6)) {
        if (this.platform.usernameProblem(username) !== null || await this.platform.isUsernameTaken(username)) continue
        try {
          const { uid } = await this.createLocked({ identifier, username }, journal)
          return noteTrail({ identifier, uid, created: true }, { root: null, forums: new Map(), changes: [{ kind: 'userCreated', uid, identifier }] })
        } catch (err) {
          // another user took the name in between: the next candidate
          if (err instanceof ApiError && err.code === 'USERNAME_TAKEN') continue
          throw err
        }
      }
      throw new ApiError('INVALID_REQUEST', `No valid, free username could be made from ${JSON.stringify(wish.slice(0, 64))}`)
    })
  }

  /** The NodeBB uid of a Sunbird user (or of a Keycloak subject), for the adapter's acting-user lookup. */
  async uid (identifier: string): Promise<{ identifier: string, uid: number }> {
    const found = await this.directory.find(identifier)
    if (found === undefined) throw new ApiError('USER_NOT_FOUND', `No Sunbird user ${identifier}`)
    return { identifier: found.identifier, uid: found.uid }
  }

  async read (identifier: string): Promise<UserReadResult> {
    const found = await this.directory.find(identifier)
    const [user] = found === undefined ? [null] : await this.platform.getUsers([found.uid])
    if (found === undefined || user === null || user === undefined) throw new ApiError('USER_NOT_FOUND', `No Sunbird user ${identifier}`)
    const uid = found.uid
    const forums: UserReadResult['forums'] = []
    const all = (await this.platform.db.getSortedSetRange(keys.forums, 0, -1)).map(Number)
    for (let i = 0; i < all.length; i += readBatch) {
      const cids = all.slice(i, i + readBatch)
      const [holders, records, names] = await Promise.all([this.platform.getPrivilegeHolders(cids), this.store.getForums(cids), this.platform.getCategoryNames(cids)])
      const memberOf = await this.platform.groupsOfUser(uid, [...holders.values()].flatMap((h) => [...h.groups.keys()]))
      cids.forEach((cid, j) => {
        const h = holders.get(cid)
        const record = records[j]
        const name = names.get(cid)
        if (h === undefined || record === null || record === undefined || name === undefined) return
        const held = new Set(h.users.get(uid) ?? [])
        for (const [group, privileges] of h.groups) if (memberOf.has(group)) for (const p of privileges) held.add(p)
        const { level } = levelFromPrivileges(held)
        if (level !== null) forums.push({ identifier: String(cid), name, context: record.context, permissions: expandLevel(level) })
      })
    }
    return { user: { identifier: found.identifier, uid, username: user.username, fullname: user.fullname === '' ? null : user.fullname }, forums }
  }
}
