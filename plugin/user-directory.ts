import { ApiError } from '../shared/errors'
import type { Platform } from './platform'
import type { Store } from './store'

/** A Sunbird user found in one of the maps. */
export interface FoundUser {
  uid: number
  /** The form the user is mapped under (the identifier as given, or the last `:` part of a subject). */
  identifier: string
}

/**
 * Sunbird ids <-> NodeBB uids: the one place they are resolved. Two maps are read: the plugin's own
 * (users created through the API) and nodebb-plugin-sunbird-oidc's (users who logged into NodeBB by
 * Sunbird SSO), so neither kind of user is invisible to the other path. A Keycloak subject
 * (`f:<realm>:<id>`) also matches a user mapped under its last part. A mapping whose user NodeBB
 * no longer has is not a user.
 */
export class UserDirectory {
  constructor (private readonly platform: Platform, private readonly store: Store) {}

  /** The forms an identifier may be mapped under: itself, then the last `:` part of a subject. */
  static forms (identifier: string): string[] {
    const last = identifier.slice(identifier.lastIndexOf(':') + 1)
    return last === identifier || last === '' ? [identifier] : [identifier, last]
  }

  /** The users these identifiers name; identifiers with no (live) user are absent. */
  async lookup (identifiers: string[]): Promise<Map<string, FoundUser>> {
    const forms = [...new Set(identifiers.flatMap(UserDirectory.forms))]
    if (forms.length === 0) return new Map()
    const [own, sso] = await Promise.all([this.store.uidsOf(forms), this.platform.oidcUidsOf(forms)])
    const ownByForm = new Map(forms.map((form, i) => [form, own[i] ?? null]))
    const candidates = new Map<string, FoundUser>()
    for (const id of identifiers) {
      for (const form of UserDirectory.forms(id)) {
        const uid = ownByForm.get(form) ?? sso.get(form) ?? null
        if (uid !== null) { candidates.set(id, { uid, identifier: form }); break }
      }
    }
    const uids = [...new Set([...candidates.values()].map((c) => c.uid))]
    const live = await this.platform.usersExist(uids)
    return new Map([...candidates].filter(([, found]) => live.has(found.uid)))
  }

  /** The user one identifier names, if any. */
  async find (identifier: string): Promise<FoundUser | undefined> {
    return (await this.lookup([identifier])).get(identifier)
  }

  /** uid of each identifier; USER_NOT_FOUND naming every one that has none, before anything is done. */
  async require (identifiers: string[]): Promise<Map<string, number>> {
    const found = await this.lookup(identifiers)
    const missing = [...new Set(identifiers)].filter((id) => !found.has(id))
    if (missing.length > 0) throw new ApiError('USER_NOT_FOUND', `Unknown Sunbird user ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', ...' : ''}`, { users: missing })
    return new Map([...found].map(([id, user]) => [id, user.uid]))
  }

  async requireOne (identifier: string): Promise<number> {
    return (await this.require([identifier])).get(identifier) as number
  }

  /** uid -> the Sunbird id it is mapped under (the plugin's map first, then SSO's); unmapped uids are absent. */
  async sunbirdIdsOf (uids: number[]): Promise<Map<number, string>> {
    const unique = [...new Set(uids)]
    if (unique.length === 0) return new Map()
    const own = await this.store.sunbirdIdsOf(unique)
    const out = new Map<number, string>()
    unique.forEach((uid, i) => { const id = own[i]; if (id !== null && id !== undefined) out.set(uid, id) })
    const rest = unique.filter((uid) => !out.has(uid))
    for (const [uid, id] of await this.platform.oidcIdsOf(rest)) out.set(uid, id)
    return out
  }

  async isSunbirdUser (uid: number): Promise<boolean> {
    return uid > 0 && (await this.sunbirdIdsOf([uid])).has(uid)
  }

  /** Maps a new user both ways and in SSO's map; a failure removes whatever part was written. */
  async map (identifier: string, uid: number): Promise<void> {
    try {
      await this.store.mapUser(identifier, uid)
      await this.platform.setOidcId(uid, identifier)
    } catch (err) {
      await this.unmap(identifier, uid).catch(() => {})
      throw err
    }
  }

  async unmap (identifier: string, uid: number): Promise<void> {
    await this.store.unmapUser(identifier, uid)
    await this.platform.removeOidcId(uid, identifier)
  }
}
