// What assumptions.sensitivity adds to an estimate, in-process: estimate() as the service runs it against the
// same estimate() minus the sensitivity step (its time measured on its own, on the same scenarios), per call.
//
//   npx tsx bench/sensitivity.ts
import { join } from 'node:path'
import { PACKAGE_ROOT } from '../src/config.js'
import { packWorkload } from '../src/engine/estimate.js'
import { estimate } from '../src/engine/answer.js'
import { resolveScenario } from '../src/engine/scenario.js'
import { sensitivityOf } from '../src/engine/sensitivity.js'
import { loadModels } from '../src/models/load.js'
import type { EstimateRequest } from '../src/schemas/estimate.js'
import { bodyGenerator } from './bodies.js'
import { measure } from './engine.js'

const models = loadModels(join(PACKAGE_ROOT, 'models'))
const next = bodyGenerator(11)
const cases: Array<[string, EstimateRequest[]]> = [
  ['default scenario, 100 pods, all meshes', [{ pods: 100 }]],
  ['300 pods on aws/m5.large, all meshes', [{ pods: 300, cluster: { nodeType: 'aws/m5.large', region: 'us-east-1' } }]],
  ['bench bodies (random pods, traffic, nodes), as npm run bench sends', Array.from({ length: 1024 }, () => next())]
]
console.log('assumptions.sensitivity, in-process, µs of CPU per call:')
for (const [label, bodies] of cases) {
  const prepared = bodies.map((b) => {
    const scenario = resolveScenario(b, models)
    const workload = packWorkload(scenario)
    return { scenario, workload, estimates: estimate(b, models).estimates }
  })
  const whole = measure((i) => estimate(bodies[i % bodies.length] as EstimateRequest, models))
  const part = measure((i) => { const p = prepared[i % prepared.length] as typeof prepared[number]; return sensitivityOf(p.scenario, p.workload, p.estimates) })
  const without = whole.microsPerCall - part.microsPerCall
  console.log(`  ${label}: estimate() ${whole.microsPerCall.toFixed(1)} µs, of which sensitivity ${part.microsPerCall.toFixed(1)} µs (${(100 * part.microsPerCall / whole.microsPerCall).toFixed(0)}%; ${(whole.microsPerCall / without).toFixed(2)}x the estimate without it)`)
}
