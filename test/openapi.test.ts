// The OpenAPI document: served live, committed once, never drifting from the code.
import { readdirSync, readFileSync } from 'node:fs'
import t from 'tap'
import { parse as parseYaml } from 'yaml'
import { OPENAPI_DIR, OPENAPI_FILE, renderOpenApi } from '../src/openapi.js'
import { shippedModels, testApp } from './helpers.js'

t.test('/openapi.json and /openapi.yaml both serve the one committed document (npm run generate regenerates it)', async (t) => {
  const app = await testApp(t)
  const committed = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as unknown
  const json = await app.inject('/openapi.json')
  t.same(json.json(), committed, 'openapi/openapi.json is current')
  const yaml = await app.inject('/openapi.yaml')
  t.equal(yaml.statusCode, 200)
  t.match(yaml.headers['content-type'], /yaml/)
  t.same(parseYaml(yaml.body), committed, 'the YAML is the same document')
  t.same(readdirSync(OPENAPI_DIR), ['openapi.json'], 'openapi/ holds one generated file')
})

t.test('the committed spec does not drift from the code, and is valid OpenAPI 3.1', async (t) => {
  const json = await renderOpenApi(shippedModels())
  t.equal(readFileSync(OPENAPI_FILE, 'utf8'), json, 'openapi/openapi.json: run npm run generate')
  const { Validator } = await import('@seriousme/openapi-schema-validator')
  const validator = new Validator()
  const result = await validator.validate(JSON.parse(json))
  t.ok(result.valid, JSON.stringify(result.errors))
  t.equal(validator.version, '3.1')
  const spec = JSON.parse(json) as { paths: Record<string, Record<string, { requestBody?: unknown }>> }
  for (const path of ['/estimate', '/meshes', '/meshes/{id}', '/healthz', '/readyz']) t.ok(spec.paths[path], `documents ${path}`)
})

t.test('each named type is written once, in components.schemas, and every $ref resolves', async (t) => {
  const spec = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as { paths: unknown, components: { schemas: Record<string, unknown> } }
  const refs: string[] = []
  const inlined: string[] = []
  const walk = (value: unknown, inComponents: boolean): void => {
    if (Array.isArray(value)) { value.forEach((v) => walk(v, inComponents)); return }
    if (value === null || typeof value !== 'object') return
    const o = value as Record<string, unknown>
    if (typeof o.$ref === 'string') refs.push(o.$ref)
    if (!inComponents && typeof o.title === 'string' && ('type' in o || 'properties' in o)) inlined.push(o.title)
    for (const child of Object.values(o)) walk(child, inComponents)
  }
  walk(spec.paths, false)
  for (const schema of Object.values(spec.components.schemas)) for (const child of Object.values(schema as object)) walk(child, true)
  t.same(inlined, [], 'no titled schema is inlined in a path')
  const missing = refs.filter((r) => !r.startsWith('#/components/schemas/') || spec.components.schemas[r.slice('#/components/schemas/'.length)] === undefined)
  t.same([...new Set(missing)], [], 'every $ref names a component')
  for (const name of ['EstimateRequest', 'EstimateResponse', 'MeshEstimate', 'Capacity', 'Range', 'Problem']) t.ok(spec.components.schemas[name], `${name} is a component`)
})

t.test('hoisting: a use keeps its own annotations beside the $ref; two different schemas of one title are refused', async (t) => {
  const { hoistTitledSchemas } = await import('../src/plugins/openapi-components.js')
  const range = (description: string) => ({ type: 'object', title: 'Range', description, properties: { low: { type: 'number' } } })
  const doc: Record<string, unknown> = hoistTitledSchemas({ paths: { a: range('CPU'), b: range('memory') } })
  t.same(doc.paths, { a: { $ref: '#/components/schemas/Range' }, b: { $ref: '#/components/schemas/Range', description: 'memory' } })
  t.same((doc.components as { schemas: Record<string, unknown> }).schemas.Range, range('CPU'), 'the first use is the component')
  t.throws(() => hoistTitledSchemas({ paths: { a: range('x'), b: { ...range('x'), properties: { high: { type: 'number' } } } } }), /two different schemas titled Range/)
})
