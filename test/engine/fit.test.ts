// The fit on toy evidence (test/fixtures/models/evidence), every number worked out by hand; and the shipped
// models/fitted/ files must be what a fresh fit of the shipped evidence gives.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { fitPoints, NEAR_IDLE_RPS, ADJUSTMENT_MIN_SOURCES } from '../../src/engine/fit.js'
import type { EvidenceFile, EvidenceRecord } from '../../src/models/evidence-schema.js'
import { fitAll } from '../../src/engine/jackknife.js'
import { applyFitted, renderFitted } from '../../src/models/fitted.js'
import { fixtureModels, near, shippedModels, SHIPPED_MODELS } from '../helpers.js'

const fixture = fixtureModels()
const alpha = fixture.priors.get('alpha')
if (alpha === undefined) throw new Error('fixture mesh alpha missing')
const fitOf = (evidence: Iterable<EvidenceFile>) => {
  const fitted = fitPoints(fixture.priors.values(), evidence).find((f) => f.mesh === 'alpha')
  if (fitted === undefined) throw new Error('no fit of alpha')
  return fitted
}
const fit = fitOf(fixture.evidence.values())
const sameRange = (t: { ok: (ok: boolean, message: string) => unknown }, got: { low: number, expected: number, high: number } | undefined, want: { low: number, expected: number, high: number }, what: string): void => {
  t.ok(got !== undefined && near(got.low, want.low) && near(got.expected, want.expected) && near(got.high, want.high), `${what}: ${JSON.stringify(got)} = ${JSON.stringify(want)}`)
}

t.test('a slope from sources that measured two loads; no idle record, so the model file\'s idle base stays', async (t) => {
  const cpu = fit.components.proxy?.cpuCores
  // Per-source slopes (cores per 1,000 rps): lab-a (0.07 - 0.03) / 0.2 = 0.2; lab-b (0.13 - 0.07) / 0.2 = 0.3.
  // lab-c published only a max, which sets nothing beside typical figures. Expected: the median, 0.25.
  t.equal(cpu?.slope?.per, 'thousandRequestsPerSecond')
  // Base: no record at or under NEAR_IDLE_RPS, so the model file's idle 10m, not the loaded runs' intercept
  // (which would be 0.0125: residuals at 0.25 of lab-a 0.005 and -0.005, of lab-b 0.02 and 0.03).
  // The range is the jackknife's (test/engine/jackknife.test.ts): here low = expected = high.
  sameRange(t, cpu?.slope?.range, { low: 0.25, expected: 0.25, high: 0.25 }, 'slope')
  sameRange(t, cpu?.base, { low: 0.01, expected: 0.01, high: 0.01 }, 'base')
  t.equal(cpu?.engine, 'alpha-proxy')
  t.same(cpu?.sources, ['lab-a', 'lab-b', 'lab-c'])
  t.equal(cpu?.records.length, 5)
  t.equal(cpu?.interval, undefined)
})

const record = (id: string, requestsPerSecond: number, cpuCores: number, extra: Partial<EvidenceRecord> = {}): EvidenceRecord =>
  ({ id, mesh: 'alpha', meshVersion: '1', component: 'proxy', party: 'independent', setup: { requestsPerSecond }, statistic: 'mean', cpuCores, note: 'test', ...extra })
const file = (id: string, records: EvidenceRecord[]): EvidenceFile =>
  ({ schemaVersion: 1, source: { id, title: id, url: `https://example.org/${id}`, published: '2026-01', ranBy: 'a test' }, records })

t.test('the idle base comes from idle records, never from the loaded runs\' intercept', async (t) => {
  t.equal(NEAR_IDLE_RPS, 10)
  // idle-lab measured 4m with no traffic and 0.104 at 500 rps; load-lab 0.25 at 1,000 and 0.45 at 2,000 rps, whose
  // own line meets zero traffic at 0.05. Idle: 0.004. Slopes: idle-lab's one loaded level against the idle base,
  // (0.104 - 0.004) / 0.5 = 0.2; load-lab's Theil–Sen (0.45 - 0.25) / 1 = 0.2. Base: the idle record, 0.004.
  const cpu = fitOf([
    file('idle-lab', [record('idle', 0, 0.004), record('loaded', 500, 0.104)]),
    file('load-lab', [record('k1', 1000, 0.25), record('k2', 2000, 0.45)])
  ]).components.proxy?.cpuCores
  sameRange(t, cpu?.base, { low: 0.004, expected: 0.004, high: 0.004 }, 'base')
  sameRange(t, cpu?.slope?.range, { low: 0.2, expected: 0.2, high: 0.2 }, 'slope')
  // A near-idle record (5 rps, under NEAR_IDLE_RPS) counts for the base, less its traffic: 0.005 - 0.2 × 0.005 = 0.004.
  const near5 = fitOf([
    file('idle-lab', [record('idle', 5, 0.005), record('loaded', 500, 0.105)]),
    file('load-lab', [record('k1', 1000, 0.25), record('k2', 2000, 0.45)])
  ]).components.proxy?.cpuCores
  // Without an rps-0 record the first idle estimate is the model file's 10m: idle-lab's slope (0.105 - 0.01) / 0.5 = 0.19;
  // load-lab 0.2; median 0.195. Base: 0.005 - 0.195 × 0.005 = 0.004025.
  sameRange(t, near5?.base, { low: 0.004025, expected: 0.004025, high: 0.004025 }, 'near-idle base')
})

t.test('an engine\'s records count whichever product ran it; a component\'s own sources adjust it only from three up', async (t) => {
  t.equal(ADJUSTMENT_MIN_SOURCES, 3)
  const foreign = (id: string): EvidenceFile => file(id, [
    record('idle', 0, 0.01, { mesh: 'elsewhere', component: 'gateway', engine: 'alpha-proxy' }),
    record('busy', 1000, 0.11, { mesh: 'elsewhere', component: 'gateway', engine: 'alpha-proxy' })
  ])
  const own = (id: string): EvidenceFile => file(id, [record('busy', 1000, 0.33)])
  // Engine fit: idle 0.01 (f1..f3); slopes f1..f3 (0.11 - 0.01) / 1 = 0.1 each, o1..o3 (0.33 - 0.01) / 1 = 0.32 each:
  // median of six, (0.1 + 0.32) / 2 = 0.21; base 0.01. Alpha's proxy at 1,000 rps: 0.01 + 0.21 = 0.22; its own
  // sources measured 0.33: 1.5 each, so the adjustment is 1.5: base 0.015, slope 0.315.
  const three = fitOf([foreign('f1'), foreign('f2'), foreign('f3'), own('o1'), own('o2'), own('o3')]).components.proxy?.cpuCores
  t.same(three?.adjustment, { factor: 1.5, sources: ['o1', 'o2', 'o3'] })
  sameRange(t, three?.base, { low: 0.015, expected: 0.015, high: 0.015 }, 'adjusted base')
  sameRange(t, three?.slope?.range, { low: 0.315, expected: 0.315, high: 0.315 }, 'adjusted slope')
  t.ok(three?.records.includes('f1/busy'), 'the other product\'s records are the engine\'s')
  // Two own sources: no adjustment. Slopes [0.1 × 3, 0.32 × 2]: median 0.1; base 0.01.
  const two = fitOf([foreign('f1'), foreign('f2'), foreign('f3'), own('o1'), own('o2')]).components.proxy?.cpuCores
  t.equal(two?.adjustment, undefined)
  sameRange(t, two?.slope?.range, { low: 0.1, expected: 0.1, high: 0.1 }, 'engine slope')
})

t.test('memory without a term: the median of per-source medians', async (t) => {
  // lab-a median(40, 44) = 42, lab-b median(50, 54) = 52: median 47. lab-c's max does not set it.
  sameRange(t, fit.components.proxy?.memoryMiB?.base, { low: 47, expected: 47, high: 47 }, 'memory')
  t.equal(fit.components.proxy?.memoryMiB?.slope, undefined, 'the model names no memory term, so none is fitted')
})

t.test('one source: its figure; no evidence is said', async (t) => {
  // control: lab-c alone, 600 MiB
  sameRange(t, fit.components.control?.memoryMiB?.base, { low: 600, expected: 600, high: 600 }, 'control memory')
  t.equal(fit.components.control?.cpuCores, undefined)
  t.same(fit.noEvidence, ['control/cpu', 'agent/cpu', 'agent/memory', 'dashboard/cpu', 'dashboard/memory'])
})

t.test('the fitted figures replace the model file\'s, citing the evidence and the assumptions', async (t) => {
  // npm run fit's result: the point fit with the jackknife intervals of test/engine/jackknife.test.ts
  // (CPU × 0.71 to × 2.956, memory × 0.7846 to × 1.959).
  const full = fitAll(fixture.priors.values(), fixture.evidence.values()).find((f) => f.mesh === 'alpha')
  if (full === undefined) throw new Error('no fit of alpha')
  const model = applyFitted(alpha, { schemaVersion: 1, ...full }, fixture.evidence)
  const proxy = model.components.find((c) => c.id === 'proxy')
  // 0.01 × 0.71 = 0.0071; 0.01 × 2.956 = 0.02956 (4 significant digits)
  t.same([proxy?.usage.cpu.low, proxy?.usage.cpu.expected, proxy?.usage.cpu.high], ['0.0071', '0.01', '0.02956'])
  t.same(proxy?.usage.cpu.sources, ['evidence.lab-a', 'evidence.lab-b', 'evidence.lab-c'])
  t.same(proxy?.usage.scaling?.[0]?.cpu?.expected, '0.25')
  // 47 × 0.7846 = 36.88; 47 × 1.959 = 92.07
  t.same([proxy?.usage.memory.low, proxy?.usage.memory.expected, proxy?.usage.memory.high], ['36.88Mi', '47Mi', '92.07Mi'])
  t.equal(model.sources['evidence.lab-b']?.kind, 'measured-official', 'the project\'s own benchmark')
  // agent: no evidence. Its CPU keeps the model file's 50m expected, with the widest CPU interval (the proxy's,
  // the only one): 0.05 × 0.71 = 0.0355, 0.05 × 2.956 = 0.1478; it cites the model file and the assumption.
  const agent = model.components.find((c) => c.id === 'agent')
  t.same([agent?.usage.cpu.low, agent?.usage.cpu.expected, agent?.usage.cpu.high], ['0.0355', '0.05', '0.1478'])
  t.same(agent?.usage.cpu.sources, ['fixture', 'assumption.no-evidence.agent.cpu'])
  t.equal(model.sources['assumption.no-evidence.agent.cpu']?.kind, 'assumption')
  t.match(model.sources['assumption.no-evidence.agent.cpu']?.reasoning, /widest 90% leave-one-source-out prediction interval .*alpha\/proxy/)
  // The fixture ships no models/fitted/, so its models' meshes are the model files as written.
  t.equal(fixture.meshes.get('alpha')?.components.find((c) => c.id === 'proxy')?.usage.cpu.expected, '10m')
})

t.test('models/fitted/ is what npm run fit gives today (no coefficient is edited by hand)', async (t) => {
  const shipped = shippedModels()
  const dir = join(SHIPPED_MODELS, 'fitted')
  const fresh = fitAll(shipped.priors.values(), shipped.evidence.values())
  const names = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()
  t.same(names, fresh.map((f) => `${f.mesh}.yaml`).sort(), 'one file per mesh')
  for (const f of fresh) {
    t.equal(readFileSync(join(dir, `${f.mesh}.yaml`), 'utf8'), renderFitted({ schemaVersion: 1, ...f }), `models/fitted/${f.mesh}.yaml is current (npm run generate)`)
  }
})

// A control plane whose model names a per-pod term the fit sets and a per-service term it does not (the model
// file's 1 MiB per service), as istiod's does: a toy copy of the fixture's alpha.
const withTerms = (() => {
  const control = alpha.components.find((c) => c.id === 'control')
  if (control === undefined) throw new Error('fixture control missing')
  const usage = { ...control.usage, scaling: [{ per: 'meshedPod' as const, memory: { low: '1Mi', expected: '1Mi', high: '1Mi', sources: ['fixture'] } }, { per: 'visibleService' as const, memory: { low: '1Mi', expected: '1Mi', high: '1Mi', sources: ['fixture'] } }] }
  return { ...alpha, components: alpha.components.map((c) => c.id === 'control' ? { ...control, usage } : c) }
})()
const controlRecord = (id: string, pods: number, services: number, memoryMiB: number, extra: Partial<EvidenceRecord> = {}): EvidenceRecord =>
  ({ id, mesh: 'alpha', meshVersion: '1', component: 'control', party: 'independent', setup: { pods, services }, statistic: 'mean', memoryMiB, note: 'test', ...extra })
const controlFit = (evidence: EvidenceFile[]) => fitPoints([withTerms, ...[...fixture.priors.values()].filter((p) => p.id !== 'alpha')], evidence).find((f) => f.mesh === 'alpha')?.components.control?.memoryMiB

t.test('a slope is fitted on the figure less the terms the fit does not set', async (t) => {
  // grow-lab grew services with pods: 205 MiB at 10 pods and 100 services, 610 at 20 pods and 500 services. Less the
  // model file's 1 MiB per service: 105 and 110, so 0.5 MiB per pod (not (610 - 205) / 10 = 40.5, the services'
  // cost passed off as the pods'). Base: 205 - 0.5 x 10 - 100 = 100, and 610 - 10 - 500 = 100.
  const grow = file('grow-lab', [controlRecord('small', 10, 100, 205), controlRecord('large', 20, 500, 610)])
  const fitted = controlFit([grow])
  t.equal(fitted?.slope?.per, 'meshedPod')
  sameRange(t, fitted?.slope?.range, { low: 0.5, expected: 0.5, high: 0.5 }, 'per-pod slope')
  sameRange(t, fitted?.base, { low: 100, expected: 100, high: 100 }, 'base')
})

t.test('a record of a defect (fault) sets no figure', async (t) => {
  // The same fit with a pilot-style eviction beside it: 30,000 MiB at 25 pods would pull the median base of two
  // sources to (100 + 29,967.5) / 2. Filed as a fault, it changes nothing.
  const grow = file('grow-lab', [controlRecord('small', 10, 100, 205), controlRecord('large', 20, 500, 610)])
  const evicted = file('evicted-lab', [controlRecord('evicted', 25, 20, 30000, { fault: 'evicted for memory' })])
  const fitted = controlFit([grow, evicted])
  sameRange(t, fitted?.base, { low: 100, expected: 100, high: 100 }, 'base')
  t.same(fitted?.sources, ['grow-lab'], 'the fault\'s source is not among the fitted sources')
  const counted = controlFit([grow, file('evicted-lab', [controlRecord('evicted', 25, 20, 30000)])])
  t.ok((counted?.base.expected ?? 0) > 10000, `not a fault: it counts (base ${counted?.base.expected})`)
})
