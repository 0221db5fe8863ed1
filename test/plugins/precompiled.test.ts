// Validators and serialisers compiled at build time (src/plugins/precompiled.ts, precompile.ts): a file
// written from one app's schemas serves a second app without compiling anything, answers exactly as
// compiled-at-start-up functions do over a real socket, and a file older than a schema is never used for it.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import t, { type Test } from 'tap'
import { request } from 'undici'
import { buildApp } from '../../src/app.js'
import { createConfig } from '../../src/config.js'
import { precompiledSource } from '../../src/plugins/precompile.js'
import { loadPrecompiled, PRECOMPILED_FORMAT, SchemaCache, schemaKey, type CompiledSchema, type PrecompiledModule } from '../../src/plugins/precompiled.js'
import { shippedModels } from '../helpers.js'

const NONE: PrecompiledModule = { format: PRECOMPILED_FORMAT, validators: {}, serializers: {} }

async function start (t: Test, schemas: SchemaCache, log?: Writable) {
  const config = createConfig({}, { logLevel: 'warn', overloadMaxEventLoopDelayMs: 0, overloadMaxHeapUsedMiB: 0 })
  const app = await buildApp(config, { logger: log === undefined ? false : { level: 'warn', stream: log }, models: shippedModels(), schemas })
  t.teardown(() => app.close())
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return url
}

// Every schema the app compiles, written as the build writes it.
const built = new SchemaCache(NONE)
await buildApp(createConfig({}, { logLevel: 'silent', overloadMaxHeapUsedMiB: 0 }), { logger: false, models: shippedModels(), schemas: built }).then(async (app) => { await app.ready(); await app.close() })
const dir = t.testdir({})
const FILE = join(dir, 'schemas.cjs')
writeFileSync(FILE, precompiledSource(built.seen))

const kinds = (cache: SchemaCache) => [...cache.seen.values()].map((s) => s.kind)

t.test('the file holds a function for every schema the app compiles, and an app from it compiles nothing', async (t) => {
  t.ok(kinds(built).filter((k) => k === 'validator').length >= 5, 'the request validators')
  t.ok(kinds(built).filter((k) => k === 'serializer').length >= 5, 'the response serialisers')
  t.equal(built.compiledHere.size, built.seen.size, 'with no file, everything was compiled in-process')
  const loaded = loadPrecompiled(FILE)
  t.equal(Object.keys(loaded.validators).length + Object.keys(loaded.serializers).length, built.seen.size)

  const precompiled = new SchemaCache(loaded)
  await start(t, precompiled)
  t.equal(precompiled.compiledHere.size, 0, 'nothing compiled at start-up')
  t.same([...precompiled.seen.keys()].sort(), [...built.seen.keys()].sort())
})

t.test('precompiled validators and serialisers answer byte for byte as those compiled at start-up', async (t) => {
  const fresh = await start(t, new SchemaCache(NONE))
  const precompiled = new SchemaCache(loadPrecompiled(FILE))
  const stored = await start(t, precompiled)
  t.equal(precompiled.compiledHere.size, 0)
  const json = { 'content-type': 'application/json', 'x-request-id': 'same-id' }
  const calls: Array<[string, string, string?]> = [
    ['POST', '/estimate', '{"pods":-1,"meshes":["istio","nope"],"extra":true}'], // body: three field errors
    ['POST', '/estimate', '{"pods":"100"}'], // a body is not coerced
    ['GET', '/estimate?pods=abc&view=tiny'], // query: coerced, then rejected
    ['GET', '/estimate?pods=100&meshes=linkerd&view=summary'],
    ['POST', '/estimate/batch', '{"scenarios":[{"pods":10},{"pods":0}]}'],
    ['POST', '/recommend', '{"requirements":{"mtls":true},"workload":{"pods":10}}'],
    ['POST', '/recommend', '{"requirements":{"mtls":"yes"}}'],
    ['GET', '/validation'],
    ['GET', '/cluster'],
    ['GET', '/meshes'],
    ['GET', '/meshes/istio'],
    ['GET', '/meshes/nope'],
    ['GET', '/features'],
    ['GET', '/node-types'],
    ['GET', '/pricing'],
    ['GET', '/readyz'],
    ['GET', '/healthz']
  ]
  for (const [method, path, body] of calls) {
    const answers = await Promise.all([fresh, stored].map(async (url) => {
      const res = await request(`${url}${path}`, { method: method as 'GET' | 'POST', headers: json, ...(body === undefined ? {} : { body }) })
      return { status: res.statusCode, type: res.headers['content-type'], body: await res.body.text() }
    }))
    t.same(answers[1], answers[0], `${method} ${path} ${body ?? ''}`)
  }
  const invalid = await request(`${stored}/estimate`, { method: 'POST', headers: json, body: '{"pods":-1,"extra":true}' })
  t.equal(invalid.statusCode, 400)
  const problem = await invalid.body.json() as { errors: Array<{ pointer: string }> }
  t.same(problem.errors.map((e) => e.pointer).sort(), ['/extra', '/pods'], 'the problem document names each field')
})

t.test('a file older than a schema is not used for it: that schema is compiled at start-up, with a warning', async (t) => {
  // The build saw an older EstimateRequest, with pods at most 5. Filed under the old schema's key, its
  // validator cannot be found for today's schema.
  const stale = new Map<string, CompiledSchema>()
  let changed = 0
  for (const [key, entry] of built.seen) {
    const pods = (entry.schema as { properties?: { pods?: { maximum?: number } } }).properties?.pods
    if (entry.kind === 'validator' && pods?.maximum !== undefined && (entry.options as { coerceTypes: unknown }).coerceTypes === false) {
      const schema = structuredClone(entry.schema) as { properties: { pods: { maximum: number } } }
      schema.properties.pods.maximum = 5
      stale.set(schemaKey('validator', entry.options, schema), { ...entry, schema })
      changed++
    } else {
      stale.set(key, entry)
    }
  }
  t.ok(changed >= 1, 'the estimate request body (and every body with pods) made stale')
  const staleFile = join(dir, 'stale.cjs')
  writeFileSync(staleFile, precompiledSource(stale))

  const chunks: string[] = []
  const log = new Writable({ write (chunk: Buffer, _encoding, done) { chunks.push(chunk.toString()); done() } })
  const schemas = new SchemaCache(loadPrecompiled(staleFile))
  const url = await start(t, schemas, log)
  t.equal(schemas.compiledHere.size, changed, 'exactly the changed schemas were compiled at start-up')

  const res = await request(`${url}/estimate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"pods":100,"meshes":["istio"]}' })
  t.equal(res.statusCode, 200, 'validated by today\'s schema, not by the build\'s (which allowed 5 pods at most)')
  await res.body.dump()
  const warning = chunks.map((c) => JSON.parse(c) as Record<string, unknown>).find((l) => /schemas compiled at start-up/.test(String(l.msg)))
  t.match(warning, { level: 40, schemas: changed }, 'a warning says the build is older than the schemas')
})

t.test('no file is no precompiled function; a file of another format is ignored; a broken file stops the app', async (t) => {
  t.same(loadPrecompiled(join(dir, 'absent.cjs')), NONE)
  const other = join(dir, 'other-format.cjs')
  writeFileSync(other, `module.exports = { format: ${PRECOMPILED_FORMAT + 1}, validators: { x: () => true }, serializers: {} }`)
  t.same(loadPrecompiled(other), NONE)
  const broken = join(dir, 'broken.cjs')
  writeFileSync(broken, 'module.exports = {')
  t.throws(() => loadPrecompiled(broken), SyntaxError)
})

t.test('the key covers the compiler\'s options and every part of the schema', async (t) => {
  const schema = { type: 'object', properties: { pods: { type: 'integer', maximum: 10 } } }
  const key = schemaKey('validator', { coerceTypes: false }, schema)
  t.not(schemaKey('validator', { coerceTypes: 'array' }, schema), key, 'options')
  t.not(schemaKey('validator', { coerceTypes: false }, { ...schema, properties: { pods: { type: 'integer', maximum: 11 } } }), key, 'a nested keyword')
  t.not(schemaKey('serializer', { coerceTypes: false }, schema), key, 'the kind')
  t.equal(schemaKey('validator', { coerceTypes: false }, structuredClone(schema)), key, 'a copy of the same schema')
})
