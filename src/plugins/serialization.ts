// Serialisation of the large answers (estimates, sweeps, batches). Their response schemas document the
// contract in OpenAPI, and test/routes/estimate.test.ts checks answers against them; serialising through
// them with fast-json-stringify measured 1.6 times slower than JSON.stringify on a six-mesh estimate
// (269 against 166 µs in-process): those answers are mostly strings that it escapes character by
// character, and nullable objects that it resolves with a schema check at each one. The engine builds
// exactly the documented shape, so JSON.stringify loses nothing.
//
// Every other response schema is serialised by fast-json-stringify, as Fastify does by default, with the
// serialiser compiled at build time where the build saw the same schema (precompiled.ts).
import fastJsonStringify, { type Options } from 'fast-json-stringify'
import type { FastifySerializerCompiler } from 'fastify'
import { schemaCache, type SchemaCache } from './precompiled.js'

/**
 * Fastify's serializer compiler factory (its schemaController option), given the schemas added with
 * app.addSchema: fast-json-stringify as Fastify's default factory runs it, precompiled where the build had
 * the same schema, shared schemas and options.
 */
export function serializerFactory (cache: SchemaCache = schemaCache) {
  return (externalSchemas?: unknown, serializerOpts?: Options) =>
    ({ schema }: { schema?: unknown }): ((data: unknown) => string) => {
      const $id = (schema as { $id?: string }).$id
      // As @fastify/fast-json-stringify-compiler: a route schema that is itself a shared one is not passed twice.
      const shared = { ...(externalSchemas as Record<string, unknown> | undefined) }
      if ($id !== undefined) delete shared[$id]
      const options: Options = { ...serializerOpts, schema: shared as Options['schema'] }
      return cache.get('serializer', options, schema as object, () => fastJsonStringify(schema as object, options))
    }
}

/** Route option: serialise every answer of the route with JSON.stringify. */
export const plainJson: { serializerCompiler: FastifySerializerCompiler<unknown> } = {
  serializerCompiler: () => (data) => JSON.stringify(data)
}
