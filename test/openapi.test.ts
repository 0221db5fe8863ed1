// The OpenAPI document: served live, committed once, never drifting from the code.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { OPENAPI_DIR, renderOpenApi } from '../src/openapi.js'
import { shippedCatalog, testApp } from './helpers.js'

t.test('/openapi.json and /openapi.yaml are what openapi/ holds (npm run openapi regenerates them)', async (t) => {
  const app = await testApp(t)
  const json = await app.inject('/openapi.json')
  t.same(json.json(), JSON.parse(readFileSync(join(OPENAPI_DIR, 'openapi.json'), 'utf8')), 'openapi/openapi.json is current')
  const yaml = await app.inject('/openapi.yaml')
  t.match(yaml.headers['content-type'], /yaml/)
  t.equal(yaml.body, readFileSync(join(OPENAPI_DIR, 'openapi.yaml'), 'utf8'), 'openapi/openapi.yaml is current')
})

t.test('the committed spec does not drift from the code, and is valid OpenAPI 3.1', async (t) => {
  const { json, yaml } = await renderOpenApi(shippedCatalog())
  t.equal(readFileSync(join(OPENAPI_DIR, 'openapi.json'), 'utf8'), json, 'openapi/openapi.json: run npm run openapi')
  t.equal(readFileSync(join(OPENAPI_DIR, 'openapi.yaml'), 'utf8'), yaml, 'openapi/openapi.yaml: run npm run openapi')
  const { Validator } = await import('@seriousme/openapi-schema-validator')
  const validator = new Validator()
  const result = await validator.validate(JSON.parse(json))
  t.ok(result.valid, JSON.stringify(result.errors))
  t.equal(validator.version, '3.1')
  const spec = JSON.parse(json) as { paths: Record<string, Record<string, { requestBody?: unknown }>> }
  for (const path of ['/estimate', '/meshes', '/meshes/{id}', '/healthz', '/readyz']) t.ok(spec.paths[path], `documents ${path}`)
})
