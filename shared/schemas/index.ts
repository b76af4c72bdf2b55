export * from './common'
export * from './user'
export * from './forum'
