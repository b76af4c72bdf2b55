import { parse } from 'qs'

/**
 * The passthrough's query string, read as NodeBB reads it.
 *
 * NodeBB parses query strings with `qs` (src/webserver.js: `qs.parse(str, { arrayLimit })`) and,
 * for a master token, acts as `body._uid || req.query._uid`. `qs` turns `[_uid]`, `%5B_uid%5D`,
 * `_u%69d`, `[_uid][]` and more into the key `_uid`, and releases disagree on some spellings (qs
 * 6.15.1, in NodeBB 4.11.2, reads `[[_uid]=1` as `{ '[': { _uid } }`; 6.15.3 and later as the key
 * `[[_uid]`). So the check does not trust one parser's reading: a `_uid` is found wherever any
 * `qs` release could make one (see `uidInQuery`), and the request is refused. The acting uid then
 * goes first (no parameter limit can push it out), and the outgoing query is read back once more
 * to make sure NodeBB will see exactly that uid.
 */
export const nodebbQueryOptions = { arrayLimit: 50 } as const

/** One `%XX` escape of an ASCII character, decoded as `qs` decodes keys (once; `+` is a space). */
function decodeAscii (key: string): string {
  return key.replace(/\+/g, ' ').replace(/%([0-7][0-9a-f])/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
}

/**
 * The first key of the caller's query in which NodeBB could find a `_uid` at any depth (e.g.
 * `%5B_uid%5D`), as sent, or null. A superset of every `qs` reading: each `&`-separated part's key (up to its `=`, or up to a
 * `]=` as qs also allows) is decoded, and every run between `[`, `]` and `=` is a key qs could
 * make; one that is `_uid` (any case, spaces ignored) refuses the part. A key that qs would not
 * decode (a bad escape elsewhere in it) is still decoded here: that can only refuse more.
 */
export function uidInQuery (raw: string): string | null {
  for (const part of raw.split('&')) {
    const closing = part.indexOf(']=')
    const equals = part.indexOf('=')
    const end = closing >= 0 ? closing + 1 : equals >= 0 ? equals : part.length
    const key = decodeAscii(part.slice(0, end))
    if (key.split(/[[\]=]/).some((run) => run.trim().toLowerCase() === '_uid')) return part.slice(0, end)
  }
  return null
}

/** A query string that travels as it came: printable ASCII, no fragment (NodeBB's HTTP parser refuses the rest). */
export function isPlainQuery (raw: string): boolean {
  return /^[\x21-\x22\x24-\x7e]*$/.test(raw)
}

/** The query NodeBB gets: the acting uid first, then the caller's query as sent. */
export function queryAs (raw: string, uid: number): string {
  const query = raw === '' ? `_uid=${uid}` : `_uid=${uid}&${raw}`
  const seen = parse(query, nodebbQueryOptions)._uid
  if (seen !== String(uid)) throw new Error(`the outgoing query would act as ${JSON.stringify(seen)}, not uid ${uid}`)
  return query
}
