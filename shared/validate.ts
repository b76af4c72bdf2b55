import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import type { Static, TSchema } from '@sinclair/typebox'
import { ApiError } from './errors'
import { referencedSchemas } from './schemas/forum'

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>()

/**
 * Checks a value against a shared schema (INVALID_REQUEST naming the first problem). The plugin
 * checks every body with it, against the same schemas the adapter uses: its routes are
 * reachable by anyone holding a master token or an admin session, not only through the adapter.
 */
export function validate<T extends TSchema> (schema: T, value: unknown, where: string): Static<T> {
  let check = compiled.get(schema)
  if (check === undefined) {
    check = TypeCompiler.Compile(schema, referencedSchemas)
    compiled.set(schema, check)
  }
  if (check.Check(value)) return value as Static<T>
  const first = check.Errors(value).First()
  const path = first === undefined ? '' : first.path.replaceAll('/', '.')
  throw new ApiError('INVALID_REQUEST', `${where}${path} ${first?.message ?? 'is not valid'}`.slice(0, 300))
}
