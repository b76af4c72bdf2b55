/**
 * The one error catalogue shared by the adapter and the plugin. Codes are stable API: Sunbird
 * services branch on `params.err`, so a code is never renamed, only added.
 */

/** Sunbird's `responseCode` values, the one list of them. */
export const responseCodes = ['OK', 'CLIENT_ERROR', 'RESOURCE_NOT_FOUND', 'SERVER_ERROR'] as const
export type ResponseCode = typeof responseCodes[number]

export interface CatalogueEntry {
  readonly status: number
  readonly responseCode: Exclude<ResponseCode, 'OK'>
  readonly message: string
}

export const errorCatalogue = {
  INVALID_REQUEST: { status: 400, responseCode: 'CLIENT_ERROR', message: 'The request is not valid' },
  UNAUTHORIZED: { status: 401, responseCode: 'CLIENT_ERROR', message: 'Authentication is required or the credentials are invalid' },
  FORBIDDEN: { status: 403, responseCode: 'CLIENT_ERROR', message: 'You are not allowed to do this' },
  NOT_FOUND: { status: 404, responseCode: 'RESOURCE_NOT_FOUND', message: 'No such route' },
  USER_NOT_FOUND: { status: 404, responseCode: 'RESOURCE_NOT_FOUND', message: 'User not found' },
  FORUM_NOT_FOUND: { status: 404, responseCode: 'RESOURCE_NOT_FOUND', message: 'Forum not found' },
  GROUP_NOT_FOUND: { status: 404, responseCode: 'RESOURCE_NOT_FOUND', message: 'Group not found' },
  PARENT_NOT_FOUND: { status: 404, responseCode: 'RESOURCE_NOT_FOUND', message: 'Parent forum not found' },
  METHOD_NOT_ALLOWED: { status: 405, responseCode: 'CLIENT_ERROR', message: 'Method not allowed on this route' },
  USER_EXISTS: { status: 409, responseCode: 'CLIENT_ERROR', message: 'A user with this identifier already exists' },
  USERNAME_TAKEN: { status: 409, responseCode: 'CLIENT_ERROR', message: 'This username is already taken' },
  CONFLICT: { status: 409, responseCode: 'CLIENT_ERROR', message: 'The request conflicts with an earlier one' },
  IN_PROGRESS: { status: 409, responseCode: 'CLIENT_ERROR', message: 'A request with this msgid is still running; retry with the same msgid in a moment' },
  PAYLOAD_TOO_LARGE: { status: 413, responseCode: 'CLIENT_ERROR', message: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, responseCode: 'CLIENT_ERROR', message: 'The request body must be application/json' },
  RATE_LIMITED: { status: 429, responseCode: 'CLIENT_ERROR', message: 'Too many requests' },
  INTERNAL_ERROR: { status: 500, responseCode: 'SERVER_ERROR', message: 'Internal error' },
  UPSTREAM_UNAVAILABLE: { status: 503, responseCode: 'SERVER_ERROR', message: 'The forum service is unavailable' },
  OUTCOME_UNKNOWN: { status: 503, responseCode: 'SERVER_ERROR', message: 'The write may or may not have been made; retry with the same msgid to learn its outcome' }
} as const satisfies Record<string, CatalogueEntry>

export type ErrorCode = keyof typeof errorCatalogue

export const errorCodes = Object.keys(errorCatalogue) as ErrorCode[]

export function isErrorCode (value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCatalogue, value)
}

/** An error with a catalogue code; the one kind of error code throws on purpose. */
export class ApiError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly responseCode: CatalogueEntry['responseCode']
  /** Extra, safe-to-show detail for the client (e.g. the ids that failed). */
  readonly details: Record<string, unknown> | undefined

  constructor (code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    const entry = errorCatalogue[code]
    super(message ?? entry.message)
    this.name = 'ApiError'
    this.code = code
    this.status = entry.status
    this.responseCode = entry.responseCode
    this.details = details
  }
}

export function isApiError (err: unknown): err is ApiError {
  return err instanceof ApiError
}
