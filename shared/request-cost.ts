import { ApiError } from './errors'
import { toBoolean } from './schemas/common'
import { limits, type ForumChildInput, type ForumCreateRequest, type ForumUpdateRequest } from './schemas/forum'

/**
 * What one create or update request asks NodeBB to do, counted from the request alone (no
 * database): the forums it creates, and its grants: every member (user, group, new auto group)
 * holding a level on a forum, after applyToChildren entries are carried down to every forum of the
 * request below the one that gives them, plus every group membership it makes. A member named twice
 * counts twice, so this is an upper bound of the NodeBB writes the request fans out to.
 *
 * The adapter refuses a request over the limits with this before anything reaches NodeBB; the
 * plugin counts again over the real tree (an update's applyToChildren also reaches the forum's
 * existing descendants, which only the plugin knows).
 */
export interface RequestCost {
  forums: number
  grants: number
}

interface Entries {
  groups?: Array<{ permissions?: unknown, applyToChildren?: boolean | 'true' | 'false', members?: string[] }> | undefined
  privileges?: Array<{ applyToChildren?: boolean | 'true' | 'false', users?: string[] | undefined, groups?: string[] | undefined }> | undefined
  children?: ForumChildInput[] | undefined
}

function walk (node: Entries, inherited: number, cost: RequestCost, isNew: boolean): void {
  if (isNew) cost.forums++
  let own = 0
  let passed = 0
  for (const g of node.groups ?? []) {
    // an update entry without permissions changes members only
    if (g.permissions !== undefined) {
      own++
      if (toBoolean(g.applyToChildren)) passed++
    }
    cost.grants += g.members?.length ?? 0
  }
  for (const p of node.privileges ?? []) {
    const members = (p.users?.length ?? 0) + (p.groups?.length ?? 0)
    own += members
    if (toBoolean(p.applyToChildren)) passed += members
  }
  cost.grants += own + inherited
  for (const child of node.children ?? []) walk(child, inherited + passed, cost, true)
}

export function requestCost (request: ForumCreateRequest | ForumUpdateRequest, kind: 'create' | 'update'): RequestCost {
  const cost: RequestCost = { forums: 0, grants: 0 }
  walk(request, 0, cost, kind === 'create')
  return cost
}

/** Refuses a request over the limits, naming the limit; `maxGrants` is the configured grant limit. */
export function checkRequestCost (cost: RequestCost, maxGrants: number): void {
  if (cost.forums > limits.forumsPerRequest) {
    throw new ApiError('INVALID_REQUEST', `The request creates ${cost.forums} forums; one request may create at most ${limits.forumsPerRequest} (limit: forums per request)`, { limit: 'forumsPerRequest', max: limits.forumsPerRequest, requested: cost.forums })
  }
  if (cost.grants > maxGrants) {
    throw new ApiError('INVALID_REQUEST', `The request makes ${cost.grants} member x forum grants and group memberships once applyToChildren is expanded; one request may make at most ${maxGrants} (limit: MAX_GRANTS_PER_REQUEST)`, { limit: 'grantsPerRequest', max: maxGrants, requested: cost.grants })
  }
}
