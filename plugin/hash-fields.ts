import type { Db } from './platform'

/**
 * Fields of a hash that grows with the user base, one field read each: NodeBB's Redis module
 * reads a whole hash (HGETALL) for getObjectFields and caches it, which for a map of every user
 * costs its whole size per read after each write. Concurrent single-field reads are pipelined.
 */
export async function readHashFields (db: Db, key: string, fields: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(fields)]
  const values = await Promise.all(unique.map((field) => db.getObjectField(key, field)))
  const out = new Map<string, string>()
  unique.forEach((field, i) => { const v = values[i]; if (v !== null && v !== undefined && v !== '') out.set(field, String(v)) })
  return out
}
