// Serialisation of the large answers (estimates, sweeps, batches). Their response schemas document the
// contract in OpenAPI, and test/routes/estimate.test.ts checks answers against them; serialising through
// them with fast-json-stringify measured 1.6 times slower than JSON.stringify on a six-mesh estimate
// (269 against 166 µs in-process): those answers are mostly strings that it escapes character by
// character, and nullable objects that it resolves with a schema check at each one. The engine builds
// exactly the documented shape, so JSON.stringify loses nothing.
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifySerializerCompiler } from 'fastify'
import { lazily } from '../lazy.js'

/** Route option: serialise every answer of the route with JSON.stringify. */
export const plainJson: { serializerCompiler: FastifySerializerCompiler<unknown> } = {
  serializerCompiler: () => (data) => JSON.stringify(data)
}

type SerializerFactory = ReturnType<typeof SerializerSelector>

/**
 * Fastify's own serialiser factory (fast-json-stringify), each route's serialiser compiled on first use
 * (see lazy.ts) rather than at start-up.
 */
export const lazySerializers: SerializerFactory = (externalSchemas, options) => {
  const compileFor = SerializerSelector()(externalSchemas, options)
  return (route) => {
    const serializer = lazily(() => compileFor(route))
    return (data) => serializer()(data)
  }
}
