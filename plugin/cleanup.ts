import type { Platform } from './platform'
import { Store } from './store'

/**
 * Keeps the plugin's records true when NodeBB changes underneath them (a category purged in the
 * ACP, a user deleted, a group destroyed): no dangling ids reach fetch or read.
 */
export class Cleanup {
  private readonly store: Store

  constructor (private readonly platform: Platform) {
    this.store = new Store(platform.db)
  }

  async categoryDeleted (cid: number): Promise<void> {
    const record = await this.store.getForum(cid)
    if (record === null) return
    for (const group of await this.store.groupsOf(cid)) {
      await this.store.removeGroup(group.name, cid)
      const [exists] = await this.platform.groupsExist([group.name])
      if (exists === true) await this.platform.destroyGroup(group.name)
    }
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
  }

  async groupsDestroyed (names: string[]): Promise<void> {
    for (const name of names) {
      const group = await this.store.getGroup(name)
      if (group !== null) await this.store.removeGroup(name, group.cid)
    }
  }

  /** Whether a uid is a Sunbird-mapped user (one hash-field read). */
  async isSunbirdUser (uid: number): Promise<boolean> {
    if (!(uid > 0)) return false
    const [sunbirdId] = await this.store.sunbirdIdsOf([uid])
    return sunbirdId !== null && sunbirdId !== undefined
  }
}
