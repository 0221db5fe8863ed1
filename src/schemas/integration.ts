// POST /estimate/sweep (one scenario, one field varied: curves for plots) and POST /estimate/batch (many
// scenarios in one call, each answered on its own).
import { Type, type Static } from 'typebox'
import { Problem } from './common.js'
import { EstimateRequest, EstimateResponse, EstimateSummaryResponse, LIMITS } from './estimate.js'

export const SWEEP_LIMITS = {
  /** points per series; a sweep at this limit is megabytes of JSON per mesh (npm run bench:sweep measures it, docs/performance.md) */
  steps: 10_000,
  /** points over all series (steps x meshes), ten meshes at full resolution, about 30 MB of JSON */
  points: 100_000
} as const

/** Streamed sweeps (NDJSON, CSV) hold one point at a time: memory stays flat whatever their length. */
export const STREAM_LIMITS = {
  steps: 1_000_000,
  /** points over all series; about 2 s of one core at 2 µs a point with its bytes */
  points: 1_000_000
} as const

export const BATCH_LIMITS = {
  /** scenarios per batch; each answer is a whole estimate (tens of KB of JSON) */
  scenarios: 100
} as const

export const SWEEP_FIELDS = {
  pods: { path: '/pods', integer: true, min: 1, max: LIMITS.pods },
  requestsPerSecondPerPod: { path: '/traffic/requestsPerSecondPerPod', integer: false, min: 0, max: LIMITS.requestsPerSecondPerPod },
  services: { path: '/workload/services', integer: true, min: 1, max: LIMITS.pods },
  nodes: { path: '/cluster/nodes', integer: true, min: 1, max: LIMITS.nodes }
} as const
export type SweepField = keyof typeof SWEEP_FIELDS

export const SweepRequest = Type.Object({
  scenario: EstimateRequest,
  vary: Type.Union([Type.Literal('pods'), Type.Literal('requestsPerSecondPerPod'), Type.Literal('services'), Type.Literal('nodes')], {
    description: 'the scenario field to vary: pods, requestsPerSecondPerPod (traffic), services (workload) or nodes (cluster); it replaces the scenario\'s own value'
  }),
  from: Type.Number({ minimum: 0, maximum: LIMITS.pods, description: 'first x (inclusive); at least 1 for pods, services and nodes, above 0 on a log scale' }),
  to: Type.Number({ minimum: 0, maximum: LIMITS.pods, description: 'last x (inclusive), greater than from; at most the field\'s own limit in POST /estimate' }),
  steps: Type.Integer({ minimum: 2, maximum: STREAM_LIMITS.steps, description: `number of points from \`from\` to \`to\`, both included: 2 to ${SWEEP_LIMITS.steps} for a JSON answer, to ${STREAM_LIMITS.steps} streamed (format=ndjson or csv); pods, services and nodes are rounded to integers and repeated points dropped` }),
  scale: Type.Optional(Type.Union([Type.Literal('linear'), Type.Literal('log')], { description: 'linear (default): equal steps; log: equal ratios, for ranges over orders of magnitude' }))
}, {
  additionalProperties: false,
  title: 'SweepRequest',
  description: `One scenario priced at many values of one field. JSON answers: at most ${SWEEP_LIMITS.steps} points per mesh and ${SWEEP_LIMITS.points} in all; streamed answers (NDJSON, CSV): ${STREAM_LIMITS.points} in all.`,
  examples: [{ scenario: { pods: 100 }, vary: 'pods', from: 10, to: 10000, steps: 20, scale: 'log' }]
})
export type SweepRequest = Static<typeof SweepRequest>

const num = (description: string) => Type.Number({ minimum: 0, description })

export const SweepPoint = Type.Object({
  x: num('the varied field\'s value'),
  cpuCores: num('CPU overhead, cores, expected'),
  cpuCoresLow: num('CPU overhead, low'),
  cpuCoresHigh: num('CPU overhead, high'),
  memoryGiB: num('memory overhead, GiB, expected'),
  memoryGiBLow: num('memory overhead, low'),
  memoryGiBHigh: num('memory overhead, high'),
  monthlyCost: num('allocated cost per month, expected'),
  monthlyCostLow: num('allocated cost per month, low'),
  monthlyCostHigh: num('allocated cost per month, high'),
  additionalNodes: Type.Integer({ minimum: 0, description: 'nodes the mesh adds (capacity is packed by requests, so it has no range)' }),
  additionalNodesMonthlyCost: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'additional nodes x node price x 730; null when the node price is unknown' }),
  nodesWithMesh: Type.Integer({ minimum: 0 })
}, { additionalProperties: false })
export type SweepPoint = Static<typeof SweepPoint>

export const SweepResponse = Type.Object({
  vary: Type.String(),
  scale: Type.String(),
  basis: Type.String(),
  currency: Type.String(),
  series: Type.Array(Type.Object({
    mesh: Type.String(),
    name: Type.String(),
    points: Type.Array(SweepPoint, { description: 'in increasing x' })
  }, { additionalProperties: false }), { description: 'one per mesh, in the order of the scenario\'s meshes' })
}, { additionalProperties: false, title: 'SweepResponse' })
export type SweepResponse = Static<typeof SweepResponse>

/** view=summary: the expected figures only, without the low and high bounds. */
export const SUMMARY_OMITS = ['cpuCoresLow', 'cpuCoresHigh', 'memoryGiBLow', 'memoryGiBHigh', 'monthlyCostLow', 'monthlyCostHigh'] as const
export const SweepSummaryPoint = Type.Omit(SweepPoint, SUMMARY_OMITS, { additionalProperties: false })
export type SweepSummaryPoint = Static<typeof SweepSummaryPoint>
export const SweepSummaryResponse = Type.Object({
  ...SweepResponse.properties,
  view: Type.Literal('summary'),
  series: Type.Array(Type.Object({
    mesh: Type.String(),
    name: Type.String(),
    points: Type.Array(SweepSummaryPoint, { description: 'in increasing x' })
  }, { additionalProperties: false }))
}, { additionalProperties: false, title: 'SweepSummaryResponse', description: 'POST /estimate/sweep?view=summary: expected figures only' })

/** One NDJSON line of a streamed sweep: a point of one mesh. */
export const SweepLine = Type.Object({
  mesh: Type.String(),
  vary: Type.String(),
  ...SweepPoint.properties,
  currency: Type.String()
}, { title: 'SweepLine', description: 'format=ndjson: one line per mesh and point, x by x; with view=summary, without the low and high bounds. A scenario that fails at some x after the first line ends the stream with a line {"error": problem}' })

export const BatchRequest = Type.Object({
  scenarios: Type.Array(Type.Unknown({ description: 'a POST /estimate body; each is validated on its own, so one bad scenario does not sink the rest' }), {
    minItems: 1,
    maxItems: BATCH_LIMITS.scenarios,
    description: `1 to ${BATCH_LIMITS.scenarios} scenarios, each a POST /estimate body`
  })
}, {
  additionalProperties: false,
  title: 'BatchRequest',
  examples: [{ scenarios: [{ pods: 100 }, { pods: 1000, meshes: ['istio', 'linkerd'], basis: 'requests' }, { pods: -1 }] }]
})
export type BatchRequest = Static<typeof BatchRequest>

const ProblemRef = Type.Unsafe<Problem>(Type.Ref('Problem'))

export const BatchResult = Type.Object({
  status: Type.Integer({ description: '200, or the status POST /estimate would have answered this scenario with' }),
  estimate: Type.Optional(Type.Union([EstimateResponse, EstimateSummaryResponse], { description: 'what POST /estimate answers for this scenario, in the view asked for' })),
  problem: Type.Optional(ProblemRef)
}, { additionalProperties: false, description: 'exactly one of estimate (status 200) and problem (4xx, pointers into this batch\'s body)' })
export type BatchResult = Static<typeof BatchResult>

/** One NDJSON line of a streamed batch: one scenario's result, with its place in the batch. */
export const BatchLine = Type.Object({
  index: Type.Integer({ minimum: 0, description: 'the scenario\'s position in `scenarios`' }),
  ...BatchResult.properties
}, { additionalProperties: false, title: 'BatchLine', description: 'format=ndjson: one line per scenario, in order, each written as soon as it is computed' })

export const BatchResponse = Type.Object({
  results: Type.Array(BatchResult, { description: 'one per scenario, in order' })
}, { additionalProperties: false, title: 'BatchResponse' })
export type BatchResponse = Static<typeof BatchResponse>
