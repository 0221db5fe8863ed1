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
