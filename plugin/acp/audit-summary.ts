import { levelRank, type Level } from '../../shared/permission-ladder'
import type { AuditTrail, ChangedMember, ForumFacts, RawChange } from '../audit-trail'
import type { AuditEntry, AuditForum, ChangeFact, ForumSpan, LevelVerb, Names } from './audit-entry'
import type { AcpSettings } from './settings'

/**
 * From what a call changed to what the log keeps and shows, both pure:
 * - factsOf: a trail (uids, cids) and the names known when it happened -> a bounded list of facts
 *   ("mentor-a: none -> moderate on forums 831, 832, 833, 834" becomes one fact, however many
 *   forums or members it spans), so one large request makes one small entry;
 * - summaryOf: an entry's facts -> phrases, translation keys with arguments, which the ACP renders
 *   through NodeBB's translator ("gave mentor-a moderate on Course X and 3 sub-forums").
 */

/** A user as the log names them. */
export interface UserLabel {
  username: string | null
  sunbirdId: string | null
}

export interface Labels {
  users: Map<number, UserLabel>
  forums: Map<number, ForumFacts>
}

/** Facts kept per entry, names kept per fact, forum ids kept per entry. */
export const factBounds = { facts: 20, names: 5, forumIds: 200 } as const

export interface EntryFacts {
  facts: ChangeFact[]
  more: number
  forum: AuditForum | null
  forumIds: string[]
}

export function userName (uid: number, labels: Labels): string {
  const label = labels.users.get(uid)
  return label?.username ?? label?.sunbirdId ?? `#${uid}`
}

function forumOf (cid: number, labels: Labels): AuditForum {
  const facts = labels.forums.get(cid)
  return { id: String(cid), name: facts?.name ?? null, context: facts?.context ?? null }
}

function names (list: string[]): Names {
  return { names: list.slice(0, factBounds.names), count: list.length }
}

function verbOf (from: Level | null, to: Level | null, repair: boolean): LevelVerb {
  if (to === null) return 'removed'
  if (repair) return 'restored'
  if (from === null) return 'gave'
  const diff = levelRank(to) - levelRank(from)
  return diff > 0 ? 'raised' : diff < 0 ? 'lowered' : 'restored'
}

/** Level facts read best grouped by what happened (the planner orders them by forum and by NodeBB call). */
const verbOrder: LevelVerb[] = ['gave', 'raised', 'lowered', 'restored', 'removed']

/** The forums a change reached, the call's own forum first when it is among them. */
function spanOf (cids: number[], root: number | null, labels: Labels): ForumSpan {
  const sub = root !== null && cids.includes(root)
  const first = sub ? root : cids[0] as number
  return { forum: forumOf(first, labels), others: cids.length - 1, sub }
}

const memberKey = (m: ChangedMember): string => 'uid' in m ? `u:${m.uid}` : `g:${m.group}`

/** Level changes: per member the forums where the same change happened, then members with the same change on the same forums. */
function levelFacts (changes: Array<Extract<RawChange, { kind: 'level' }>>, root: number | null, labels: Labels): ChangeFact[] {
  const perMember = new Map<string, { member: ChangedMember, verb: LevelVerb, from: Level | null, to: Level | null, cids: number[] }>()
  for (const c of changes) {
    const verb = verbOf(c.from, c.to, c.repair === true)
    const key = `${memberKey(c.member)}|${verb}|${c.from ?? ''}|${c.to ?? ''}`
    const entry = perMember.get(key)
    if (entry === undefined) perMember.set(key, { member: c.member, verb, from: c.from, to: c.to, cids: [c.cid] })
    else entry.cids.push(c.cid)
  }
  const perChange = new Map<string, { group: boolean, verb: LevelVerb, from: Level | null, to: Level | null, cids: number[], members: string[] }>()
  for (const m of perMember.values()) {
    const group = 'group' in m.member
    const key = `${group ? 'g' : 'u'}|${m.verb}|${m.from ?? ''}|${m.to ?? ''}|${m.cids.join(',')}`
    const label = 'uid' in m.member ? userName(m.member.uid, labels) : m.member.group
    const entry = perChange.get(key)
    if (entry === undefined) perChange.set(key, { group, verb: m.verb, from: m.from, to: m.to, cids: m.cids, members: [label] })
    else entry.members.push(label)
  }
  return [...perChange.values()].sort((a, b) => verbOrder.indexOf(a.verb) - verbOrder.indexOf(b.verb)).map((c) => ({
    type: 'level',
    verb: c.verb,
    from: c.from,
    to: c.to,
    group: c.group,
    members: names(c.members),
    on: spanOf(c.cids, root, labels)
  }))
}

/** A trail -> the facts the log keeps, named with the labels known now. */
export function factsOf (trail: AuditTrail, labels: Labels): EntryFacts {
  const { root, changes } = trail
  const first: ChangeFact[] = []
  const rest: ChangeFact[] = []
  const created = changes.filter((c): c is Extract<RawChange, { kind: 'forumCreated' }> => c.kind === 'forumCreated')
  const rootCreated = created.some((c) => c.cid === root)
  const children = created.filter((c) => c.cid !== root)
  if (rootCreated && root !== null) first.push({ type: 'created', forum: forumOf(root, labels), subForums: children.length })
  else if (children.length > 0 && root !== null) first.push({ type: 'children', parent: forumOf(root, labels), children: names(children.map((c) => labels.forums.get(c.cid)?.name ?? `#${c.cid}`)) })
  const levels: Array<Extract<RawChange, { kind: 'level' }>> = []
  for (const c of changes) {
    switch (c.kind) {
      case 'renamed': first.push({ type: 'renamed', forum: forumOf(c.cid, labels), from: c.from, to: c.to }); break
      case 'forumDeleted': first.push({ type: 'deleted', forum: forumOf(c.cid, labels), subForums: c.subForums, groups: c.groups }); break
      case 'settings': for (const field of c.fields) first.push({ type: 'settings', field }); break
      case 'userCreated': first.push({ type: 'user', username: labels.users.get(c.uid)?.username ?? null, identifier: c.identifier }); break
      case 'notified': first.push({ type: 'notified', forum: c.cid === null ? null : forumOf(c.cid, labels), recipients: c.recipients, delivered: c.delivered }); break
      case 'level': levels.push(c); break
      case 'groupMembers':
        if (c.added.length > 0) rest.push({ type: 'members', verb: 'added', group: c.group, members: names(c.added.map((uid) => userName(uid, labels))) })
        if (c.removed.length > 0) rest.push({ type: 'members', verb: 'removed', group: c.group, members: names(c.removed.map((uid) => userName(uid, labels))) })
        break
      default: break
    }
  }
  const facts = [...first, ...levelFacts(levels, root, labels), ...rest]
  // the forums the call is about or changed (a delete changed every forum of its tree), not every forum it read
  const touched = new Set<number>(root === null ? [] : [root])
  for (const c of changes) {
    if (c.kind === 'forumDeleted') for (const cid of trail.forums.keys()) touched.add(cid)
    if ('cid' in c && c.cid !== null) touched.add(c.cid)
  }
  return {
    facts: facts.slice(0, factBounds.facts),
    more: Math.max(0, facts.length - factBounds.facts),
    forum: root === null ? null : forumOf(root, labels),
    forumIds: [...touched].slice(0, factBounds.forumIds).map(String)
  }
}

// ---- phrases

/** A translation key of the plugin's language file with its arguments: text, numbers, or phrases of their own. */
export interface Phrase {
  key: string
  args: PhraseArg[]
}
export type PhraseArg = string | number | Phrase

/** The language key of each settings field's label (the form's own labels). */
export const settingLabels: Record<keyof AcpSettings, string> = {
  emailDomain: 'email-domain',
  exemptNewUserRestrictions: 'exempt-new-users',
  defaultPublic: 'default-public',
  activityRetentionDays: 'retention-days',
  activityRetentionCount: 'retention-count',
  webhookUrls: 'webhook-urls',
  webhookSecret: 'webhook-secret',
  webhookAllowPrivate: 'webhook-allow-private',
  allowedGroups: 'allowed-groups',
  notificationUrlHosts: 'notification-url-hosts',
  legacyParentCids: 'legacy-parents',
  legacyForumsPrivate: 'legacy-private',
  legacyRemoveDeletes: 'legacy-remove-deletes'
}

const phrase = (key: string, ...args: PhraseArg[]): Phrase => ({ key, args })
const level = (l: Level | null): Phrase => phrase(l === null ? 'summary.no-level' : `level.${l}`)
const forumName = (f: AuditForum): string => f.name ?? `#${f.id}`
const contextText = (f: AuditForum): string => f.context === null ? '' : `${f.context.type}:${f.context.identifier}`

function namesArg (n: Names, group = false): PhraseArg {
  const first = n.names[0] ?? ''
  const one: PhraseArg = group ? phrase('summary.group', first) : first
  return n.count > 1 ? phrase('summary.and-others', one, n.count - 1) : one
}

function spanArg (span: ForumSpan): PhraseArg {
  if (span.others === 0) return forumName(span.forum)
  return phrase(span.sub ? 'summary.and-sub-forums' : 'summary.and-other-forums', forumName(span.forum), span.others)
}

function factPhrase (f: ChangeFact): Phrase {
  switch (f.type) {
    case 'level': {
      const who = namesArg(f.members, f.group)
      switch (f.verb) {
        case 'gave': return phrase('summary.gave', who, level(f.to), spanArg(f.on))
        case 'removed': return phrase('summary.removed', who, spanArg(f.on))
        case 'restored': return phrase('summary.restored', who, level(f.to), spanArg(f.on))
        default: return phrase(`summary.${f.verb}`, who, level(f.from), level(f.to), spanArg(f.on))
      }
    }
    case 'created': return f.subForums > 0
      ? phrase('summary.created-with', forumName(f.forum), contextText(f.forum), f.subForums)
      : phrase('summary.created', forumName(f.forum), contextText(f.forum))
    case 'children': return phrase('summary.children', namesArg(f.children), forumName(f.parent))
    case 'renamed': return phrase('summary.renamed', f.from, f.to)
    case 'deleted': return phrase('summary.deleted', forumName(f.forum), contextText(f.forum), f.subForums, f.groups)
    case 'members': return phrase(`summary.members-${f.verb}`, namesArg(f.members), f.group)
    case 'notified': return f.forum === null
      ? phrase('summary.notified-users', f.delivered, f.recipients)
      : phrase('summary.notified-forum', f.delivered, f.recipients, forumName(f.forum))
    case 'settings': return phrase('summary.setting', phrase(settingLabels[f.field as keyof AcpSettings] ?? 'summary.unknown-setting'))
    case 'user': return phrase('summary.user-created', f.username ?? f.identifier, f.identifier)
  }
}

/** What an entry says in words, one phrase per fact. */
export function summaryOf (entry: Pick<AuditEntry, 'outcome' | 'facts' | 'more' | 'undescribed'>): Phrase[] {
  if (entry.outcome !== 'ok') return [phrase('summary.refused')]
  if (entry.undescribed === true) return [phrase('summary.undescribed')]
  if (entry.facts.length === 0) return [phrase('summary.no-change')]
  const out = entry.facts.map(factPhrase)
  if (entry.more > 0) out.push(phrase('summary.more', entry.more))
  return out
}
