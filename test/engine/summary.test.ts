// view=summary in the engine: per mesh the totals, capacity, cost (and delta with a baseline), nothing else;
// the notes without the general ones. In-process, on the fixture models (the route is tested over a socket in
// test/routes/estimate.view.test.ts).
import t from 'tap'
import { GENERAL_NOTES } from '../../src/engine/estimate.js'
import { estimate, estimateSummary } from '../../src/engine/answer.js'
import type { EstimateRequest, EstimateResponse, EstimateSummaryResponse, MeshEstimate, MeshSummary } from '../../src/schemas/estimate.js'
import { fixtureModels } from '../helpers.js'

// The reference: view=summary cut from the full answer, field by field. The service computes it without building
// what it cuts (estimateSummary); the tests below hold the two equal.
function meshSummary (e: MeshEstimate): MeshSummary {
  return { mesh: e.mesh, name: e.name, mode: e.mode, version: e.version, totals: e.totals, capacity: e.capacity, cost: e.cost, ...(e.delta === undefined ? {} : { delta: e.delta }) }
}

function summary (answer: EstimateResponse): EstimateSummaryResponse {
  return { view: 'summary', basis: answer.assumptions.basis, estimates: answer.estimates.map(meshSummary), notes: answer.assumptions.notes.slice(GENERAL_NOTES.length) }
}

const models = fixtureModels()
const request: EstimateRequest = { pods: 10, meshes: ['alpha', 'beta'], cluster: { node: { vcpu: 8, memoryGiB: 32, maxPods: 110 } }, pricing: { cpuCoreHour: 0.03, memoryGiBHour: 0.004 } }

t.test('meshSummary keeps the totals, capacity and cost of a mesh, and nothing else', async (t) => {
  const full = estimate(request, models)
  const alpha = full.estimates[0]
  t.ok(alpha !== undefined)
  if (alpha === undefined) return
  const cut = meshSummary(alpha)
  t.same(Object.keys(cut), ['mesh', 'name', 'mode', 'version', 'totals', 'capacity', 'cost'], 'no delta key without a baseline')
  t.equal(cut.mesh, 'alpha')
  t.equal(cut.totals, alpha.totals, 'the same objects, not copies')
  t.equal(cut.capacity, alpha.capacity)
  t.equal(cut.cost, alpha.cost)
  t.same([cut.name, cut.mode, cut.version], [alpha.name, alpha.mode, alpha.version])
})

t.test('with a baseline each mesh keeps its delta', async (t) => {
  const full = estimate({ ...request, baseline: 'alpha' }, models)
  const beta = full.estimates.find((e) => e.mesh === 'beta')
  t.ok(beta?.delta !== undefined, 'the full answer has a delta')
  if (beta === undefined) return
  t.equal(meshSummary(beta).delta, beta.delta)
  t.same(Object.keys(meshSummary(beta)), ['mesh', 'name', 'mode', 'version', 'totals', 'capacity', 'cost', 'delta'])
})

t.test('summary() of a full answer: view, basis, every mesh, the notes without the general ones', async (t) => {
  const full = estimate({ ...request, basis: 'requests' }, models)
  const cut = summary(full)
  t.equal(cut.view, 'summary')
  t.equal(cut.basis, 'requests')
  t.same(cut.estimates.map((e) => e.mesh), ['alpha', 'beta'])
  t.ok(GENERAL_NOTES.length > 0)
  t.same(cut.notes, full.assumptions.notes.slice(GENERAL_NOTES.length))
  t.match(cut.notes.join(' '), /Custom node/, 'the scenario note of the custom node stays')
  for (const note of GENERAL_NOTES) t.notOk(cut.notes.includes(note), 'a general note is left out')
})

t.test('estimateSummary() gives what summary(estimate()) gives, without the sensitivity it would throw away', async (t) => {
  // A consistency guard between the two engine paths (values are checked by hand in estimate.test.ts).
  for (const r of [request, { ...request, basis: 'usage' as const, baseline: 'beta' }, { ...request, pods: 400 }]) {
    t.same(estimateSummary(r, models), summary(estimate(r, models)), JSON.stringify(r))
  }
})
