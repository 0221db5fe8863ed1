// The jackknife prediction intervals (src/engine/jackknife.ts): quantiles, the engine pool split by the part of the
// prediction that carried each ratio, and the no-evidence
// assumption on hand-made ratios, and npm run fit's intervals on the toy evidence (test/fixtures/models/evidence),
// every number worked out by hand in the comments.
import t from 'tap'
import { assumedInterval, COVERAGE, factorsOf, fitAll, intervalFor, leaveOneSourceOut, MIN_SOURCES, quantile, ratiosOf, type Ratio } from '../../src/engine/jackknife.js'
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
const agent = component('alpha', 'agent') // data-plane, perNode
const sidecar = component('beta', 'sidecar') // data-plane, perPod: the proxy's kind

t.test('the rule is stated before any result: a 90% central interval, an engine pool from three sources', async (t) => {
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

const ratio = (engine: string, source: string, value: number, part: Ratio['part'] = 'base', resource: Ratio['resource'] = 'cpu'): Ratio =>
  ({ engine, mesh: 'alpha', component: 'proxy', resource, source, ratio: value, part })

t.test('the factors span the 5th to the 95th percentile and always hold 1', async (t) => {
  const f = factorsOf([0.5, 0.8, 1.0, 1.5, 3.0].map((v, n) => ratio('e', `s${n}`, v)))
  t.match(f, { ratios: 5, sources: 5 })
  t.ok(near(f.low, 0.56) && near(f.high, 2.7), JSON.stringify(f))
  // All above 1: 5th percentile 1.2 + 0.1 × 0.3 = 1.23, so low is 1 (the expected value stays inside)
  const above = factorsOf([1.2, 1.5, 2].map((v, n) => ratio('e', `s${n}`, v)))
  t.equal(above.low, 1)
  // 95th: 1.5 + 0.9 × 0.5 = 1.95
  t.ok(near(above.high, 1.95), String(above.high))
})

t.test('an engine\'s interval: its own ratios only, the base\'s and the slope\'s apart when each has three sources', async (t) => {
  // Base ratios from s1..s3: [0.8, 1.0, 1.25]; slope ratios from s4..s6: [0.5, 2, 10] (a large cluster's spread).
  const ratios = [
    ratio('envoy', 's1', 0.8), ratio('envoy', 's2', 1.0), ratio('envoy', 's3', 1.25),
    ratio('envoy', 's4', 0.5, 'slope'), ratio('envoy', 's5', 2, 'slope'), ratio('envoy', 's6', 10, 'slope'),
    ratio('ztunnel', 's7', 50), ratio('ztunnel', 's8', 60), ratio('ztunnel', 's9', 70)
  ]
  const i = intervalFor(ratios, 'envoy', 'cpu')
  // Base [0.8, 1.0, 1.25]: h = 0.1 → 0.8 + 0.1 × 0.2 = 0.82; h = 1.9 → 1.0 + 0.9 × 0.25 = 1.225.
  t.ok(i !== undefined && near(i.low, 0.82) && near(i.high, 1.225), JSON.stringify(i))
  // Slope [0.5, 2, 10]: 0.5 + 0.1 × 1.5 = 0.65; 2 + 0.9 × 8 = 9.2. The base is not widened by it, nor by ztunnel's.
  t.ok(i?.slope !== undefined && near(i.slope.low, 0.65) && near(i.slope.high, 9.2), JSON.stringify(i?.slope))
  t.match(i, { pool: 'engine', ratios: 6, sources: 6, coverage: 0.9 })
  // Two slope sources only: the slope takes the engine's whole pool, [0.5, 0.8, 1, 1.25, 2]: 0.56; 1.25 + 0.8 × 0.75 = 1.85.
  const fewer = intervalFor(ratios.filter((r) => r.source !== 's6'), 'envoy', 'cpu')
  t.ok(fewer?.slope !== undefined && near(fewer.slope.low, 0.56) && near(fewer.slope.high, 1.85), JSON.stringify(fewer?.slope))
  t.ok(fewer !== undefined && near(fewer.low, 0.82), 'the base keeps its own three sources')
  t.equal(intervalFor(ratios.filter((r) => r.source === 's1' || r.source === 's4'), 'envoy', 'cpu'), undefined, 'under three sources, no interval of its own')
  t.equal(intervalFor(ratios, 'envoy', 'memory'), undefined, 'no memory ratios at all')
})

t.test('no evidence: the widest interval of the kind, else of the scope, else of the resource, as an assumption', async (t) => {
  const at = (low: number, high: number, slope?: { low: number, high: number }) => ({ coverage: 0.9, low, high, ...(slope === undefined ? {} : { slope: { ...slope, ratios: 9, sources: 4 } }), pool: 'engine' as const, ratios: 9, sources: 4 })
  const evidenced = [
    { key: 'alpha/proxy', kind: 'data-plane/perPod', resource: 'cpu' as const, interval: at(0.5, 3) }, // width 6
    { key: 'beta/sidecar', kind: 'data-plane/perPod', resource: 'cpu' as const, interval: at(0.9, 1.2, { low: 0.5, high: 4 }) }, // slope width 8
    { key: 'alpha/control', kind: 'control-plane/cluster', resource: 'cpu' as const, interval: at(0.2, 4) } // 20
  ]
  // A sidecar nobody measured: the widest of its kind, beta/sidecar, whose slope's factors are the widest it has.
  t.match(assumedInterval(evidenced, { ...sidecar, id: 'unmeasured' }, 'cpu'), { low: 0.5, high: 4, pool: 'assumption', like: 'beta/sidecar' })
  // A dashboard (observability, a Deployment): none of its kind; of its scope, alpha/control.
  t.match(assumedInterval(evidenced, component('alpha', 'dashboard'), 'cpu'), { low: 0.2, high: 4, pool: 'assumption', like: 'alpha/control' })
  // A node agent (a DaemonSet): none of its kind or scope, so the widest of all, alpha/control again.
  t.match(assumedInterval(evidenced, agent, 'cpu'), { like: 'alpha/control' })
  t.match(assumedInterval(evidenced.slice(0, 2), agent, 'cpu'), { like: 'beta/sidecar' })
  t.equal(assumedInterval(evidenced, sidecar, 'memory'), undefined, 'nothing evidenced for memory')
})

t.test('npm run fit on the fixture: the leave-one-source-out ratios and their intervals', async (t) => {
  // Left out, each source is predicted by a fit on the other two (the idle base stays the model file's 10m: no
  // source measured near idle):
  //   lab-a by slope 0.3 (lab-b's): CPU 0.03 / (0.01 + 0.03) = 0.75, 0.07 / (0.01 + 0.09) = 0.7; memory by 52: 40/52, 44/52
  //   lab-b by slope 0.2 (lab-a's; lab-c's max sets nothing beside typical figures): 0.07 / 0.05 = 1.4, 0.13 / 0.09 = 1.4444;
  //   memory by 42: 50/42, 54/42
  //   lab-c by slope 0.25: its max 0.2 / (0.01 + 0.05) = 3.3333; memory 100 / 47 = 2.1277; its control plane
  //   only the model file predicts (no other source), so it gives no ratio
  // Every CPU prediction is mostly slope (0.03 of 0.04 at the least), so every CPU ratio is the slope's.
  const ratios = ratiosOf(leaveOneSourceOut(models, files))
  const cpu = ratios.filter((r) => r.resource === 'cpu')
  t.ok(cpu.length === 5 && [0.7, 0.75, 1.4, 1.444444, 3.333333].every((v, i) => near(cpu.map((r) => r.ratio).sort((a, b) => a - b)[i] as number, v)), JSON.stringify(cpu))
  t.ok(cpu.every((r) => r.part === 'slope' && r.engine === 'alpha-proxy'))
  t.ok(ratios.filter((r) => r.resource === 'memory').every((r) => r.part === 'base'), 'memory has no slope')
  t.equal(ratios.filter((r) => r.resource === 'memory').length, 5)

  const alpha = fitAll(models, files).find((f) => f.mesh === 'alpha')
  const proxyCpu = alpha?.components.proxy?.cpuCores
  // CPU [0.7, 0.75, 1.4, 1.4444, 3.3333], three sources, all slope: no base ratios, so the base takes the whole pool.
  // 5th: 0.7 + 0.2 × 0.05 = 0.71; 95th: 1.4444 + 0.8 × (3.3333 - 1.4444) = 2.9556 → 2.956.
  // Base 0.01 → [0.0071, 0.02956]; slope 0.25 → [0.1775, 0.7389].
  t.match(proxyCpu?.interval, { coverage: 0.9, low: 0.71, high: 2.956, slope: { low: 0.71, high: 2.956, ratios: 5, sources: 3 }, pool: 'engine', ratios: 5, sources: 3 })
  t.ok(near(proxyCpu?.base.low ?? 0, 0.0071) && near(proxyCpu?.base.high ?? 0, 0.02956), JSON.stringify(proxyCpu?.base))
  t.ok(near(proxyCpu?.slope?.range.low ?? 0, 0.1775) && near(proxyCpu?.slope?.range.high ?? 0, 0.7389, 1e-4), JSON.stringify(proxyCpu?.slope))
  // Memory [40/52, 44/52, 50/42, 54/42, 100/47] = [0.7692, 0.8462, 1.1905, 1.2857, 2.1277]: 5th 0.7692 + 0.2 × 0.0769
  // = 0.7846; 95th 1.2857 + 0.8 × 0.8420 = 1.9593 → 1.959. 47 MiB → [36.88, 92.07].
  t.match(alpha?.components.proxy?.memoryMiB, { interval: { low: 0.7846, high: 1.959, pool: 'engine' }, base: { low: 36.88, expected: 47, high: 92.07 } })
  // The control plane's memory: fitted from lab-c alone, whose figure no other source predicts, so its engine has no
  // ratios: the widest memory interval of its kind, scope, then of every component, the proxy's, as an assumption.
  // 600 × 0.7846 = 470.8, 600 × 1.959 = 1175.
  t.match(alpha?.components.control?.memoryMiB, { method: 'fit', interval: { pool: 'assumption', like: 'alpha/proxy', low: 0.7846, high: 1.959 }, base: { low: 470.8, expected: 600, high: 1175 } })
  // Its CPU has no evidence: the model file's 200m with the widest CPU interval (the proxy's, the only one).
  // 0.2 × 0.71 = 0.142, 0.2 × 2.956 = 0.5912.
  t.match(alpha?.components.control?.cpuCores, { method: 'assumption', records: [], interval: { pool: 'assumption', like: 'alpha/proxy' }, base: { low: 0.142, expected: 0.2, high: 0.5912 } })
  t.same(alpha?.noEvidence, ['control/cpu', 'agent/cpu', 'agent/memory', 'dashboard/cpu', 'dashboard/memory'], 'still said')
})

t.test('a fault is predicted but never a ratio; a figure carried by a term worked out from its own source is the prior\'s', async (t) => {
  const alpha = fixture.priors.get('alpha')
  const control = alpha?.components.find((c) => c.id === 'control')
  if (alpha === undefined || control === undefined) return t.fail('fixture alpha missing')
  // The control plane's churn term (1 MiB per pod churned per minute) was worked out from churn-lab's tables.
  const churn = { per: 'podChurnPerMinute' as const, memory: { low: '1Mi', expected: '1Mi', high: '1Mi', sources: ['fixture'], derivedFrom: ['churn-lab'] } }
  const toy = { ...alpha, components: alpha.components.map((c) => c === control ? { ...control, usage: { ...control.usage, scaling: [churn] } } : c) }
  const priors = [toy, ...models.filter((m) => m.id !== 'alpha')]
  const rec = (id: string, setup: Record<string, number>, memoryMiB: number, fault?: string) =>
    ({ id, mesh: 'alpha', meshVersion: '1', component: 'control', party: 'independent' as const, setup, statistic: 'mean' as const, memoryMiB, note: 'test', ...(fault === undefined ? {} : { fault }) })
  const file = (id: string, records: ReturnType<typeof rec>[]) => ({ schemaVersion: 1 as const, source: { id, title: id, url: `https://example.org/${id}`, published: '2026-01', ranBy: 'a test' }, records })
  const evidence = [
    file('churn-lab', [rec('steady', { pods: 10, podChurnPerMinute: 0 }, 520), rec('churning', { pods: 10, podChurnPerMinute: 100 }, 620)]),
    file('steady-lab', [rec('steady', { pods: 10 }, 500)]),
    file('storm-lab', [rec('storm', { pods: 10 }, 9000, 'a leak the project fixed')])
  ]
  const by = new Map(leaveOneSourceOut(priors, evidence).filter((p) => p.resource === 'memory' && p.record.component === 'control').map((p) => [`${p.source}/${p.record.id}`, p.predictedBy]))
  t.equal(by.get('churn-lab/steady'), 'fit', 'no churn at its setup: the term adds nothing, so a fit on the others predicts it')
  t.equal(by.get('churn-lab/churning'), 'prior', 'its churn term comes from its own source')
  t.equal(by.get('steady-lab/steady'), 'fit')
  t.equal(by.get('storm-lab/storm'), 'fault')
  const ratios = ratiosOf(leaveOneSourceOut(priors, evidence)).filter((r) => r.component === 'control' && r.resource === 'memory')
  t.same(ratios.map((r) => r.source).sort(), ['churn-lab', 'steady-lab'], 'neither the fault nor the figure of a term\'s own source gives a ratio')
})
