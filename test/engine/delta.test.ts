// Baseline deltas, in-process: one side of a delta from an estimate, the change between two sides, and which
// estimate stands for the baseline. Hand-made estimates; every expected figure is worked out in the comments.
import t from 'tap'
import type { Models } from '../../src/models/load.js'
import type { MeshModel } from '../../src/models/schema.js'
import type { DeltaSide } from '../../src/schemas/delta.js'
import type { MeshEstimate } from '../../src/schemas/estimate.js'
import { deltaOf, sideOf, withBaseline } from '../../src/engine/delta.js'
import { DomainError } from '../../src/errors.js'

const est = (mesh: string, cpu: number, mem: number, monthly: number, additional: number | null = 12.5): MeshEstimate => ({
  mesh,
  totals: { cpuCores: { low: 0, expected: cpu, high: 9 }, memoryGiB: { low: 0, expected: mem, high: 9 }, sidecars: 40, extraPods: 3 },
  capacity: { nodesWithoutMesh: 17, nodesWithMesh: 19, additionalNodes: 2 },
  cost: { currency: 'EUR', monthly: { low: 0, expected: monthly, high: 999 }, additionalNodesMonthly: additional }
}) as unknown as MeshEstimate

t.test('sideOf: the expected figures of an estimate, or the no-mesh side', async (t) => {
  const e = est('a', 1.5, 2.25, 100.1)
  t.same(sideOf(e), { cpuCores: 1.5, memoryGiB: 2.25, sidecars: 40, extraPods: 3, nodes: 19, monthlyCost: 100.1, additionalNodesMonthly: 12.5 })
  // without the mesh: nothing of the mesh, the nodes the workload needs alone
  t.same(sideOf(e, true), { cpuCores: 0, memoryGiB: 0, sidecars: 0, extraPods: 0, nodes: 17, monthlyCost: 0, additionalNodesMonthly: 0 })
  t.same(sideOf(est('a', 1, 1, 1, null), true).additionalNodesMonthly, null, 'no node price, no price on either side')
  t.same(sideOf(est('a', 1, 1, 1, null)).additionalNodesMonthly, null)
})

t.test('deltaOf: after minus before, rounded (6 digits for resources, 2 for money), never -0', async (t) => {
  const before: DeltaSide = { cpuCores: 0.1, memoryGiB: 0, sidecars: 10, extraPods: 3, nodes: 17, monthlyCost: 100.1, additionalNodesMonthly: 50 }
  const after: DeltaSide = { cpuCores: 0.3, memoryGiB: 1.2345678, sidecars: 0, extraPods: 6, nodes: 18, monthlyCost: 110.226, additionalNodesMonthly: 75.254 }
  const d = deltaOf('istio', before, after, 'EUR')
  t.equal(d.baseline, 'istio')
  t.equal(d.currency, 'EUR')
  t.equal(d.before, before)
  t.equal(d.after, after)
  t.same(d.change, {
    cpuCores: 0.2, // 0.3 - 0.1 = 0.19999999999999998 in floating point, 0.2 at 6 digits
    memoryGiB: 1.234568, // 1.2345678 at 6 digits
    sidecars: -10, // 0 - 10
    extraPods: 3, // 6 - 3
    nodes: 1, // 18 - 17
    monthlyCost: 10.13, // 110.226 - 100.1 = 10.126, 10.13 at 2 digits
    additionalNodesMonthly: 25.25 // 75.254 - 50 = 25.254, 25.25 at 2 digits
  })
  const same = deltaOf('none', { ...before, cpuCores: 0.5, monthlyCost: 3 }, { ...before, cpuCores: 0.5, monthlyCost: 3 }, 'USD').change
  t.ok(Object.is(same.cpuCores, 0) && Object.is(same.monthlyCost, 0) && Object.is(same.memoryGiB, 0), '0, not -0')
  t.ok(Object.is(same.additionalNodesMonthly, 0), '0, not -0')
  // a small negative change that rounds to zero: -0.000000001 at 6 digits is -0, shown as 0
  const tiny = deltaOf('none', { ...before, cpuCores: 1.000000001, monthlyCost: 1.001, additionalNodesMonthly: 2.001 }, { ...before, cpuCores: 1, monthlyCost: 1, additionalNodesMonthly: 2 }, 'USD').change
  t.ok(Object.is(tiny.cpuCores, 0) && Object.is(tiny.monthlyCost, 0) && Object.is(tiny.additionalNodesMonthly, 0), 'rounded -0 is 0')
  t.equal(deltaOf('none', { ...before, additionalNodesMonthly: null }, after, 'USD').change.additionalNodesMonthly, null, 'no price before')
  t.equal(deltaOf('none', before, { ...after, additionalNodesMonthly: null }, 'USD').change.additionalNodesMonthly, null, 'no price after')
})

t.test('withBaseline: which estimate is the baseline', async (t) => {
  const meshes = new Map([['a', { id: 'a' }], ['b', { id: 'b' }], ['c', { id: 'c' }]]) as unknown as Models['meshes']
  const models = { meshes } as unknown as Models
  const a = est('a', 1, 2, 30)
  const b = est('b', 2, 3, 50)
  const called: string[] = []
  const estimateMesh = (m: MeshModel): MeshEstimate => { called.push(m.id); return est(m.id, 4, 4, 80) }
  const list = [a, b]
  t.equal(withBaseline(undefined, list, models, estimateMesh), list, 'no baseline: the same estimates, no delta')
  t.notOk(list.some((e) => 'delta' in e))

  const none = withBaseline('none', list, models, estimateMesh)
  t.same(none.map((e) => e.delta?.change.monthlyCost), [30, 50], 'against no mesh: the whole cost')
  t.same(none.map((e) => e.delta?.before.nodes), [17, 17])
  t.same(none.map((e) => e.delta?.currency), ['EUR', 'EUR'])
  t.same(called, [])

  const againstB = withBaseline('b', list, models, estimateMesh)
  t.same(againstB.map((e) => e.delta?.change.monthlyCost), [-20, 0], 'a: 30 - 50; b: 50 - 50')
  t.same(againstB.map((e) => e.delta?.baseline), ['b', 'b'])
  t.same(called, [], 'b is listed: not estimated again')

  const againstC = withBaseline('c', list, models, estimateMesh)
  t.same(called, ['c'], 'c is not listed: estimated once')
  t.same(againstC.map((e) => e.delta?.change.monthlyCost), [-50, -30], 'a: 30 - 80; b: 50 - 80')
  t.same(againstC.map((e) => e.delta?.change.cpuCores), [-3, -2], 'a: 1 - 4; b: 2 - 4')

  const err = t.throws(() => withBaseline('nope', list, models, estimateMesh, '/options/baseline'), DomainError) as unknown as InstanceType<typeof DomainError>
  t.same(err.errors, [{ pointer: '/options/baseline', detail: 'unknown mesh "nope"; give "none" or one of: a, b, c' }])
  const err2 = t.throws(() => withBaseline('nope', list, models, estimateMesh), DomainError) as unknown as InstanceType<typeof DomainError>
  t.equal(err2.errors[0]?.pointer, '/baseline')
})
