/**
 * How paths are matched (find-my-way's options): by the app's router, and by the envelope's own
 * router that tells a wrong method (405) from an unknown path (404), which must agree with it.
 */
export const routerOptions = { ignoreTrailingSlash: true, maxParamLength: 200 } as const
