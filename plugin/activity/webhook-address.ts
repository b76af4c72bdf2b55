import { BlockList, isIP } from 'node:net'
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns'

/**
 * Where webhook deliveries may go. A subscriber URL must not lead NodeBB into the networks it can
 * reach but its administrators did not mean to expose (cloud metadata at 169.254.169.254, private
 * services): private, link-local and loopback addresses are refused unless an administrator allows
 * private ones. Checked on the URL's host at save, and on every address the host resolves to at
 * every delivery (the connection goes to the address that was checked, so a DNS answer that
 * changes between check and connect cannot slip through). Plain http to a loopback host named as
 * such (127.0.0.1, localhost, [::1]) stays allowed: a relay on the NodeBB host itself.
 */
const privateRanges = new BlockList()
privateRanges.addSubnet('0.0.0.0', 8, 'ipv4')
privateRanges.addSubnet('10.0.0.0', 8, 'ipv4')
privateRanges.addSubnet('100.64.0.0', 10, 'ipv4')
privateRanges.addSubnet('127.0.0.0', 8, 'ipv4')
privateRanges.addSubnet('169.254.0.0', 16, 'ipv4')
privateRanges.addSubnet('172.16.0.0', 12, 'ipv4')
privateRanges.addSubnet('192.168.0.0', 16, 'ipv4')
privateRanges.addAddress('::', 'ipv6')
privateRanges.addAddress('::1', 'ipv6')
privateRanges.addSubnet('fc00::', 7, 'ipv6')
privateRanges.addSubnet('fe80::', 10, 'ipv6')

/** Loopback hosts as a URL names them. */
export const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** A private, link-local, loopback or unspecified address (IPv4-mapped IPv6 read as IPv4). */
export function isPrivateAddress (address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped !== null) return privateRanges.check(mapped[1] as string, 'ipv4')
  const family = isIP(address)
  if (family === 0) return false
  return privateRanges.check(address, family === 4 ? 'ipv4' : 'ipv6')
}

/** Why a URL's host itself (an address literal) is refused, or null. Host names are checked when resolved. */
export function literalAddressProblem (url: URL, allowPrivate: boolean): string | null {
  if (allowPrivate || loopbackHosts.has(url.hostname)) return null
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (isIP(host) !== 0 && isPrivateAddress(host)) return `"${url.href}" points at a private or link-local address (allow private addresses in the settings to use it)`
  return null
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void
type Resolver = (hostname: string, options: LookupOptions, callback: LookupCallback) => void

/**
 * A `lookup` for the delivery connection (net.connect's option): resolves as usual, then refuses
 * the connection if any address is private and private addresses are not allowed.
 */
export function guardedLookup (allowPrivate: () => boolean, resolve: Resolver = dnsLookup as unknown as Resolver) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname, options, (err, address, family) => {
      if (err !== null) { callback(err, address, family); return }
      const addresses = typeof address === 'string' ? [address] : address.map((a) => a.address)
      const bare = hostname.replace(/^\[|\]$/g, '')
      if (!allowPrivate() && !loopbackHosts.has(hostname) && bare !== '::1' && addresses.some(isPrivateAddress)) {
        const refused: NodeJS.ErrnoException = new Error(`${hostname} resolves to a private or link-local address; webhook deliveries there are not allowed`)
        refused.code = 'ESUNBIRDPRIVATE'
        callback(refused, address, family)
        return
      }
      callback(null, address, family)
    })
  }
}
