import { existsSync } from 'node:fs'
import { runInside, type InsideOptions } from './inside'
import { parseMarker, type Marker } from './redis-db'

/**
 * A PostgreSQL database of the instance's own, named `sbnb_<instance id>` and marked as this tool's
 * by its comment (the same marker as a Redis index's). An existing database of that name is
 * dropped only when its comment is this tool's marker for this instance, or for a checkout that is
 * gone; any other is refused.
 */
export type PgDecision = 'create' | 'recreate' | { refuse: string }

export function decide (database: string, existing: { comment: string | null } | null, instance: string, checkoutExists: (path: string) => boolean = existsSync): PgDecision {
  if (existing === null) return 'create'
  const marker = parseMarker(existing.comment)
  if (marker !== null && (marker.instance === instance || !checkoutExists(marker.checkout))) return 'recreate'
  return { refuse: `PostgreSQL database ${database} exists and is not this instance's (${marker === null ? 'no sunbird-nodebb marker' : `instance ${marker.instance} of ${marker.checkout}`}); left alone` }
}

const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`
/** Names come from postgresDatabase() ([a-z0-9_]); quoting them is belt and braces. */
const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`

async function sql (serverUrl: string, statements: Array<{ text: string, values?: unknown[] }>, options: InsideOptions): Promise<unknown[][]> {
  // the server's maintenance database: CREATE and DROP DATABASE cannot run inside the database itself
  const url = new URL(serverUrl)
  url.pathname = '/postgres'
  return await runInside<unknown[][]>('postgres-sql.cjs', { url: url.toString(), statements: statements.map((s) => ({ text: s.text, values: s.values ?? [] })) }, options)
}

async function existing (serverUrl: string, database: string, options: InsideOptions): Promise<{ comment: string | null } | null> {
  const [rows] = await sql(serverUrl, [{ text: 'SELECT shobj_description(oid, \'pg_database\') AS comment FROM pg_database WHERE datname = $1', values: [database] }], options)
  const row = rows?.[0] as { comment: string | null } | undefined
  return row === undefined ? null : { comment: row.comment }
}

export async function claimDatabase (serverUrl: string, database: string, marker: Marker, options: InsideOptions): Promise<void> {
  const decision = decide(database, await existing(serverUrl, database, options), marker.instance)
  if (typeof decision === 'object') throw new Error(decision.refuse)
  const statements = [
    ...(decision === 'recreate' ? [{ text: `DROP DATABASE IF EXISTS ${ident(database)} WITH (FORCE)` }] : []),
    { text: `CREATE DATABASE ${ident(database)}` },
    { text: `COMMENT ON DATABASE ${ident(database)} IS ${literal(JSON.stringify(marker))}` }
  ]
  await sql(serverUrl, statements, options)
}

export async function releaseDatabase (serverUrl: string, database: string, instance: string, options: InsideOptions): Promise<void> {
  const found = await existing(serverUrl, database, options)
  if (found === null) return
  if (parseMarker(found.comment)?.instance !== instance) throw new Error(`PostgreSQL database ${database} is not marked as instance ${instance}'s; left alone`)
  await sql(serverUrl, [{ text: `DROP DATABASE ${ident(database)} WITH (FORCE)` }], options)
}
