import type { Context } from '../../shared/schemas/common'
import type { Platform } from '../platform'
import { keys, type Store } from '../store'

/** One forum found by the ACP search. */
export interface SearchHit {
  identifier: string
  name: string
  context: Context
  parent: string | null
  url: string
}

export interface SearchResult {
  hits: SearchHit[]
  count: number
  /** The name scan stopped at its bound before reaching every forum. */
  truncated: boolean
}

const batch = 200
/** A name search reads at most this many forums (names are not indexed; the ACP is used by few). */
export const nameScanBound = 20_000

/**
 * Finds forums for the ACP: by context (the context index, one read) or by a piece of the
 * category name (a bounded scan of `sunbird:forums`, newest first).
 */
export class ForumSearch {
  constructor (private readonly platform: Platform, private readonly store: Store) {}

  async byContext (context: Context, limit: number): Promise<SearchResult> {
    const cids = await this.store.contextForums(context)
    const hits = await this.hits(cids.slice(0, limit))
    return { hits, count: cids.length, truncated: false }
  }

  async byName (query: string, limit: number): Promise<SearchResult> {
    const needle = query.trim().toLowerCase()
    const hits: SearchHit[] = []
    let count = 0
    let scanned = 0
    let truncated = false
    for (let from = 0; ; from += batch) {
      if (scanned >= nameScanBound) { truncated = true; break }
      const cids = (await this.platform.db.getSortedSetRange(keys.forums, -(from + batch), -(from + 1))).map(Number).reverse()
      scanned += cids.length
      const names = await this.platform.getCategoryNames(cids)
      const found = cids.filter((cid) => names.get(cid)?.toLowerCase().includes(needle) === true)
      count += found.length
      if (hits.length < limit) hits.push(...await this.hits(found.slice(0, limit - hits.length)))
      if (cids.length < batch) break
    }
    return { hits, count, truncated }
  }

  private async hits (cids: number[]): Promise<SearchHit[]> {
    const [records, names] = await Promise.all([this.store.getForums(cids), this.platform.getCategoryNames(cids)])
    return cids.flatMap((cid, i) => {
      const record = records[i]
      const name = names.get(cid)
      if (record === null || record === undefined || name === undefined) return []
      return [{
        identifier: String(cid),
        name,
        context: record.context,
        parent: record.parent === null ? null : String(record.parent),
        url: this.platform.categoryUrl(cid)
      }]
    })
  }
}
