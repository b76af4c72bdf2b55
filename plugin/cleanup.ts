import type { Platform } from './platform'
import { Store } from './store'
import { UserDirectory } from './user-directory'

/**
 * Keeps the plugin's records true when NodeBB changes underneath them (a category purged in the
 * ACP, a user deleted, a group destroyed): no dangling ids reach fetch or read.
 */
export class Cleanup {
  private readonly store: Store
  private readonly directory: UserDirectory

  constructor (private readonly platform: Platform) {
    this.store = new Store(platform.db)
    this.directory = new UserDirectory(platform, this.store)
  }

  async categoryDeleted (cid: number): Promise<void> {
    const record = await this.store.getForum(cid)
    if (record === null) return
    const groups = await this.store.groupsOf(cid)
    for (const group of groups) await this.store.removeGroup(group.name, cid)
    const exists = await this.platform.groupsExist(groups.map((g) => g.name))
    // one destroy for all of them: NodeBB's scans every group once per call
    await this.platform.destroyGroups(groups.filter((g) => exists.has(g.name)).map((g) => g.name))
    // children that survive their parent become roots of their context, so fetch still finds them
    const children = await this.store.getForums(await this.store.childrenOf(cid))
    for (const child of children) {
      if (child === null) continue
      await this.store.removeForum(child)
      await this.store.addForum({ ...child, parent: null }, true)
    }
    await this.store.removeForum(record)
  }

  async userDeleted (uid: number): Promise<void> {
    await this.store.unmapUid(uid)
    // SSO's map too (its own plugin clears it where it is installed; this covers where it is not)
    const sso = (await this.platform.oidcIdsOf([uid])).get(uid)
    if (sso !== undefined) await this.platform.removeOidcId(uid, sso)
  }

  async groupsDestroyed (names: string[]): Promise<void> {
    const records = await this.store.getGroups(names)
    for (const group of records.values()) await this.store.removeGroup(group.name, group.cid)
  }

  /** Whether a uid is a Sunbird user (mapped by the plugin or by Sunbird SSO). */
  async isSunbirdUser (uid: number): Promise<boolean> {
    return this.directory.isSunbirdUser(uid)
  }
}
