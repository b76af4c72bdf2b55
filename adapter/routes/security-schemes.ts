/**
 * The OpenAPI `security` of every /api route: a trusted service (SERVICE_CONSUMERS) may send the API
 * token alone; every other consumer sends both tokens.
 */
export const callerSecurity: Array<Record<string, string[]>> = [{ apiToken: [] }, { apiToken: [], userToken: [] }]
