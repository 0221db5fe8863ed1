// A fitted figure's range (models/fitted/ sets usage.intervals): the base's factors on the base part, the fitted
// slope's on the slope part, their excesses over the expected value combined in quadrature as independent errors.
// Worked by hand on a toy sidecar: 10m idle, 0.2 cores per 1,000 rps; base factors x0.5 to x2, slope x0.8 to x1.25.
import t from 'tap'
import { estimate } from '../../src/engine/answer.js'
import { fittedRange } from '../../src/engine/usage.js'
import type { Models } from '../../src/models/load.js'
import type { MeshModel } from '../../src/models/schema.js'
import { fixtureModels, near } from '../helpers.js'

t.test('fittedRange: each part\'s excess by its own factors, in quadrature', async (t) => {
  const f = { low: 0.5, high: 2, slope: { low: 0.8, high: 1.25 } }
  // 10 expected, 6 of it the slope's: high 10 + hypot(4 x 1, 6 x 0.25) = 10 + hypot(4, 1.5) = 14.27200; low 10 - hypot(2, 1.2) = 7.66762
  const r = fittedRange(f, 10, 6)
  t.ok(near(r.high, 10 + Math.sqrt(16 + 2.25)) && near(r.high, 14.272002), `${r.high}`)
  t.ok(near(r.low, 10 - Math.sqrt(4 + 1.44)) && near(r.low, 7.667620), `${r.low}`)
  t.same(fittedRange({ low: 0.5, high: 2 }, 10, 0), { low: 5, high: 20 }, 'no slope: the base\'s factors on all of it')
  t.same(fittedRange({ low: 0.5, high: 2 }, 10, 10), { low: 5, high: 20 }, 'a slope without factors of its own takes the base\'s')
})

const base = fixtureModels()
const alpha = base.meshes.get('alpha') as MeshModel
const point = (x: string) => ({ low: x, expected: x, high: x, sources: ['fixture'] })
const toy = {
  ...alpha,
  id: 'toy',
  calibrations: [],
  components: [{
    id: 'proxy',
    name: 'proxy',
    engine: 'toy-proxy',
    scope: 'perPod',
    role: 'data-plane',
    requests: { cpu: '100m', memory: '128Mi', sources: ['fixture'] },
    usage: {
      cpu: point('10m'),
      memory: point('64Mi'),
      scaling: [{ per: 'thousandRequestsPerSecond', cpu: point('0.2') }],
      intervals: { cpu: { low: 0.5, high: 2, slope: { per: 'thousandRequestsPerSecond', low: 0.8, high: 1.25 } } }
    }
  }]
} as unknown as MeshModel
const models = { ...base, meshes: new Map([['toy', toy]]), priors: new Map([['toy', toy]]) } as Models
const proxyCpu = (requestsPerSecondPerPod: number) => {
  const c = estimate({ pods: 1, meshes: ['toy'], basis: 'usage', traffic: { requestsPerSecondPerPod } }, models).estimates[0]?.components[0]
  if (c === undefined) throw new Error('no proxy')
  return c.usage.cpuCores
}

t.test('idle: the base carries it, x0.5 to x2', async (t) => {
  const r = proxyCpu(0)
  t.ok(near(r.low, 0.005) && near(r.expected, 0.01) && near(r.high, 0.02), JSON.stringify(r))
})

t.test('20 rps: 10m base + 4m slope = 14m; high 14 + hypot(10 x 1, 4 x 0.25) m, low 14 - hypot(10 x 0.5, 4 x 0.2) m', async (t) => {
  const r = proxyCpu(20)
  t.ok(near(r.low, 0.00893640) && near(r.expected, 0.014) && near(r.high, 0.02404988), JSON.stringify(r))
})

t.test('100 rps: 10m + 20m = 30m; high 30 + hypot(10, 5) m = 41.18m, low 30 - hypot(5, 4) m = 23.60m', async (t) => {
  const r = proxyCpu(100)
  t.ok(near(r.low, 0.02359688) && near(r.expected, 0.03) && near(r.high, 0.04118034), JSON.stringify(r))
})
