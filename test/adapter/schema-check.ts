import { FormatRegistry, type TSchema } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { referencedSchemas } from '../../shared/schemas'

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (value) => uuid.test(value))

/** A checker for a published schema: null when the value matches, else the first mismatch. */
export function schemaCheck (schema: TSchema): (value: unknown) => string | null {
  const compiled = TypeCompiler.Compile(schema, referencedSchemas)
  return (value) => {
    const first = compiled.Errors(value).First()
    return first === undefined ? null : `${first.path}: ${first.message}`
  }
}
