// docs/models.md's "How to add a mesh", walked with a toy mesh in a copy of models/: a model file named by its
// id, then the generate step that fits it (scripts/fit.ts, the first step of npm run generate), then the service.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { PACKAGE_ROOT } from '../../src/config.js'
import { loadModels } from '../../src/models/load.js'
import type { EstimateResponse } from '../../src/schemas/estimate.js'
import { testApp } from '../helpers.js'

const fit = (modelsDir: string, ...args: string[]) =>
  spawnSync(process.execPath, [...process.execArgv, join(PACKAGE_ROOT, 'scripts', 'fit.ts'), '--models', modelsDir, ...args], { cwd: PACKAGE_ROOT, encoding: 'utf8' })

t.test('a new mesh is one model file, then npm run generate: served, fitted on its engine\'s evidence', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'meshcost-add-a-mesh-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const models = join(dir, 'models')
  cpSync(join(PACKAGE_ROOT, 'models'), models, { recursive: true })

  // Step 1-4: the model file. The toy is Kuma under another id: an Envoy sidecar mesh, so the fit gives it Envoy's
  // coefficients, and its estimates must be Kuma's, figure for figure.
  const kuma = readFileSync(join(models, 'meshes', 'kuma.yaml'), 'utf8')
  writeFileSync(join(models, 'meshes', 'toymesh.yaml'), kuma.replace(/^id: kuma$/m, 'id: toymesh').replace(/^name: Kuma$/m, 'name: Toy mesh'))

  // Before the generate step the fitted file is missing, and the check says so, naming the command.
  const stale = fit(models, '--check')
  t.equal(stale.status, 1, 'the fit check fails before npm run generate')
  t.match(stale.stderr, 'models/fitted/toymesh.yaml is stale: run npm run generate')

  // Step 5: npm run generate's fit.
  const run = fit(models)
  t.equal(run.status, 0, run.stderr)
  t.ok(existsSync(join(models, 'fitted', 'toymesh.yaml')), 'models/fitted/toymesh.yaml written')
  t.equal(fit(models, '--check').status, 0, 'and the check passes')
  t.equal(readFileSync(join(models, 'fitted', 'toymesh.yaml'), 'utf8').replace(/toymesh/g, 'kuma'), readFileSync(join(PACKAGE_ROOT, 'models', 'fitted', 'kuma.yaml'), 'utf8'),
    'the same coefficients as Kuma\'s, fitted on the same Envoy evidence')

  // Step 6: the service loads it and answers for it.
  const app = await testApp(t, loadModels(models))
  const meshes = (await app.inject('/meshes')).json<{ meshes: Array<{ id: string }> }>()
  t.ok(meshes.meshes.some((m) => m.id === 'toymesh'), 'GET /meshes lists it')
  const body = (await app.inject({ method: 'POST', url: '/estimate', payload: { pods: 200, meshes: ['toymesh', 'kuma'] } })).json<EstimateResponse>()
  const [toy, real] = body.estimates
  t.same([toy?.totals, toy?.cost, toy?.capacity], [real?.totals, real?.cost, real?.capacity], 'its estimate is Kuma\'s')
})
