// The fit on toy evidence (test/fixtures/models/evidence), every number worked out by hand; and the shipped
// models/fitted/ files must be what a fresh fit of the shipped evidence gives.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { fitAll, fitMesh, recordsOf } from '../../src/engine/fit.js'
import { applyFitted, renderFitted } from '../../src/models/fitted.js'
import { fixtureModels, near, shippedModels, SHIPPED_MODELS } from '../helpers.js'

const fixture = fixtureModels()
const alpha = fixture.priors.get('alpha')
if (alpha === undefined) throw new Error('fixture mesh alpha missing')
const fit = fitMesh(alpha, recordsOf(fixture.evidence.values(), 'alpha'))
const sameRange = (t: { ok: (ok: boolean, message: string) => unknown }, got: { low: number, expected: number, high: number } | undefined, want: { low: number, expected: number, high: number }, what: string): void => {
  t.ok(got !== undefined && near(got.low, want.low) && near(got.expected, want.expected) && near(got.high, want.high), `${what}: ${JSON.stringify(got)} = ${JSON.stringify(want)}`)
}

t.test('a slope from sources that measured two loads, the base from typical figures, the range from all', async (t) => {
  const cpu = fit.components.proxy?.cpuCores
  // Per-source slopes (cores per 1,000 rps): lab-a (0.07 - 0.03) / 0.2 = 0.2; lab-b (0.13 - 0.07) / 0.2 = 0.3.
  // lab-c has one load level (and a max): no slope. Expected: the median, 0.25.
  t.equal(cpu?.slope?.per, 'thousandRequestsPerSecond')
  // Base, expected: residuals at 0.25: lab-a 0.03 - 0.025 = 0.005 and 0.07 - 0.075 = -0.005, median 0;
  // lab-b 0.07 - 0.05 = 0.02 and 0.13 - 0.1 = 0.03, median 0.025; median over sources 0.0125.
  // Range: measured / predicted (0.0125 + 0.25 x) over every record: lab-a 0.03 / 0.0375 = 0.8 and
  // 0.07 / 0.0875 = 0.8; lab-b 0.07 / 0.0625 = 1.12 and 0.13 / 0.1125 = 1.156; lab-c's max 0.2 / 0.0625 = 3.2.
  // Low x 0.8, high x 3.2: base [0.01, 0.0125, 0.04], slope [0.2, 0.25, 0.8].
  sameRange(t, cpu?.slope?.range, { low: 0.2, expected: 0.25, high: 0.8 }, 'slope')
  sameRange(t, cpu?.base, { low: 0.01, expected: 0.0125, high: 0.04 }, 'base')
  t.same(cpu?.sources, ['lab-a', 'lab-b', 'lab-c'])
  t.equal(cpu?.records.length, 5)
})

t.test('memory without a term: the median of per-source medians; the max record only raises high', async (t) => {
  // lab-a median(40, 44) = 42, lab-b median(50, 54) = 52: median 47. Ratios from 40 / 47 to 100 / 47 (lab-c's
  // max), so the range is the least and the greatest record: [40, 47, 100].
  sameRange(t, fit.components.proxy?.memoryMiB?.base, { low: 40, expected: 47, high: 100 }, 'memory')
  t.equal(fit.components.proxy?.memoryMiB?.slope, undefined, 'the model names no memory term, so none is fitted')
})

t.test('one source: the range is at least half to twice the expected value; no evidence is said', async (t) => {
  // control: lab-c alone, 600 MiB: [300, 600, 1200]
  sameRange(t, fit.components.control?.memoryMiB?.base, { low: 300, expected: 600, high: 1200 }, 'control memory')
  t.equal(fit.components.control?.cpuCores, undefined)
  t.same(fit.noEvidence, ['control/cpu', 'agent/cpu', 'agent/memory', 'dashboard/cpu', 'dashboard/memory'])
})

t.test('the fitted figures replace the model file\'s, citing the evidence', async (t) => {
  const model = applyFitted(alpha, { schemaVersion: 1, ...fit }, fixture.evidence)
  const proxy = model.components.find((c) => c.id === 'proxy')
  t.same([proxy?.usage.cpu.low, proxy?.usage.cpu.expected, proxy?.usage.cpu.high], ['0.01', '0.0125', '0.04'])
  t.same(proxy?.usage.cpu.sources, ['evidence.lab-a', 'evidence.lab-b', 'evidence.lab-c'])
  t.same(proxy?.usage.scaling?.[0]?.cpu?.expected, '0.25')
  t.same([proxy?.usage.memory.low, proxy?.usage.memory.expected, proxy?.usage.memory.high], ['40Mi', '47Mi', '100Mi'])
  t.equal(model.sources['evidence.lab-b']?.kind, 'measured-official', 'the project\'s own benchmark')
  t.equal(model.components.find((c) => c.id === 'agent'), alpha.components.find((c) => c.id === 'agent'), 'no evidence: as written')
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
