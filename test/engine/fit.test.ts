// The fit on toy evidence (test/fixtures/models/evidence), every number worked out by hand; and the shipped
// models/fitted/ files must be what a fresh fit of the shipped evidence gives.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { fitMesh, recordsOf } from '../../src/engine/fit.js'
import { fitAll } from '../../src/engine/jackknife.js'
import { applyFitted, renderFitted } from '../../src/models/fitted.js'
import { fixtureModels, near, shippedModels, SHIPPED_MODELS } from '../helpers.js'

const fixture = fixtureModels()
const alpha = fixture.priors.get('alpha')
if (alpha === undefined) throw new Error('fixture mesh alpha missing')
const fit = fitMesh(alpha, recordsOf(fixture.evidence.values(), 'alpha'))
const sameRange = (t: { ok: (ok: boolean, message: string) => unknown }, got: { low: number, expected: number, high: number } | undefined, want: { low: number, expected: number, high: number }, what: string): void => {
  t.ok(got !== undefined && near(got.low, want.low) && near(got.expected, want.expected) && near(got.high, want.high), `${what}: ${JSON.stringify(got)} = ${JSON.stringify(want)}`)
}

t.test('a slope from sources that measured two loads, the base from typical figures; the point fit has no range', async (t) => {
  const cpu = fit.components.proxy?.cpuCores
  // Per-source slopes (cores per 1,000 rps): lab-a (0.07 - 0.03) / 0.2 = 0.2; lab-b (0.13 - 0.07) / 0.2 = 0.3.
  // lab-c has one load level (and a max): no slope. Expected: the median, 0.25.
  t.equal(cpu?.slope?.per, 'thousandRequestsPerSecond')
  // Base, expected: residuals at 0.25: lab-a 0.03 - 0.025 = 0.005 and 0.07 - 0.075 = -0.005, median 0;
  // lab-b 0.07 - 0.05 = 0.02 and 0.13 - 0.1 = 0.03, median 0.025; median over sources 0.0125.
  // The range is the jackknife's (test/engine/jackknife.test.ts): here low = expected = high.
  sameRange(t, cpu?.slope?.range, { low: 0.25, expected: 0.25, high: 0.25 }, 'slope')
  sameRange(t, cpu?.base, { low: 0.0125, expected: 0.0125, high: 0.0125 }, 'base')
  t.same(cpu?.sources, ['lab-a', 'lab-b', 'lab-c'])
  t.equal(cpu?.records.length, 5)
  t.equal(cpu?.interval, undefined)
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
  // (CPU × 0.71 to × 2.849, memory × 0.7846 to × 1.959).
  const full = fitAll(fixture.priors.values(), fixture.evidence.values()).find((f) => f.mesh === 'alpha')
  if (full === undefined) throw new Error('no fit of alpha')
  const model = applyFitted(alpha, { schemaVersion: 1, ...full }, fixture.evidence)
  const proxy = model.components.find((c) => c.id === 'proxy')
  // 0.0125 × 0.71 = 0.008875; 0.0125 × 2.849 = 0.03561 (4 significant digits)
  t.same([proxy?.usage.cpu.low, proxy?.usage.cpu.expected, proxy?.usage.cpu.high], ['0.008875', '0.0125', '0.03561'])
  t.same(proxy?.usage.cpu.sources, ['evidence.lab-a', 'evidence.lab-b', 'evidence.lab-c'])
  t.same(proxy?.usage.scaling?.[0]?.cpu?.expected, '0.25')
  // 47 × 0.7846 = 36.88; 47 × 1.959 = 92.07
  t.same([proxy?.usage.memory.low, proxy?.usage.memory.expected, proxy?.usage.memory.high], ['36.88Mi', '47Mi', '92.07Mi'])
  t.equal(model.sources['evidence.lab-b']?.kind, 'measured-official', 'the project\'s own benchmark')
  // agent: no evidence. Its CPU keeps the model file's 50m expected, with the widest CPU interval (the proxy's,
  // the only one): 0.05 × 0.71 = 0.0355, 0.05 × 2.849 = 0.1425; it cites the model file and the assumption.
  const agent = model.components.find((c) => c.id === 'agent')
  t.same([agent?.usage.cpu.low, agent?.usage.cpu.expected, agent?.usage.cpu.high], ['0.0355', '0.05', '0.1425'])
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
    t.equal(readFileSync(join(dir, `${f.mesh}.yaml`), 'utf8'), renderFitted({ schemaVersion: 1, ...f }), `models/fitted/${f.mesh}.yaml is current (npm run fit)`)
  }
})
