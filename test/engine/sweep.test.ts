// Sweeps, in-process: the x values (linear and log), the limits a sweep is checked against, the plan, and the
// points (each the estimate of the scenario at that x). Expected values worked out by hand in the comments.
import t, { type Test } from 'tap'
import type { SweepRequest } from '../../src/schemas/integration.js'
import { DomainError } from '../../src/errors.js'
import { estimate } from '../../src/engine/answer.js'
import { checkSweep, planSweep, sweepValues } from '../../src/engine/sweep.js'
import { shippedModels } from '../helpers.js'
import { pointOfEstimate, sweep } from '../sweep-point.js'

t.test('x values: linear and log, ends included, integers rounded and deduplicated', async (t) => {
  t.same(sweepValues(10, 100, 4, 'linear', true), [10, 40, 70, 100]) // step (100 - 10) / 3 = 30
  t.same(sweepValues(10, 10000, 4, 'log', true), [10, 100, 1000, 10000]) // ratio (10000 / 10)^(1/3) = 10
  t.same(sweepValues(1, 3, 10, 'linear', true), [1, 2, 3], 'repeated integers dropped')
  t.same(sweepValues(0, 1, 3, 'linear', false), [0, 0.5, 1])
  t.same(sweepValues(0, 1, 4, 'linear', false), [0, 0.333333333, 0.666666667, 1], '1/3 and 2/3 at 9 digits')
  t.same(sweepValues(1, 100, 3, 'log', false), [1, 10, 100], 'sqrt(100) = 10 in the middle')
  t.same(sweepValues(2, 3, 2, 'linear', true), [2, 3])
  t.same(sweepValues(1, 2, 5, 'linear', true), [1, 2], '1, 1.25, 1.5, 1.75, 2 round to 1, 1, 2, 2, 2')
})

const base = (over: Partial<SweepRequest>): SweepRequest => ({ scenario: { pods: 100 }, vary: 'pods', from: 10, to: 100, steps: 3, ...over }) as SweepRequest
const problems = (t: Test, request: SweepRequest, limits?: { steps: number, points: number }) => {
  const err = t.throws(() => checkSweep(request, limits)) as unknown as DomainError
  t.ok(err instanceof DomainError)
  t.equal(err.status, 400)
  t.equal(err.type, 'invalid-request')
  return err.errors
}

t.test('checkSweep: every limit, at and beyond its bound', async (t) => {
  t.same(problems(t, base({ steps: 10_001 })), [{ pointer: '/steps', detail: 'must be <= 10000 for a JSON answer; streamed answers (format=ndjson or csv) take up to 1000000' }])
  t.doesNotThrow(() => checkSweep(base({ steps: 10_000 })), '10,000 steps is the JSON limit')
  t.same(problems(t, base({ steps: 1_000_001 }), { steps: 1_000_000, points: 1_000_000 }), [{ pointer: '/steps', detail: 'must be <= 1000000' }])
  t.doesNotThrow(() => checkSweep(base({ steps: 1_000_000 }), { steps: 1_000_000, points: 1_000_000 }))
  t.same(problems(t, base({ from: 0 })), [{ pointer: '/from', detail: 'must be >= 1 when varying pods' }])
  t.doesNotThrow(() => checkSweep(base({ from: 1 })))
  t.doesNotThrow(() => checkSweep(base({ vary: 'requestsPerSecondPerPod', from: 0, to: 5 })), 'no integer minimum for a rate')
  t.same(problems(t, base({ vary: 'requestsPerSecondPerPod', from: 0, to: 5, scale: 'log' })), [{ pointer: '/from', detail: 'must be > 0 on a log scale' }])
  t.doesNotThrow(() => checkSweep(base({ vary: 'requestsPerSecondPerPod', from: 0.5, to: 5, scale: 'log' })))
  t.same(problems(t, base({ to: 1_000_001 })), [{ pointer: '/to', detail: 'must be <= 1000000, the limit of pods in POST /estimate' }])
  t.doesNotThrow(() => checkSweep(base({ to: 1_000_000 })))
  t.same(problems(t, base({ vary: 'nodes', from: 1, to: 100_001 })), [{ pointer: '/to', detail: 'must be <= 100000, the limit of nodes in POST /estimate' }])
  t.same(problems(t, base({ from: 50, to: 50 })), [{ pointer: '/to', detail: 'must be greater than from' }])
  t.same(problems(t, base({ from: 50, to: 40 })), [{ pointer: '/to', detail: 'must be greater than from' }])
  const all = t.throws(() => checkSweep(base({ from: 0, to: 0, steps: 20_000, scale: 'log' }))) as unknown as DomainError
  t.same(all.errors.map((e) => e.pointer), ['/steps', '/from', '/from', '/to'], 'every problem, not the first')
  t.equal(all.message, 'The sweep is not valid: /steps must be <= 10000 for a JSON answer; streamed answers (format=ndjson or csv) take up to 1000000; /from must be >= 1 when varying pods; /from must be > 0 on a log scale; /to must be greater than from')
})

t.test('planSweep: points after deduplication, the scenario at both ends, the plan', async (t) => {
  const models = shippedModels() // six meshes
  // pods 1 to 2 in 5 steps: 5 x 6 = 30 asked, but the values are 1 and 2 only: 2 x 6 = 12 points
  t.doesNotThrow(() => planSweep(base({ from: 1, to: 2, steps: 5 }), models, { steps: 100, points: 12 }), '12 points fit a limit of 12')
  const err = t.throws(() => planSweep(base({ from: 1, to: 2, steps: 5 }), models, { steps: 100, points: 11 })) as unknown as DomainError
  t.same(err.errors, [{ pointer: '/steps', detail: 'steps x meshes must be <= 11 (here 2 x 6)' }])
  t.equal(err.status, 400)
  const two = t.throws(() => planSweep(base({ from: 1, to: 3, steps: 3, scenario: { pods: 100, meshes: ['istio', 'linkerd'] } }), models, { steps: 100, points: 5 })) as unknown as DomainError
  t.same(two.errors, [{ pointer: '/steps', detail: 'steps x meshes must be <= 5 (here 3 x 2)' }], 'the meshes asked for, not all the models\'')
  t.doesNotThrow(() => planSweep(base({ from: 1, to: 3, steps: 3 }), models, { steps: 100, points: 18 }), '3 x 6 = 18')

  const plan = planSweep(base({ scenario: { pods: 100, meshes: ['linkerd', 'istio'], basis: 'requests' } }), models)
  t.same(plan, { vary: 'pods', scale: 'linear', basis: 'requests', currency: 'USD', meshes: [{ mesh: 'linkerd', name: 'Linkerd' }, { mesh: 'istio', name: 'Istio (sidecar mode)' }] })
  t.equal(planSweep(base({ scale: 'log' }), models).scale, 'log')

  const bad = t.throws(() => planSweep(base({ scenario: { pods: 100, cluster: { nodeType: 'aws/nope' } } as SweepRequest['scenario'], from: 10.4 }), models)) as unknown as DomainError
  t.equal(bad.errors[0]?.pointer, '/scenario/cluster/nodeType', 'a scenario error points into the sweep body')
  t.match(bad.errors[0]?.detail, / \(at pods = 10\)$/, 'at the first x, rounded as pods are')
  t.equal(bad.status, 422)
})

t.test('sweep: each point is the estimate of the scenario at that x', async (t) => {
  const models = shippedModels()
  const request = base({ scenario: { pods: 100, meshes: ['linkerd', 'istio'] }, vary: 'pods', from: 100, to: 900, steps: 3 })
  const s = sweep(request, models)
  t.same([s.vary, s.scale, s.basis, s.currency], ['pods', 'linear', 'max', 'USD'])
  t.same(s.series.map((x) => x.mesh), ['linkerd', 'istio'])
  t.same(s.series.map((x) => x.name), ['Linkerd', 'Istio (sidecar mode)'])
  for (const series of s.series) {
    t.same(series.points.map((p) => p.x), [100, 500, 900], 'x from 100 to 900 in steps of 400')
    for (const p of series.points) {
      const e = estimate({ pods: p.x, meshes: [series.mesh] }, models).estimates[0]
      if (e === undefined) throw new Error('no estimate')
      t.same(p, pointOfEstimate(p.x, e), `${series.mesh} at ${p.x} pods`)
    }
  }
  t.ok((s.series[0]?.points[2]?.cpuCores ?? 0) > (s.series[0]?.points[0]?.cpuCores ?? 0), 'more pods, more overhead')
  // every varied field lands where POST /estimate reads it
  const at = (vary: SweepRequest['vary'], from: number, to: number, scenario: SweepRequest['scenario']) =>
    sweep(base({ scenario: { ...scenario, meshes: ['istio'] }, vary, from, to, steps: 2 }), models).series[0]?.points.at(-1)
  const same = (sweepPoint: unknown, request: SweepRequest['scenario'], what: string) =>
    t.equal((sweepPoint as { monthlyCost: number }).monthlyCost, estimate({ ...request, meshes: ['istio'] }, models).estimates[0]?.cost.monthly.expected, what)
  same(at('requestsPerSecondPerPod', 1, 500, { pods: 100 }), { pods: 100, traffic: { requestsPerSecondPerPod: 500 } }, 'rate')
  same(at('services', 1, 80, { pods: 100 }), { pods: 100, workload: { services: 80 } }, 'services')
  same(at('nodes', 1, 40, { pods: 100 }), { pods: 100, cluster: { nodes: 40 } }, 'nodes')
  t.not(at('requestsPerSecondPerPod', 1, 500, { pods: 100 })?.cpuCores, at('requestsPerSecondPerPod', 1, 2, { pods: 100 })?.cpuCores, 'the rate changes the answer')
  const bad = t.throws(() => sweep(base({ scenario: { pods: 100, cluster: { nodeType: 'aws/nope' } } as SweepRequest['scenario'] }), models)) as unknown as DomainError
  t.match(bad.errors[0]?.detail, / \(at pods = 10\)$/)
})
