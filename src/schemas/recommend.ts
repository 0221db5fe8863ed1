// The POST /recommend and GET /features contracts: one TypeBox source for validation, types and OpenAPI.
import { Type, type Static } from 'typebox'
import { ID_PATTERN, PriorityLiteral, REQUIREMENT_IDS, Support, strict } from '../models/schema.js'
import { SourceOut, rangeOf } from './common.js'
import { Delta } from './delta.js'
import { CNI, EstimateRequest, LIMITS } from './estimate.js'

const estimateField = EstimateRequest.properties

const REQUIREMENT_TEXT: Record<typeof REQUIREMENT_IDS[number], string> = {
  mtls: 'mutual TLS between services (the seed: "Need mTLS between services → Yes")',
  trafficSplitting: 'weighted traffic splitting for canary releases (the seed: "Need traffic splitting/canary → Yes")',
  l7Observability: 'per-request (L7) metrics for every service (the seed: "Need L7 observability → Yes")',
  circuitBreaking: 'circuit breaking between services',
  rateLimiting: 'request rate limiting between services',
  multiCluster: 'services reachable across clusters with one identity'
}

export const Priority = Type.Union([...PriorityLiteral.anyOf], {
  description: 'what matters most once the requirements are met: features (most capabilities; the seed: "maximum features and traffic control"), simplicity (least to install and run), overhead (lowest monthly cost of the mesh overhead; the seed: "cannot afford sidecar memory overhead")'
})

export const RecommendRequest = Type.Object({
  services: Type.Integer({ minimum: 1, maximum: LIMITS.pods, description: 'Kubernetes services the mesh would carry (count); under 10 with no requirement is the seed\'s "probably not"' }),
  requirements: Type.Optional(Type.Object(
    Object.fromEntries(REQUIREMENT_IDS.map((id) => [id, Type.Optional(Type.Boolean({ description: `${REQUIREMENT_TEXT[id]} (default false)` }))])),
    { ...strict, description: 'what the mesh must do; a candidate missing one never ranks above one that has it' }
  )),
  priority: Priority,
  current: Type.Optional(Type.Object({
    cni: Type.Optional(CNI),
    mesh: Type.Optional(Type.String({ pattern: `^${ID_PATTERN}$`, description: '"none" or the id of the mesh the cluster runs today (GET /meshes); default none' }))
  }, { ...strict, description: 'what the cluster runs today (default: CNI "other", no mesh); the migration path starts here, and costs are compared against current.mesh' })),
  pods: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pods, description: 'meshed application pods (count); give it to get each candidate\'s overhead, monthly cost and its delta against current.mesh' })),
  basis: estimateField.basis,
  traffic: estimateField.traffic,
  workload: estimateField.workload,
  cluster: estimateField.cluster,
  options: estimateField.options,
  pricing: estimateField.pricing
}, {
  ...strict,
  $id: 'RecommendRequest',
  title: 'RecommendRequest',
  description: 'Requirements, a priority and what the cluster runs today; optionally a workload (pods and the fields of POST /estimate) to price each candidate. Only services and priority are required.',
  examples: [{
    services: 40,
    requirements: { mtls: true, l7Observability: true },
    priority: 'overhead',
    current: { cni: 'calico', mesh: 'istio' },
    pods: 200
  }]
})
export type RecommendRequest = Static<typeof RecommendRequest>

const Sentences = (description: string) => Type.Array(Type.String(), { description })

export const CandidateEstimate = Type.Object({
  currency: Type.String({ description: 'ISO 4217 code of every cost here' }),
  cpuCores: rangeOf('mesh overhead CPU on the chosen basis, cores'),
  memoryGiB: rangeOf('mesh overhead memory on the chosen basis, GiB'),
  sidecars: Type.Integer({ minimum: 0, description: 'proxy containers in application pods' }),
  extraPods: Type.Integer({ minimum: 0, description: 'pods the mesh adds' }),
  additionalNodes: Type.Integer({ minimum: 0, description: 'nodes the mesh adds over no mesh' }),
  monthly: rangeOf('allocated monthly cost of the overhead at unit prices (as POST /estimate cost.monthly), in currency'),
  additionalNodesMonthly: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'marginal monthly cost of the added nodes; null when the node price is unknown' }),
  delta: Delta,
  savingsAgainstCurrent: Type.Optional(Type.Object({
    mesh: Type.String({ description: 'current.mesh' }),
    monthly: Type.Number({ description: 'current mesh\'s expected monthly cost minus this one\'s, in currency; positive is a saving, negative an extra cost' }),
    yearly: Type.Number({ description: 'monthly x 12, in currency' })
  }, { ...strict, description: 'present when current.mesh is a mesh' }))
}, { ...strict, description: 'POST /estimate for this mesh in the same scenario, in short; present when pods is given' })

export const Candidate = Type.Object({
  rank: Type.Integer({ minimum: 1, description: '1 is the best fit' }),
  mesh: Type.String({ description: 'mesh id (GET /meshes/{id})' }),
  name: Type.String(),
  mode: Type.String({ description: 'data plane: sidecar, per-node or none' }),
  missingFeatures: Type.Array(Type.String(), { description: 'required features (requirement ids) this mesh lacks' }),
  partialFeatures: Type.Array(Type.String(), { description: 'required features (requirement ids) this mesh covers only in part' }),
  complexity: Type.String({ description: 'complexity level for this cluster: the model\'s rating, adjusted when the mesh is part of the CNI' }),
  featureScore: Type.Integer({ minimum: 0, description: 'capability rows of GET /features: 2 per yes, 1 per partial' }),
  preferredBy: Type.Array(Type.String(), { description: 'ids of the decision rules (models/decision.yaml preferences) that favour this mesh here' }),
  reasons: Sentences('why it ranks here, in plain sentences'),
  estimate: Type.Optional(CandidateEstimate)
}, strict)
export type Candidate = Static<typeof Candidate>

export const RecommendResponse = Type.Object({
  needsMesh: Type.Object({
    verdict: Type.Union([Type.Literal('yes'), Type.Literal('probably-not')], { description: 'the seed\'s first tree: do you need a service mesh?' }),
    reasons: Sentences('the branches that decided, in plain sentences'),
    seed: Type.Array(Type.String(), { description: 'the seed\'s own branches that applied, verbatim' })
  }, strict),
  candidates: Type.Array(Candidate, { description: 'every modelled mesh, best fit first' }),
  migration: Type.Object({
    from: Type.Object({ cni: Type.String(), mesh: Type.String() }, strict),
    to: Type.String({ description: 'the first candidate' }),
    seed: Type.Optional(Type.Object({
      current: Type.String({ description: 'the seed\'s "Current Setup" column' }),
      path: Type.String({ description: 'the seed\'s "Recommended Path" column' })
    }, { ...strict, description: 'the row of the seed\'s migration table for this starting point, verbatim' })),
    steps: Sentences('the path from current to the first candidate, in order'),
    sources: Type.Array(Type.String(), { description: 'ids of the sources behind the steps (see sources)' })
  }, strict),
  assumptions: Type.Object({
    services: Type.Integer(),
    priority: Priority,
    requirements: Type.Array(Type.String(), { description: 'requirement ids asked for' }),
    current: Type.Object({ cni: Type.String(), mesh: Type.String() }, strict),
    pods: Type.Union([Type.Integer(), Type.Null()], { description: 'pods priced, or null when no workload was given' }),
    rules: Type.String({ description: 'the decision rules applied and their revision' }),
    notes: Sentences('how the ranking was made')
  }, strict),
  sources: Type.Array(SourceOut, { description: 'sources of the decision rules cited above' })
}, { ...strict, $id: 'RecommendResponse', title: 'RecommendResponse' })
export type RecommendResponse = Static<typeof RecommendResponse>

// GET /features

export const FeatureMatrixCell = Type.Object({
  support: Type.Union([Support, Type.Null()], { description: 'yes, no or partial; null for descriptive rows (proxy, complexity)' }),
  how: Type.String({ description: 'the API or mechanism, e.g. VirtualService, HTTPRoute, CiliumEnvoyConfig' }),
  since: Type.Optional(Type.String({ description: 'the mesh version it holds from' })),
  seed: Type.Optional(Type.String({ description: 'the seed article\'s original cell, where it differs' })),
  sources: Type.Array(SourceOut, { minItems: 1 })
}, strict)

export const FeatureMatrix = Type.Object({
  meshes: Type.Array(Type.Object({
    id: Type.String(),
    name: Type.String(),
    version: Type.String({ description: 'mesh versions the cells apply to' }),
    revised: Type.String({ description: 'date the model was last checked' })
  }, strict), { description: 'the columns' }),
  features: Type.Array(Type.Object({
    id: Type.String({ description: 'feature id, as in GET /meshes features' }),
    name: Type.String(),
    requirement: Type.Optional(Type.String({ description: 'the POST /recommend requirement this row answers' })),
    cells: Type.Record(Type.String(), FeatureMatrixCell, { description: 'one cell per mesh id' })
  }, strict), { description: 'the rows' }),
  changedSinceSeed: Type.Integer({ minimum: 0, description: 'cells whose value differs from the seed article\'s table' })
}, { ...strict, $id: 'FeatureMatrix', title: 'FeatureMatrix' })
export type FeatureMatrix = Static<typeof FeatureMatrix>
