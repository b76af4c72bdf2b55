import { ApiError } from '../../shared/errors'
import { GroupName } from '../../shared/schemas/common'
import { literalAddressProblem, loopbackHosts } from '../activity/webhook-address'

/**
 * The ACP settings form (meta.settings hash `sunbird-discussions`): what it holds, its defaults,
 * and the check every save goes through. meta.settings stores strings (checkboxes as 'on'/'off',
 * lists one entry a line), so parsing and validating live here, away from NodeBB.
 */
export interface AcpSettings {
  emailDomain: string
  exemptNewUserRestrictions: boolean
  defaultPublic: boolean
  /** Activity records older than this many days are dropped. */
  activityRetentionDays: number
  /** At most this many activity records are kept. */
  activityRetentionCount: number
  /** https URLs (http to a loopback host) that receive activity webhooks. */
  webhookUrls: string[]
  /** Signs webhook deliveries; empty when none is set. */
  webhookSecret: string
  /** Webhook URLs may resolve to private and link-local addresses (10/8, 172.16/12, 192.168/16, 169.254/16, fc00::/7, fe80::/10). */
  webhookAllowPrivate: boolean
  /** NodeBB groups (beyond a forum tree's own auto groups) that a privilege may name. */
  allowedGroups: string[]
  /** Hosts a notification's `url` may point at, beyond this forum's own paths and host. */
  notificationUrlHosts: string[]
  /** NodeBB categories under which Sunbird's existing portal may create a forum (its `forum/v3/create`). */
  legacyParentCids: number[]
  /** Such forums are private (members only) rather than visible to registered users, the old default. */
  legacyForumsPrivate: boolean
  /** The portal's `forum/v2/remove` deletes the forum and its content, not only its link to the context. */
  legacyRemoveDeletes: boolean
}

export const acpDefaults: AcpSettings = {
  emailDomain: '',
  exemptNewUserRestrictions: true,
  defaultPublic: false,
  activityRetentionDays: 90,
  activityRetentionCount: 10000,
  webhookUrls: [],
  webhookSecret: '',
  webhookAllowPrivate: false,
  allowedGroups: [],
  notificationUrlHosts: [],
  legacyParentCids: [],
  legacyForumsPrivate: false,
  legacyRemoveDeletes: false
}

export const settingsFields = Object.keys(acpDefaults) as Array<keyof AcpSettings>

export const bounds = {
  retentionDays: { min: 1, max: 3650 },
  retentionCount: { min: 100, max: 1_000_000 },
  webhooks: 20,
  allowedGroups: 100,
  notificationUrlHosts: 50,
  legacyParentCids: 100,
  secretMin: 16,
  secretMax: 256
} as const

const hostLabel = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
/** A NodeBB group name as the API accepts one (shared GroupName): no `/` or `:`, no control characters, no edge spaces. */
const groupName = new RegExp(GroupName.pattern as string)

/** A mail domain the synthetic emails can use: two or more DNS labels, no scheme, no `@`. */
export function isMailDomain (value: string): boolean {
  if (value.length > 253) return false
  const labels = value.toLowerCase().split('.')
  return labels.length >= 2 && labels.every((l) => hostLabel.test(l)) && !/^[0-9]+$/.test(labels[labels.length - 1] as string)
}

/** A host name (DNS labels) or an IPv4 address, as a notification URL host. */
export function isHostName (value: string): boolean {
  if (value.length > 253) return false
  const labels = value.toLowerCase().split('.')
  return labels.every((l) => hostLabel.test(l))
}

/**
 * Why a webhook URL is refused, or null when it is fine. https only, except plain http to a
 * loopback host: that traffic never leaves the machine, so TLS would protect nothing.
 */
export function webhookUrlProblem (value: string, allowPrivate = false): string | null {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return `"${value}" is not a URL`
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopbackHosts.has(url.hostname))) return `"${value}" is not an https URL (plain http only to 127.0.0.1 or localhost)`
  if (url.username !== '' || url.password !== '') return `"${value}" must not carry a user name or password (use the webhook secret)`
  if (url.hash !== '') return `"${value}" must not have a #fragment`
  return literalAddressProblem(url, allowPrivate)
}

/** Checkbox values as meta.settings keeps them ('on'/'off'), or as code saves them. */
function flag (value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null || value === '') return fallback
  return value === true || value === 'on' || value === 'true' || value === '1' || value === 1
}

function text (value: unknown): string {
  if (value === undefined || value === null) return ''
  if (Array.isArray(value)) return value.map(String).join('\n')
  return String(value)
}

/** One entry a line (commas and spaces also separate), trimmed, empty lines dropped, duplicates once. */
export function listOf (value: unknown): string[] {
  return [...new Set(text(value).split(/[\s,]+/).map((s) => s.trim()).filter((s) => s !== ''))]
}

/** One entry a line only (group names hold spaces and commas), trimmed, empty lines dropped, duplicates once. */
export function lines (value: unknown): string[] {
  return [...new Set(text(value).split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== ''))]
}

/** A NodeBB category id as the ACP form holds one. */
function isCid (value: string): boolean {
  return /^[1-9][0-9]{0,14}$/.test(value)
}

function integer (value: unknown, fallback: number): number | null {
  const raw = text(value).trim()
  if (raw === '') return fallback
  return /^[0-9]+$/.test(raw) ? Number(raw) : null
}

/** Settings as stored -> typed settings, with defaults; never throws (a bad stored value reads as its default). */
export function parseAcpSettings (raw: Record<string, unknown>): AcpSettings {
  const days = integer(raw.activityRetentionDays, acpDefaults.activityRetentionDays)
  const count = integer(raw.activityRetentionCount, acpDefaults.activityRetentionCount)
  const inRange = (n: number | null, b: { min: number, max: number }, fallback: number): number => n !== null && n >= b.min && n <= b.max ? n : fallback
  const domain = text(raw.emailDomain).trim()
  return {
    emailDomain: isMailDomain(domain) ? domain.toLowerCase() : '',
    exemptNewUserRestrictions: flag(raw.exemptNewUserRestrictions, acpDefaults.exemptNewUserRestrictions),
    defaultPublic: flag(raw.defaultPublic, acpDefaults.defaultPublic),
    activityRetentionDays: inRange(days, bounds.retentionDays, acpDefaults.activityRetentionDays),
    activityRetentionCount: inRange(count, bounds.retentionCount, acpDefaults.activityRetentionCount),
    webhookUrls: listOf(raw.webhookUrls).filter((u) => webhookUrlProblem(u, flag(raw.webhookAllowPrivate, acpDefaults.webhookAllowPrivate)) === null),
    webhookSecret: text(raw.webhookSecret).trim(),
    webhookAllowPrivate: flag(raw.webhookAllowPrivate, acpDefaults.webhookAllowPrivate),
    allowedGroups: lines(raw.allowedGroups).filter((g) => groupName.test(g)),
    notificationUrlHosts: listOf(raw.notificationUrlHosts).map((h) => h.toLowerCase()).filter(isHostName),
    legacyParentCids: listOf(raw.legacyParentCids).filter(isCid).map(Number),
    legacyForumsPrivate: flag(raw.legacyForumsPrivate, acpDefaults.legacyForumsPrivate),
    legacyRemoveDeletes: flag(raw.legacyRemoveDeletes, acpDefaults.legacyRemoveDeletes)
  }
}

/**
 * Checks a save against what is stored and returns the values to store: the given fields only,
 * normalised (as the settings form reads them back), so saving one field (meta.settings.setOne)
 * leaves the others alone. Anything wrong refuses the whole save with one message naming the
 * field: a half-applied save would leave the admin guessing which part stuck.
 */
export function validateSettings (incoming: Record<string, unknown>, current: Record<string, unknown> = {}): Record<string, string> {
  const unknown = Object.keys(incoming).filter((k) => !(settingsFields as string[]).includes(k))
  if (unknown.length > 0) throw invalid(`Unknown setting ${unknown.join(' ')}`)
  const raw = { ...current, ...incoming }

  const domain = text(raw.emailDomain).trim().toLowerCase()
  if (domain !== '' && !isMailDomain(domain)) throw invalid(`Email domain "${domain}" is not a domain name (e.g. learners.example.org)`)

  const days = integer(raw.activityRetentionDays, acpDefaults.activityRetentionDays)
  if (days === null || days < bounds.retentionDays.min || days > bounds.retentionDays.max) {
    throw invalid(`Activity retention (days) must be a whole number from ${bounds.retentionDays.min} to ${bounds.retentionDays.max}`)
  }
  const count = integer(raw.activityRetentionCount, acpDefaults.activityRetentionCount)
  if (count === null || count < bounds.retentionCount.min || count > bounds.retentionCount.max) {
    throw invalid(`Activity retention (records) must be a whole number from ${bounds.retentionCount.min} to ${bounds.retentionCount.max}`)
  }

  const urls = listOf(raw.webhookUrls)
  if (urls.length > bounds.webhooks) throw invalid(`At most ${bounds.webhooks} webhook URLs`)
  const allowPrivate = flag(raw.webhookAllowPrivate, acpDefaults.webhookAllowPrivate)
  for (const url of urls) {
    const problem = webhookUrlProblem(url, allowPrivate)
    if (problem !== null) throw invalid(`Webhook ${problem}`)
  }
  const secret = text(raw.webhookSecret).trim()
  if (secret !== '' && (secret.length < bounds.secretMin || secret.length > bounds.secretMax)) {
    throw invalid(`The webhook secret must be ${bounds.secretMin} to ${bounds.secretMax} characters`)
  }
  if (urls.length > 0 && secret === '') throw invalid('Webhook URLs need a webhook secret (deliveries are signed with it)')

  const groups = lines(raw.allowedGroups)
  if (groups.length > bounds.allowedGroups) throw invalid(`At most ${bounds.allowedGroups} allowed groups`)
  const badGroup = groups.find((g) => !groupName.test(g))
  if (badGroup !== undefined) throw invalid(`Allowed group "${badGroup}" is not a group name (no / or :, no control characters)`)
  const hosts = listOf(raw.notificationUrlHosts).map((h) => h.toLowerCase())
  if (hosts.length > bounds.notificationUrlHosts) throw invalid(`At most ${bounds.notificationUrlHosts} notification URL hosts`)
  const badHost = hosts.find((h) => !isHostName(h))
  if (badHost !== undefined) throw invalid(`Notification URL host "${badHost}" is not a host name (no scheme, port or path)`)

  const parents = listOf(raw.legacyParentCids)
  if (parents.length > bounds.legacyParentCids) throw invalid(`At most ${bounds.legacyParentCids} parent categories for the portal's forums`)
  const badParent = parents.find((c) => !isCid(c))
  if (badParent !== undefined) throw invalid(`Parent category "${badParent}" is not a category id (digits)`)

  const normalised: Record<keyof AcpSettings, string> = {
    emailDomain: domain,
    exemptNewUserRestrictions: flag(raw.exemptNewUserRestrictions, acpDefaults.exemptNewUserRestrictions) ? 'on' : 'off',
    defaultPublic: flag(raw.defaultPublic, acpDefaults.defaultPublic) ? 'on' : 'off',
    activityRetentionDays: String(days),
    activityRetentionCount: String(count),
    webhookUrls: urls.join('\n'),
    webhookSecret: secret,
    webhookAllowPrivate: flag(raw.webhookAllowPrivate, acpDefaults.webhookAllowPrivate) ? 'on' : 'off',
    allowedGroups: groups.join('\n'),
    notificationUrlHosts: hosts.join('\n'),
    legacyParentCids: parents.join('\n'),
    legacyForumsPrivate: flag(raw.legacyForumsPrivate, acpDefaults.legacyForumsPrivate) ? 'on' : 'off',
    legacyRemoveDeletes: flag(raw.legacyRemoveDeletes, acpDefaults.legacyRemoveDeletes) ? 'on' : 'off'
  }
  return Object.fromEntries(settingsFields.filter((k) => k in incoming).map((k) => [k, normalised[k]]))
}

function invalid (message: string): ApiError {
  return new ApiError('INVALID_REQUEST', message)
}

/** What the settings route shows: the secret is never sent back, only whether one is set. */
export function publicSettings (settings: AcpSettings): Omit<AcpSettings, 'webhookSecret'> & { webhookSecretSet: boolean } {
  const { webhookSecret, ...rest } = settings
  return { ...rest, webhookSecretSet: webhookSecret !== '' }
}

/** Where the raw settings live: meta.settings in NodeBB, a map in tests. */
export interface SettingsStore {
  read: () => Promise<Record<string, unknown>>
  write: (values: Record<string, string>) => Promise<void>
}

export function memorySettingsStore (initial: Record<string, unknown> = {}): SettingsStore & { values: Record<string, unknown> } {
  const store = {
    values: { ...initial },
    async read () { return { ...store.values } },
    async write (values: Record<string, string>) { store.values = { ...store.values, ...values } }
  }
  return store
}

/** The settings a save changes (as the rest of the plugin reads them), in form order; values stay out of it (one is a secret). */
export function changedSettings (before: Record<string, unknown>, saved: Record<string, unknown>): Array<keyof AcpSettings> {
  const old = parseAcpSettings(before)
  const now = parseAcpSettings({ ...before, ...saved })
  return settingsFields.filter((k) => JSON.stringify(old[k]) !== JSON.stringify(now[k]))
}
