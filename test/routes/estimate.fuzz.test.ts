// Hostile input: thousands of bodies generated from the OpenAPI schema of POST /estimate (valid, mutated,
// truncated, wrong types, huge numbers, deep nesting, long strings, unicode, __proto__ and constructor keys).
// Every answer is a 2xx or a 4xx problem document, never a 5xx, and the server still serves afterwards.
// Fixed seed, printed; FUZZ_SEED=<n> replays another, FUZZ_CASES=<n> runs longer.
import fc from 'fast-check'
import t from 'tap'
import { request } from 'undici'
import { buildApp } from '../../src/app.js'
import { createConfig } from '../../src/config.js'
import { shippedModels } from '../helpers.js'

const SEED = Number(process.env.FUZZ_SEED ?? 7_007)
const CASES = Number(process.env.FUZZ_CASES ?? 2000)
t.comment(`fuzz seed ${SEED}, ${CASES} generated bodies (FUZZ_SEED / FUZZ_CASES to change)`)

interface Schema {
  type?: string | string[]
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  minItems?: number
  maxItems?: number
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  pattern?: string
  maxLength?: number
  enum?: unknown[]
  const?: unknown
  anyOf?: Schema[]
  oneOf?: Schema[]
}

const models = shippedModels()
/** Ids the models know, by field name: a random string matching a pattern is almost never a known mesh or node. */
const KNOWN: Record<string, string[]> = {
  meshes: [...models.meshes.keys()],
  baseline: ['none', ...models.meshes.keys()],
  nodeType: [...models.nodeTypes.keys()],
  region: [...new Set([...models.nodeTypes.values()].flatMap(({ nodeType }) => nodeType.prices.map((p) => p.region)))],
  networkMode: [...new Set([...models.nodeCatalogs.values()].flatMap((c) => c.networkModes.map((m) => m.id)))],
  book: [...models.priceBooks.keys()],
  currency: ['USD', 'EUR']
}

/** Values the schema accepts (mostly: patterns and bounds are honoured, cross-field rules are not). */
function fromSchema (schema: Schema, depth = 0, name = ''): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const)
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum)
  const union = schema.anyOf ?? schema.oneOf
  if (union !== undefined) return fc.oneof(...union.map((s) => fromSchema(s, depth, name)))
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'object': {
      const properties = schema.properties ?? {}
      const shape = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, fromSchema(s, depth + 1, k)]))
      const required = schema.required ?? []
      const optional = Object.keys(properties).filter((k) => !required.includes(k))
      // A few optional fields at a time, as clients send them: every field at once mostly contradicts itself (422).
      return fc.subarray(optional, { maxLength: Math.min(3, optional.length) }).chain((chosen) =>
        fc.record(Object.fromEntries([...required, ...chosen].map((k) => [k, shape[k] as fc.Arbitrary<unknown>]))))
    }
    case 'array':
      return fc.uniqueArray(fromSchema(schema.items ?? {}, depth + 1, name), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 5, 5) })
    case 'integer': {
      const min = schema.minimum ?? (schema.exclusiveMinimum === undefined ? -1e6 : schema.exclusiveMinimum + 1)
      const max = schema.maximum ?? 1e6
      // Small values price quickly and most scenarios are small; the bounds themselves are tried too.
      return fc.oneof(fc.integer({ min, max: Math.min(max, min + 1000) }), fc.constantFrom(min, max), fc.integer({ min, max }))
    }
    case 'number': {
      const min = schema.minimum ?? schema.exclusiveMinimum ?? -1e6
      const max = schema.maximum ?? 1e6
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true, minExcluded: schema.exclusiveMinimum !== undefined })
        .filter((x) => !Object.is(x, -0))
    }
    case 'string':
      if (KNOWN[name] !== undefined && schema.pattern !== undefined) {
        return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KNOWN[name]) }, { weight: 1, arbitrary: fc.stringMatching(new RegExp(schema.pattern)) })
      }
      return schema.pattern === undefined
        ? fc.string({ maxLength: schema.maxLength ?? 20 })
        : fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= (schema.maxLength ?? 64))
    case 'boolean':
      return fc.boolean()
    default:
      return fc.jsonValue({ maxDepth: 2 })
  }
}

const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf']

/** Any JSON value, with the hostile ones over-represented. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(0, -1, -0.5, 1.5, 2 ** 53 + 1, -(2 ** 53), 1e308, -1e308, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE, 1e-308),
  fc.constantFrom('', ' ', '100', 'NaN', 'Infinity', 'null', 'true', '<script>alert(1)</script>', '../../etc/passwd', '%00', '\u0000', '\ud800', '𝔪𝔢𝔰𝔥', '‮istio', 'ИСТИО'),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.string({ minLength: 1000, maxLength: 5000 }),
  fc.constantFrom(null, true, false, [], {}, [null], { __proto__: null }),
  fc.dictionary(fc.constantFrom(...DANGEROUS_KEYS, 'pods', 'x'), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 })
)

type Json = unknown
const isObject = (v: Json): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Paths to every value inside a document. */
function paths (value: Json, at: string[] = []): string[][] {
  const here = [at]
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => paths(v, [...at, String(i)]))]
  if (isObject(value)) return [...here, ...Object.keys(value).flatMap((k) => paths(value[k], [...at, k]))]
  return here
}

/** A copy with the value at path replaced (or, for the root, the whole value). Keys are set as own data properties. */
function replaceAt (value: Json, path: string[], next: Json): Json {
  if (path.length === 0) return next
  const [head, ...rest] = path as [string, ...string[]]
  if (Array.isArray(value)) return value.map((v, i) => (String(i) === head ? replaceAt(v, rest, next) : v))
  if (isObject(value)) {
    const copy: Record<string, Json> = {}
    for (const k of Object.keys(value)) Object.defineProperty(copy, k, { value: k === head ? replaceAt(value[k], rest, next) : value[k], enumerable: true, writable: true, configurable: true })
    return copy
  }
  return value
}

/** Adds a key (possibly __proto__) as an own property, so that JSON.stringify writes it. */
function withKey (value: Json, path: string[], key: string, next: Json): Json {
  const target = path.reduce<Json>((v, k) => (isObject(v) || Array.isArray(v) ? (v as Record<string, Json>)[k] : undefined), value)
  if (!isObject(target)) return value
  const copy: Record<string, Json> = { ...target }
  Object.defineProperty(copy, key, { value: next, enumerable: true, writable: true, configurable: true })
  return replaceAt(value, path, copy)
}

interface Case { kind: string, body: string, contentType: string }

function cases (valid: fc.Arbitrary<Json>): fc.Arbitrary<Case> {
  const json = (kind: string) => (v: Json): Case => ({ kind, body: JSON.stringify(v) ?? 'null', contentType: 'application/json' })
  const mutated = fc.tuple(valid, fc.nat(), hostileValue).map(([v, i, next]) => {
    const all = paths(v)
    return replaceAt(v, all[i % all.length] as string[], next)
  })
  const extraKey = fc.tuple(valid, fc.nat(), fc.oneof(fc.constantFrom(...DANGEROUS_KEYS), fc.string({ maxLength: 10 })), hostileValue).map(([v, i, key, next]) => {
    const objects = paths(v).filter((p) => isObject(p.reduce<Json>((o, k) => (o as Record<string, Json>)[k], v)))
    return withKey(v, objects[i % objects.length] as string[], key, next)
  })
  const truncated = fc.tuple(valid, fc.nat()).map(([v, i]): Case => {
    const text = JSON.stringify(v)
    return { kind: 'truncated', body: text.slice(0, i % Math.max(1, text.length)), contentType: 'application/json' }
  })
  const deep = fc.tuple(fc.integer({ min: 50, max: 20_000 }), fc.constantFrom('[', '{"a":'), fc.boolean()).map(([depth, open, closed]): Case => {
    const close = open === '[' ? ']' : '}'
    return { kind: 'deep nesting', body: `{"pods":1,"cluster":${open.repeat(depth)}1${closed ? close.repeat(depth) : ''}}`, contentType: 'application/json' }
  })
  const long = fc.tuple(fc.integer({ min: 1_000, max: 60_000 }), fc.constantFrom('meshes', 'nodeType', 'key', 'number')).map(([n, where]): Case => {
    const s = 'x'.repeat(n)
    const body = where === 'meshes' ? { pods: 1, meshes: [s] } : where === 'nodeType' ? { pods: 1, cluster: { nodeType: `aws/${s}` } } : where === 'key' ? { pods: 1, [s]: 1 } : null
    return { kind: 'long string', body: body === null ? `{"pods":1${'0'.repeat(n)}}` : JSON.stringify(body), contentType: 'application/json' }
  })
  const rawNumbers = fc.constantFrom('1e400', '-1e400', '1e-400', '100000000000000000000000000000', '0.0000000000000000000000001', '1.0', '-0', '0x10', 'NaN', 'Infinity', '01', '1_000', '+1', '.5').map((n): Case =>
    ({ kind: 'raw number', body: `{"pods":${n},"traffic":{"requestsPerSecondPerPod":${n}}}`, contentType: 'application/json' }))
  const garbage = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 200 }), fc.constantFrom('', ' ', 'null', '[]', '""', '{', '}', '{"pods":1,}', "{'pods':1}", '{"pods":1}{"pods":2}', '\ufeff{"pods":1}', '{"pods":1}\u0000'))
    .map((body): Case => ({ kind: 'garbage', body, contentType: 'application/json' }))
  const contentTypes = fc.tuple(valid, fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=latin1', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/problem+json', 'application/jsonx', '', 'application/json, text/plain'))
    .map(([v, contentType]): Case => ({ kind: 'content type', body: JSON.stringify(v), contentType }))
  return fc.oneof(
    { weight: 4, arbitrary: valid.map(json('valid')) },
    { weight: 5, arbitrary: mutated.map(json('mutated')) },
    { weight: 3, arbitrary: extraKey.map(json('extra key')) },
    { weight: 2, arbitrary: truncated },
    { weight: 1, arbitrary: deep },
    { weight: 1, arbitrary: long },
    { weight: 1, arbitrary: rawNumbers },
    { weight: 2, arbitrary: garbage },
    { weight: 1, arbitrary: contentTypes }
  )
}

async function fuzzApp (t: { teardown: (fn: () => unknown) => void }) {
  // Rate limiting off: one client sending thousands of bodies is the point here (plugins/security.test.ts tests the limiter).
  const app = await buildApp(createConfig({}, { logLevel: 'silent', rateLimitMax: 0, overloadMaxEventLoopDelayMs: 0, overloadMaxHeapUsedMiB: 0 }), { logger: false, models: shippedModels() })
  t.teardown(() => app.close())
  await app.ready()
  return app
}

type OpenApi = { paths: Record<string, { post: { requestBody: { content: { 'application/json': { schema: Schema } } } } }> }
/** The POST /estimate body schema, as the service publishes it. */
function bodySchema (app: { swagger: () => unknown }): Schema | undefined {
  const doc = app.swagger() as OpenApi & { components?: { schemas?: Record<string, Json> } }
  const components = doc.components?.schemas ?? {}
  // The document names each type once (components.schemas) and refers to it: the generator needs it written out.
  const inline = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(inline)
    if (!isObject(value)) return value
    const { $ref, ...rest } = value
    const named = typeof $ref === 'string' ? components[$ref.replace('#/components/schemas/', '')] : undefined
    const merged = isObject(named) ? { ...named, ...rest } : value
    return Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, inline(v)]))
  }
  const schema = doc.paths['/estimate']?.post.requestBody.content['application/json'].schema
  return schema === undefined ? undefined : inline(schema) as Schema
}

t.test(`${CASES} generated bodies: 2xx or a 4xx problem document, never a 5xx`, async (t) => {
  const app = await fuzzApp(t)
  const schema = bodySchema(app)
  t.ok(schema, 'the OpenAPI document describes the POST /estimate body')
  const sample = fc.sample(cases(fromSchema(schema as Schema)), { seed: SEED, numRuns: CASES })

  const tally = new Map<string, Map<number, number>>()
  const failures: string[] = []
  for (const c of sample) {
    const res = await app.inject({ method: 'POST', url: '/estimate', payload: c.body, headers: c.contentType === '' ? {} : { 'content-type': c.contentType } })
    const counts = tally.get(c.kind) ?? new Map<number, number>()
    counts.set(res.statusCode, (counts.get(res.statusCode) ?? 0) + 1)
    tally.set(c.kind, counts)
    const problem = (): string | undefined => {
      if (res.statusCode >= 500) return `${res.statusCode}`
      if (res.statusCode >= 200 && res.statusCode < 300) {
        const body = res.json() as { estimates?: unknown[] }
        return Array.isArray(body.estimates) ? undefined : 'a 2xx without estimates'
      }
      if (res.statusCode < 400) return `unexpected ${res.statusCode}`
      if (!/^application\/problem\+json/.test(String(res.headers['content-type']))) return `a ${res.statusCode} that is not problem+json`
      const body = res.json() as { status?: number, title?: string, type?: string, detail?: string }
      if (body.status !== res.statusCode || typeof body.title !== 'string' || typeof body.type !== 'string' || typeof body.detail !== 'string') return 'not a problem document'
      if (/at .*\.(ts|js):\d+/.test(res.body)) return 'a stack trace'
      return undefined
    }
    const why = problem()
    if (why !== undefined && failures.length < 10) failures.push(`${c.kind}: ${why} for ${c.contentType} ${JSON.stringify(c.body.slice(0, 300))}: ${res.body.slice(0, 300)}`)
  }
  t.same(failures, [], 'every body answered by a 2xx or a 4xx problem document')
  const summary = [...tally].map(([kind, counts]) => `${kind}: ${[...counts].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(' ')}`)
  t.comment(summary.join('\n'))
  const valid = tally.get('valid')
  t.ok((valid?.get(200) ?? 0) > 0, 'schema-valid bodies are priced (200), not all refused')

  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched')
  t.equal((await app.inject({ method: 'POST', url: '/estimate', payload: { pods: 10 } })).statusCode, 200, 'still serving')
})

t.test('hostile bodies over a real socket, then the server still serves', async (t) => {
  const app = await fuzzApp(t)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const sample = fc.sample(cases(fromSchema(bodySchema(app) as Schema)), { seed: SEED + 1, numRuns: 300 })
  let fivexx = 0
  for (const c of sample) {
    const res = await request(`${address}/estimate`, { method: 'POST', body: c.body, headers: c.contentType === '' ? {} : { 'content-type': c.contentType } })
    if (res.statusCode >= 500) fivexx++
    await res.body.dump()
  }
  t.equal(fivexx, 0, 'no 5xx over HTTP')
  const ok = await request(`${address}/estimate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"pods":5}' })
  t.equal(ok.statusCode, 200, 'still serving')
  await ok.body.dump()
  const health = await request(`${address}/healthz`)
  t.equal(health.statusCode, 200)
  await health.body.dump()
})
