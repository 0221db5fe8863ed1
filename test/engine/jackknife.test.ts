// The jackknife prediction intervals (src/engine/jackknife.ts): quantiles, the pooling rule and the no-evidence
// assumption on hand-made ratios, and npm run fit's intervals on the toy evidence (test/fixtures/models/evidence),
// every number worked out by hand in the comments.
import t from 'tap'
import { assumedInterval, COVERAGE, fitAll, intervalFor, intervalOfRatios, leaveOneSourceOut, MIN_SOURCES, quantile, ratiosOf, type Ratio } from '../../src/engine/jackknife.js'
import type { Component } from '../../src/models/schema.js'
import { fixtureModels, near } from '../helpers.js'

const fixture = fixtureModels()
const models = [...fixture.priors.values()]
const files = [...fixture.evidence.values()]
const component = (mesh: string, id: string): Component => {
  const c = fixture.priors.get(mesh)?.components.find((x) => x.id === id)
  if (c === undefined) throw new Error(`no ${mesh}/${id}`)
  return c
}
const proxy = component('alpha', 'proxy') // data-plane, perPod
const agent = component('alpha', 'agent') // data-plane, perNode
const sidecar = component('beta', 'sidecar') // data-plane, perPod: the proxy's kind

t.test('the rule is stated before any result: a 90% central interval, own pool from three sources', async (t) => {
  t.equal(COVERAGE, 0.9)
  t.equal(MIN_SOURCES, 3)
})

t.test('quantiles interpolate linearly between order statistics (type 7)', async (t) => {
  const five = [0.5, 0.8, 1.0, 1.5, 3.0]
  // p = 0.05: h = (5 - 1) × 0.05 = 0.2, between the 1st and 2nd: 0.5 + 0.2 × (0.8 - 0.5) = 0.56
  t.ok(near(quantile(five, 0.05), 0.56), String(quantile(five, 0.05)))
  // p = 0.95: h = 3.8, between the 4th and 5th: 1.5 + 0.8 × (3.0 - 1.5) = 2.7
  t.ok(near(quantile(five, 0.95), 2.7), String(quantile(five, 0.95)))
  t.equal(quantile(five, 0.5), 1.0, 'the median is the middle value')
  t.equal(quantile([1.7], 0.05), 1.7, 'one value is every quantile')
  t.throws(() => quantile([], 0.5))
})

const ratio = (mesh: string, c: Component, source: string, value: number): Ratio =>
  ({ mesh, component: c.id, kind: `${c.role}/${c.scope}`, scope: c.scope, resource: 'cpu', source, ratio: value })

t.test('the interval spans the 5th to the 95th percentile and always holds 1', async (t) => {
  const i = intervalOfRatios([0.5, 0.8, 1.0, 1.5, 3.0].map((v, n) => ratio('alpha', proxy, `s${n}`, v)), 'component')
  t.match(i, { coverage: 0.9, pool: 'component', ratios: 5, sources: 5 })
  t.ok(near(i.low, 0.56) && near(i.high, 2.7), JSON.stringify(i))
  // All above 1: 5th percentile 1.2 + 0.1 × 0.3 = 1.23, so low is 1 (the expected value stays inside)
  const above = intervalOfRatios([1.2, 1.5, 2].map((v, n) => ratio('alpha', proxy, `s${n}`, v)), 'component')
  t.equal(above.low, 1)
  // 95th: 1.5 + 0.9 × 0.5 = 1.95
  t.ok(near(above.high, 1.95), String(above.high))
})

t.test('pooling: own ratios from three sources; else the kind\'s; else the scope\'s; else every component\'s', async (t) => {
  // proxy: s1 0.5 and s2 1.5 (two sources); the sidecar, same kind: s3 3.0 and 0.8; the agent (node proxy) s4 10.
  const ratios = [ratio('alpha', proxy, 's1', 0.5), ratio('alpha', proxy, 's2', 1.5), ratio('beta', sidecar, 's3', 3.0), ratio('beta', sidecar, 's3', 0.8), ratio('alpha', agent, 's4', 10)]
  // proxy: kind pool [0.5, 0.8, 1.5, 3.0]: h = 0.15 → 0.5 + 0.15 × 0.3 = 0.545; h = 2.85 → 1.5 + 0.85 × 1.5 = 2.775.
  // Had the agent's 10 leaked in, the high would be 3 + 0.8 × 7 = 8.6.
  const p = intervalFor(ratios, 'alpha', proxy, 'cpu')
  t.match(p, { pool: 'kind', ratios: 4, sources: 3 })
  t.ok(p !== undefined && near(p.low, 0.545) && near(p.high, 2.775), JSON.stringify(p))
  // agent: one source of its own and none of its kind: every component's, [0.5, 0.8, 1.5, 3, 10]:
  // h = 0.2 → 0.56; h = 3.8 → 3 + 0.8 × 7 = 8.6
  const a = intervalFor(ratios, 'alpha', agent, 'cpu')
  t.match(a, { pool: 'resource', ratios: 5, sources: 4 })
  t.ok(a !== undefined && near(a.low, 0.56) && near(a.high, 8.6), JSON.stringify(a))
  // A third source for the proxy: its own [0.5, 1.0, 1.5]: h = 0.1 → 0.55; h = 1.9 → 1.0 + 0.9 × 0.5 = 1.45
  const own = intervalFor([...ratios, ratio('alpha', proxy, 's5', 1.0)], 'alpha', proxy, 'cpu')
  t.match(own, { pool: 'component', ratios: 3, sources: 3 })
  t.ok(own !== undefined && near(own.low, 0.55) && near(own.high, 1.45), JSON.stringify(own))
  t.equal(intervalFor(ratios, 'alpha', proxy, 'memory'), undefined, 'no memory ratios at all')
  // The dashboard (observability, a Deployment): none of its kind; its scope (Deployments): the control plane's
  // s6 0.4, s7 2 and s8 1 (the proxies' are not pooled). [0.4, 1, 2]: h = 0.1 → 0.46; h = 1.9 → 1 + 0.9 × 1 = 1.9
  const control = component('alpha', 'control')
  const withControl = [...ratios, ratio('alpha', control, 's6', 0.4), ratio('alpha', control, 's7', 2), ratio('alpha', control, 's8', 1)]
  const d = intervalFor(withControl, 'alpha', component('alpha', 'dashboard'), 'cpu')
  t.match(d, { pool: 'scope', ratios: 3, sources: 3 })
  t.ok(d !== undefined && near(d.low, 0.46) && near(d.high, 1.9), JSON.stringify(d))
})

t.test('no evidence: the widest interval of the kind, else of the scope, else of the resource, as an assumption', async (t) => {
  const evidenced = [
    { key: 'alpha/proxy', kind: 'data-plane/perPod', resource: 'cpu' as const, interval: { coverage: 0.9, low: 0.5, high: 3, pool: 'component' as const, ratios: 9, sources: 4 } }, // width 6
    { key: 'beta/sidecar', kind: 'data-plane/perPod', resource: 'cpu' as const, interval: { coverage: 0.9, low: 0.9, high: 1.2, pool: 'component' as const, ratios: 9, sources: 4 } }, // 1.33
    { key: 'alpha/control', kind: 'control-plane/cluster', resource: 'cpu' as const, interval: { coverage: 0.9, low: 0.2, high: 4, pool: 'component' as const, ratios: 9, sources: 4 } } // 20
  ]
  // A sidecar nobody measured: the widest of its kind, alpha/proxy (not the wider control plane).
  t.match(assumedInterval(evidenced, { ...sidecar, id: 'unmeasured' }, 'cpu'), { low: 0.5, high: 3, pool: 'assumption', like: 'alpha/proxy' })
  // A dashboard (observability, a Deployment): none of its kind; of its scope, alpha/control.
  t.match(assumedInterval(evidenced, component('alpha', 'dashboard'), 'cpu'), { low: 0.2, high: 4, pool: 'assumption', like: 'alpha/control' })
  // A node agent (a DaemonSet): none of its kind or scope, so the widest of all, alpha/control again; without the
  // control plane, the widest of the two sidecars, alpha/proxy.
  t.match(assumedInterval(evidenced, agent, 'cpu'), { like: 'alpha/control' })
  t.match(assumedInterval(evidenced.slice(0, 2), agent, 'cpu'), { like: 'alpha/proxy' })
  t.match(assumedInterval(evidenced.slice(0, 2), component('alpha', 'dashboard'), 'cpu'), { like: 'alpha/proxy' }, 'no Deployment evidenced: the widest of all')
  t.equal(assumedInterval(evidenced, sidecar, 'memory'), undefined, 'nothing evidenced for memory')
})

t.test('npm run fit on the fixture: the leave-one-source-out ratios and their intervals', async (t) => {
  // Left out, each source is predicted by a fit on the other two (test/engine/validation.test.ts derives the fits):
  //   lab-a by slope 0.3, base 0.01: CPU 0.03 / 0.04 = 0.75, 0.07 / 0.10 = 0.7; memory by 52: 40/52, 44/52
  //   lab-b by slope 0.2, base 0.01: CPU 0.07 / 0.05 = 1.4, 0.13 / 0.09 = 1.4444; memory by 42: 50/42, 54/42
  //   lab-c by slope 0.25, base 0.0125: its max 0.2 / 0.0625 = 3.2; memory 100 / 47 = 2.1277; its control plane
  //   only the model file predicts (no other source), so it gives no ratio
  const ratios = ratiosOf(leaveOneSourceOut(models, files))
  const cpu = ratios.filter((r) => r.resource === 'cpu').map((r) => r.ratio).sort((a, b) => a - b)
  t.ok(cpu.length === 5 && [0.7, 0.75, 1.4, 1.444444, 3.2].every((v, i) => near(cpu[i] as number, v)), JSON.stringify(cpu))
  t.equal(ratios.filter((r) => r.resource === 'memory').length, 5)

  const alpha = fitAll(models, files).find((f) => f.mesh === 'alpha')
  const proxyCpu = alpha?.components.proxy?.cpuCores
  // CPU [0.7, 0.75, 1.4, 1.4444, 3.2], three sources: its own pool. 5th: 0.7 + 0.2 × 0.05 = 0.71;
  // 95th: 1.4444 + 0.8 × (3.2 - 1.4444) = 2.8489 → 2.849. Base 0.0125 → [0.008875, 0.03561]; slope 0.25 → [0.1775, 0.7122].
  t.match(proxyCpu?.interval, { coverage: 0.9, low: 0.71, high: 2.849, pool: 'component', ratios: 5, sources: 3 })
  t.ok(near(proxyCpu?.base.low ?? 0, 0.008875) && near(proxyCpu?.base.high ?? 0, 0.03561), JSON.stringify(proxyCpu?.base))
  t.ok(near(proxyCpu?.slope?.range.low ?? 0, 0.1775) && near(proxyCpu?.slope?.range.high ?? 0, 0.7122, 2e-4), JSON.stringify(proxyCpu?.slope))
  // Memory [40/52, 44/52, 50/42, 54/42, 100/47] = [0.7692, 0.8462, 1.1905, 1.2857, 2.1277]: 5th 0.7692 + 0.2 × 0.0769
  // = 0.7846; 95th 1.2857 + 0.8 × 0.8420 = 1.9593 → 1.959. 47 MiB → [36.88, 92.07].
  t.match(alpha?.components.proxy?.memoryMiB, { interval: { low: 0.7846, high: 1.959, pool: 'component' }, base: { low: 36.88, expected: 47, high: 92.07 } })
  // The control plane's memory (one source, none of its kind or scope): every component's memory ratios, the same five.
  // 600 × 0.7846 = 470.8, 600 × 1.959 = 1175.
  t.match(alpha?.components.control?.memoryMiB, { interval: { pool: 'resource', low: 0.7846, high: 1.959 }, base: { low: 470.8, expected: 600, high: 1175 } })
  // Its CPU has no evidence: the model file's 200m with the widest CPU interval (the proxy's, the only one).
  // 0.2 × 0.71 = 0.142, 0.2 × 2.849 = 0.5698.
  t.match(alpha?.components.control?.cpuCores, { method: 'assumption', records: [], interval: { pool: 'assumption', like: 'alpha/proxy' }, base: { low: 0.142, expected: 0.2, high: 0.5698 } })
  t.same(alpha?.noEvidence, ['control/cpu', 'agent/cpu', 'agent/memory', 'dashboard/cpu', 'dashboard/memory'], 'still said')
})
