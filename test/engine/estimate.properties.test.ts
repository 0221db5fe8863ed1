// Properties of the engine over random valid scenarios (fast-check), on the shipped models.
// A fixed seed keeps CI reproducible; FC_SEED=<n> replays another, FC_RUNS=<n> runs longer.
import fc from 'fast-check'
import t from 'tap'
import { estimate } from '../../src/engine/answer.js'
import { DomainError } from '../../src/errors.js'
import { CNI_IDS, type EstimateRequest, type EstimateResponse } from '../../src/schemas/estimate.js'
import { shippedModels } from '../helpers.js'

const SEED = Number(process.env.FC_SEED ?? 20_260_707)
const RUNS = Number(process.env.FC_RUNS ?? 150)
const params = { seed: SEED, numRuns: RUNS }
t.comment(`fast-check seed ${SEED}, ${RUNS} runs per property (FC_SEED / FC_RUNS to change)`)

const models = shippedModels()
const meshIds = [...models.meshes.keys()]
const nodeChoices = [...models.nodeTypes].flatMap(([id, { nodeType }]) => nodeType.prices.map((p) => ({ id, region: p.region })))
const books = [...models.priceBooks.keys()]

// Doubles that JSON can carry and the schema accepts; no NaN, no -0.
const positive = (max: number): fc.Arbitrary<number> => fc.double({ min: 1e-3, max, noNaN: true, noDefaultInfinity: true })
const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined })

/** Strips undefined fields, as a JSON body would. */
function clean<T> (value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

const scenarioArb: fc.Arbitrary<EstimateRequest> = fc.record({
  pods: fc.integer({ min: 1, max: 200_000 }),
  meshes: optional(fc.shuffledSubarray(meshIds, { minLength: 1 })),
  basis: optional(fc.constantFrom('requests' as const, 'usage' as const, 'max' as const)),
  traffic: optional(fc.record({
    requestsPerSecondPerPod: optional(fc.double({ min: 0, max: 100_000, noNaN: true, noDefaultInfinity: true })),
    distribution: optional(fc.constantFrom('even' as const, 'skewed' as const)),
    hopsPerRequest: optional(fc.integer({ min: 1, max: 10 }))
  })),
  workload: optional(fc.record({
    services: optional(fc.integer({ min: 1, max: 100_000 })),
    servicesVisibleWhenScoped: optional(fc.integer({ min: 1, max: 1000 })),
    podRequests: optional(fc.record({ cpuCores: positive(4), memoryGiB: positive(16) }))
  })),
  cluster: optional(fc.oneof(
    fc.record({
      node: fc.constantFrom(...nodeChoices),
      nodes: optional(fc.integer({ min: 1, max: 5000 })),
      cni: optional(fc.constantFrom(...CNI_IDS))
    }).map(({ node, ...rest }) => ({ ...rest, nodeType: node.id, region: node.region })),
    fc.record({
      node: fc.record({ vcpu: fc.integer({ min: 2, max: 192 }), memoryGiB: fc.integer({ min: 4, max: 1024 }), maxPods: fc.integer({ min: 8, max: 500 }), hourlyPrice: optional(positive(50)) }),
      nodes: optional(fc.integer({ min: 1, max: 5000 })),
      cni: optional(fc.constantFrom(...CNI_IDS))
    })
  )),
  options: optional(fc.record({
    highAvailability: optional(fc.boolean()),
    observability: optional(fc.boolean()),
    sidecarScoping: optional(fc.boolean())
  })),
  pricing: optional(fc.oneof(
    fc.record({ book: fc.constantFrom(...books) }),
    fc.record({ cpuCoreHour: positive(10), memoryGiBHour: positive(1) }),
    // prices in currencies with large units (IDR, KRW: hundreds to thousands per core-hour)
    fc.record({ cpuCoreHour: positive(5_000), memoryGiBHour: positive(1_000), currency: fc.constantFrom('IDR', 'KRW') })
  ))
}, { requiredKeys: ['pods'] }).map(clean)

/** The estimate, or undefined when the scenario is well-formed but cannot be priced (a pod larger than the node...). */
function tryEstimate (request: EstimateRequest): EstimateResponse | undefined {
  try {
    return estimate(request, models)
  } catch (err) {
    if (err instanceof DomainError) return undefined
    throw err
  }
}

function priced (request: EstimateRequest): EstimateResponse {
  const answer = tryEstimate(request)
  fc.pre(answer !== undefined)
  return answer as EstimateResponse
}

/** Every number in a document, with its JSON pointer. */
function numbers (value: unknown, pointer = ''): Array<[string, number]> {
  if (typeof value === 'number') return [[pointer, value]]
  if (Array.isArray(value)) return value.flatMap((v, i) => numbers(v, `${pointer}/${i}`))
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => numbers(v, `${pointer}/${k}`))
  return []
}

/** Every {low, expected, high} in a document. */
function ranges (value: unknown, pointer = ''): Array<[string, { low: number, expected: number, high: number }]> {
  if (Array.isArray(value)) return value.flatMap((v, i) => ranges(v, `${pointer}/${i}`))
  if (value === null || typeof value !== 'object') return []
  const r = value as Record<string, unknown>
  const own: Array<[string, { low: number, expected: number, high: number }]> =
    typeof r.low === 'number' && typeof r.expected === 'number' && typeof r.high === 'number' ? [[pointer, r as { low: number, expected: number, high: number }]] : []
  return [...own, ...Object.entries(r).flatMap(([k, v]) => ranges(v, `${pointer}/${k}`))]
}

const close = (a: number, b: number, absolute: number, relative = 1e-9): boolean => Math.abs(a - b) <= absolute + relative * Math.max(Math.abs(a), Math.abs(b))
const BOUNDS = ['low', 'expected', 'high'] as const

t.test('the generator yields mostly priceable scenarios', async (t) => {
  const sample = fc.sample(scenarioArb, { seed: SEED, numRuns: 200 })
  const ok = sample.filter((s) => tryEstimate(s) !== undefined).length
  t.ok(ok >= 120, `${ok} of 200 random scenarios can be priced (the rest are 422s: pods larger than nodes)`)
})

t.test('every number is finite and non-negative', async (t) => {
  fc.assert(fc.property(scenarioArb, (request) => {
    const answer = priced(request)
    for (const [pointer, x] of numbers(answer)) {
      if (!Number.isFinite(x)) throw new Error(`${pointer} = ${x}`)
      // A delta's change is a signed difference; everything else is a quantity, a count or a price.
      if (x < 0 && !pointer.includes('/change/')) throw new Error(`${pointer} = ${x}`)
    }
  }), params)
  t.pass('finite and non-negative')
})

t.test('low <= expected <= high, everywhere', async (t) => {
  fc.assert(fc.property(scenarioArb, (request) => {
    for (const [pointer, r] of ranges(priced(request))) {
      if (pointer.includes('/change')) continue
      if (!(r.low <= r.expected && r.expected <= r.high)) throw new Error(`${pointer}: ${JSON.stringify(r)}`)
    }
  }), params)
  t.pass('ordered ranges')
})

t.test('totals are the sums of the components\' basis figures; cost follows the totals', async (t) => {
  fc.assert(fc.property(scenarioArb, (request) => {
    const answer = priced(request)
    const { cpuCoreHour, memoryGiBHour } = answer.assumptions.pricing
    for (const e of answer.estimates) {
      const n = e.components.length
      for (const k of BOUNDS) {
        // Components are rounded to 6 decimals, totals are rounded from exact sums: n half-units of slack.
        const cpu = e.components.reduce((s, c) => s + c.basis.cpuCores[k], 0)
        const memory = e.components.reduce((s, c) => s + c.basis.memoryGiB[k], 0)
        if (!close(e.totals.cpuCores[k], cpu, (n + 1) * 1e-6)) throw new Error(`${e.mesh} cpu ${k}: ${e.totals.cpuCores[k]} vs ${cpu}`)
        if (!close(e.totals.memoryGiB[k], memory, (n + 1) * 1e-6)) throw new Error(`${e.mesh} memory ${k}: ${e.totals.memoryGiB[k]} vs ${memory}`)
        const expectHourly = e.totals.cpuCores[k] * cpuCoreHour + e.totals.memoryGiB[k] * memoryGiBHour
        if (!close(e.cost.hourly[k], expectHourly, 1e-6 * (1 + cpuCoreHour + memoryGiBHour), 1e-6)) throw new Error(`${e.mesh} hourly ${k}: ${e.cost.hourly[k]} vs ${expectHourly}`)
        // The README's promise: monthly = (cpu x cpuCoreHour + memory x memoryGiBHour) x 730 to the cent, from the published figures.
        if (!close(e.cost.monthly[k], expectHourly * 730, 0.01 + 1e-9)) throw new Error(`${e.mesh} monthly ${k}: ${e.cost.monthly[k]} vs ${expectHourly * 730}`)
      }
      const sidecars = e.components.filter((c) => c.scope === 'perPod').reduce((s, c) => s + c.replicas, 0)
      const extraPods = e.components.filter((c) => c.scope !== 'perPod').reduce((s, c) => s + c.replicas, 0)
      if (e.totals.sidecars !== sidecars || e.totals.extraPods !== extraPods) throw new Error(`${e.mesh} pod counts`)
      if (e.capacity.additionalNodes !== e.capacity.nodesWithMesh - e.capacity.nodesWithoutMesh) throw new Error(`${e.mesh} additional nodes`)
    }
  }), params)
  t.pass('sums hold')
})

t.test('cost scales linearly with prices; resources do not move', async (t) => {
  const prices = fc.record({ cpuCoreHour: positive(10), memoryGiBHour: positive(1), factor: fc.double({ min: 0.01, max: 100, noNaN: true }) })
  fc.assert(fc.property(scenarioArb, prices, (request, { cpuCoreHour, memoryGiBHour, factor }) => {
    fc.pre(factor * cpuCoreHour <= 1_000_000 && factor * memoryGiBHour <= 1_000_000)
    const base = { ...request, pricing: { cpuCoreHour, memoryGiBHour } }
    const a = priced(base)
    const b = priced({ ...base, pricing: { cpuCoreHour: cpuCoreHour * factor, memoryGiBHour: memoryGiBHour * factor } })
    a.estimates.forEach((ea, i) => {
      const eb = b.estimates[i]
      if (eb === undefined) throw new Error('mesh missing')
      if (JSON.stringify(ea.totals) !== JSON.stringify(eb.totals)) throw new Error(`${ea.mesh}: totals moved with prices`)
      for (const k of BOUNDS) {
        // Hourly figures are rounded to 6 decimals: allow that, scaled.
        if (!close(eb.cost.hourly[k], ea.cost.hourly[k] * factor, 1e-6 * (1 + factor), 1e-9)) throw new Error(`${ea.mesh} hourly ${k}: ${eb.cost.hourly[k]} vs ${ea.cost.hourly[k]} x ${factor}`)
      }
    })
  }), params)
  t.pass('linear in prices')
})

/** a is nowhere below b: totals, counts and costs (allowing the last rounding digit). */
function notLower (a: EstimateResponse, b: EstimateResponse, what: string): void {
  a.estimates.forEach((ea, i) => {
    const eb = b.estimates[i] as EstimateResponse['estimates'][number]
    for (const k of BOUNDS) {
      if (ea.totals.cpuCores[k] < eb.totals.cpuCores[k] - 1e-6) throw new Error(`${what}: ${ea.mesh} cpu ${k} fell ${eb.totals.cpuCores[k]} -> ${ea.totals.cpuCores[k]}`)
      if (ea.totals.memoryGiB[k] < eb.totals.memoryGiB[k] - 1e-6) throw new Error(`${what}: ${ea.mesh} memory ${k} fell ${eb.totals.memoryGiB[k]} -> ${ea.totals.memoryGiB[k]}`)
      if (ea.cost.hourly[k] < eb.cost.hourly[k] - 1e-6) throw new Error(`${what}: ${ea.mesh} hourly ${k} fell`)
    }
    if (ea.totals.sidecars < eb.totals.sidecars || ea.totals.extraPods < eb.totals.extraPods) throw new Error(`${what}: ${ea.mesh} pods fell`)
    if (ea.capacity.nodesWithMesh < eb.capacity.nodesWithMesh) throw new Error(`${what}: ${ea.mesh} nodes fell ${eb.capacity.nodesWithMesh} -> ${ea.capacity.nodesWithMesh}`)
  })
}

t.test('more pods never lower an estimate', async (t) => {
  fc.assert(fc.property(scenarioArb, fc.integer({ min: 1, max: 50_000 }), (request, more) => {
    const small = priced(request)
    const big = tryEstimate({ ...request, pods: request.pods + more })
    fc.pre(big !== undefined)
    notLower(big as EstimateResponse, small, `pods ${request.pods} -> ${request.pods + more}`)
  }), params)
  t.pass('monotone in pods')
})

t.test('more traffic never lowers an estimate', async (t) => {
  fc.assert(fc.property(scenarioArb, fc.double({ min: 0, max: 50_000, noNaN: true }), fc.double({ min: 0, max: 50_000, noNaN: true }), (request, x, y) => {
    const [low, high] = x <= y ? [x, y] : [y, x]
    const at = (rps: number): EstimateRequest => ({ ...request, traffic: { ...request.traffic, requestsPerSecondPerPod: rps } })
    const quiet = priced(at(low))
    const busy = tryEstimate(at(high))
    fc.pre(busy !== undefined)
    notLower(busy as EstimateResponse, quiet, `traffic ${low} -> ${high} rps per pod`)
  }), params)
  t.pass('monotone in traffic')
})
