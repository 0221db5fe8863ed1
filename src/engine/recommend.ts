// POST /recommend: the seed's decision framework, run on the models. Pure: no I/O, no HTTP.
// The rules and their sources are data (models/decision.yaml); this file is how they are weighed:
//   1. needsMesh: any requirement → yes; otherwise "probably not" (the seed's first tree).
//   2. candidates, ranked by, in order: required features missing (fewest first: a mesh missing one never ranks
//      above one that has it), required features only partly covered, the priority's own measure (feature
//      score, complexity or monthly cost), the seed's "which mesh" rules that favour it, then the other measures.
//   3. migration: the seed's row for the starting point, and the steps from current to the first candidate.
import type { Models } from '../models/load.js'
import { FEATURE_IDS, REQUIREMENT_IDS, type DecisionRules, type FeatureId, type MeshModel, type PriorityId, type RequirementId } from '../models/schema.js'
import { citedSources } from '../schemas/common.js'
import type { EstimateRequest, MeshEstimate } from '../schemas/estimate.js'
import type { Candidate, RecommendRequest, RecommendResponse } from '../schemas/recommend.js'
import { DomainError } from '../errors.js'
import { estimate } from './answer.js'
import { round } from '../units.js'

type Rule = DecisionRules['preferences'][number]
type Match = Rule['when']
type StepKind = DecisionRules['migration']['steps'][number]['when']

/** The feature rows that are capabilities (the others describe: proxy, complexity, CNCF status). */
export const CAPABILITIES: readonly FeatureId[] = ['mtls', 'trafficSplitting', 'circuitBreaking', 'rateLimiting', 'retriesTimeouts', 'multiCluster', 'observability']

interface Context { priority: PriorityId, cni: string, mesh: string }

const matches = (when: Match, c: Context): boolean =>
  (when.priority === undefined || when.priority.includes(c.priority)) &&
  (when.cni === undefined || when.cni.includes(c.cni)) &&
  (when.cniNot === undefined || !when.cniNot.includes(c.cni)) &&
  (when.mesh === undefined || when.mesh.includes(c.mesh))

/** The CNI a mesh is part of (its components are already running when the cluster runs that CNI), if any. */
export const cniOf = (mesh: MeshModel): string | undefined => mesh.components.find((c) => c.providedByCni !== undefined)?.providedByCni

const money = (x: number): string => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1)
const sentence = (s: string): string => (s.endsWith('.') ? s : `${s}.`)

function complexityOf (mesh: MeshModel, rules: DecisionRules, cni: string): { index: number, level: string, note?: string } {
  const { levels } = rules.complexity
  const detail = mesh.features.complexity.detail.toLowerCase()
  // the longest level that starts the detail: "Low-Medium" before "Low"
  const found = [...levels].sort((a, b) => b.length - a.length).find((l) => detail.startsWith(l.toLowerCase()))
  let index = found === undefined ? Math.floor((levels.length - 1) / 2) : levels.indexOf(found)
  let note = found === undefined ? `the model rates its complexity as "${mesh.features.complexity.detail}", read as ${levels[index] as string}` : undefined
  const meshCni = cniOf(mesh)
  if (meshCni !== undefined) {
    const adjust = meshCni === cni ? rules.complexity.cniAlreadyRuns : rules.complexity.cniReplaced
    index = Math.min(levels.length - 1, Math.max(0, index + adjust.steps))
    note = adjust.reason
  }
  return { index, level: levels[index] as string, ...(note === undefined ? {} : { note }) }
}

const featureScore = (mesh: MeshModel): number =>
  CAPABILITIES.reduce((n, f) => n + ({ yes: 2, partial: 1, no: 0 }[mesh.features[f].support ?? 'no']), 0)

function validate (request: RecommendRequest, models: Models): { cni: string, mesh: string } {
  const cni = request.current?.cni ?? request.cluster?.cni ?? 'other'
  const mesh = request.current?.mesh ?? 'none'
  const errors: Array<{ pointer: string, detail: string }> = []
  const current = mesh === 'none' ? undefined : models.meshes.get(mesh)
  if (mesh !== 'none' && current === undefined) {
    errors.push({ pointer: '/current/mesh', detail: `unknown mesh "${mesh}"; give "none" or one of: ${[...models.meshes.keys()].join(', ')}` })
  }
  const meshCni = current === undefined ? undefined : cniOf(current)
  if (meshCni !== undefined && meshCni !== cni) {
    errors.push({ pointer: '/current/cni', detail: `current.mesh "${mesh}" runs as part of the ${meshCni} CNI, but current.cni is "${cni}"` })
  }
  if (request.cluster?.cni !== undefined && request.current?.cni !== undefined && request.cluster.cni !== request.current.cni) {
    errors.push({ pointer: '/cluster/cni', detail: `contradicts current.cni ("${request.current.cni}"); give the CNI once, as current.cni` })
  }
  if (request.workload?.services !== undefined && request.workload.services !== request.services) {
    errors.push({ pointer: '/workload/services', detail: `contradicts services (${request.services}); give the count once, as services` })
  }
  if (request.pods !== undefined && request.pods < request.services) {
    errors.push({ pointer: '/pods', detail: `${request.pods} pods cannot run ${request.services} services: every service needs at least one pod` })
  }
  const workloadOnly = (['basis', 'traffic', 'workload', 'cluster', 'options', 'pricing'] as const).filter((k) => request[k] !== undefined)
  if (request.pods === undefined && workloadOnly.length > 0) {
    errors.push({ pointer: `/${workloadOnly[0] as string}`, detail: 'workload and cluster fields price the candidates, which needs pods: give pods too' })
  }
  if (errors.length > 0) throw new DomainError(errors)
  return { cni, mesh }
}

function needsMesh (request: RecommendRequest, rules: DecisionRules, required: RequirementId[]): RecommendResponse['needsMesh'] {
  const { fewServices, noRequirement, requirements } = rules.needsMesh
  if (required.length > 0) {
    const reasons = required.map((id) => `${sentence(`You need ${requirements[id].label}: ${requirements[id].reason}`)}`)
    if (request.services < fewServices.below) reasons.push(`With only ${request.services} services, prefer the simplest candidate that covers these.`)
    return { verdict: 'yes', reasons, seed: required.flatMap((id) => requirements[id].seed ?? []) }
  }
  if (request.services < fewServices.below) {
    return { verdict: 'probably-not', reasons: [`${request.services} services is under ${fewServices.below} and no requirement calls for a mesh: ${lowerFirst(fewServices.reason)}`], seed: [fewServices.seed] }
  }
  return { verdict: 'probably-not', reasons: [noRequirement.reason], seed: [] }
}

interface Ranked extends Candidate { cost: number, complexityIndex: number }

export function recommend (request: RecommendRequest, models: Models): RecommendResponse {
  const rules = models.decision
  if (rules === undefined) throw new Error('no decision rules loaded (models/decision.yaml)')
  const current = validate(request, models)
  const context: Context = { priority: request.priority, ...current }
  const required = REQUIREMENT_IDS.filter((id) => request.requirements?.[id] === true)
  const verdict = needsMesh(request, rules, required)

  // Cost of every mesh in the same scenario. Without pods, an indicative workload ranks by overhead only.
  const pods = request.pods ?? request.services * models.defaults.podsPerService.value
  const { services: _s, requirements: _r, priority: _p, current: _c, pods: _pods, ...estimateFields } = request
  const estimateRequest: EstimateRequest = {
    ...estimateFields,
    pods,
    workload: { ...request.workload, services: request.services },
    cluster: { ...request.cluster, cni: current.cni as NonNullable<EstimateRequest['cluster']>['cni'] },
    ...(request.pods === undefined ? {} : { baseline: current.mesh })
  }
  const estimates = new Map(estimate(estimateRequest, models).estimates.map((e) => [e.mesh, e]))
  const currentModel = models.meshes.get(current.mesh)
  const currentEstimate = estimates.get(current.mesh)

  const ranked: Ranked[] = [...models.meshes.values()].map((mesh) => {
    const e = estimates.get(mesh.id) as MeshEstimate
    const missing = required.filter((id) => (mesh.features[rules.needsMesh.requirements[id].feature].support ?? 'no') === 'no')
    const partial = required.filter((id) => mesh.features[rules.needsMesh.requirements[id].feature].support === 'partial')
    const complexity = complexityOf(mesh, rules, current.cni)
    const preferred = rules.preferences.filter((rule) => matches(rule.when, context) &&
      ((rule.meshes?.includes(mesh.id) ?? false) || (rule.modes?.includes(mesh.mode) ?? false)))
    const score = featureScore(mesh)
    const label = (id: RequirementId): string => rules.needsMesh.requirements[id].label
    const cell = (id: RequirementId) => mesh.features[rules.needsMesh.requirements[id].feature]

    const reasons: string[] = []
    for (const id of missing) reasons.push(sentence(`Lacks ${label(id)}: ${cell(id).detail}`))
    for (const id of partial) reasons.push(sentence(`Covers ${label(id)} only in part: ${cell(id).detail}`))
    const covered = required.filter((id) => !missing.includes(id) && !partial.includes(id))
    if (covered.length > 0) reasons.push(`Covers ${covered.map(label).join(', ')}.`)
    for (const id of required) {
      const c = cell(id)
      if (c.seed !== undefined && c.support !== undefined && c.seed.toLowerCase() !== c.support) {
        reasons.push(`The seed's table said "${c.seed}" for ${label(id)}; the current docs say ${c.support}${c.since === undefined ? '' : ` since ${c.since}`}.`)
      }
    }
    if (missing.length > 0) reasons.push('Ranked below every candidate that covers all the requirements.')
    for (const rule of preferred) reasons.push(rule.seed === undefined ? sentence(`Favoured: ${rule.reason}`) : sentence(`The seed: "${rule.seed}" (${rule.reason.replace(/\.$/, '')})`))
    const meshCni = cniOf(mesh)
    if (meshCni !== undefined) {
      reasons.push(meshCni === current.cni
        ? `Part of the ${meshCni} CNI you already run: no new installation.`
        : `Part of the ${meshCni} CNI: adopting it means replacing your ${current.cni === 'other' ? 'current' : current.cni} CNI.`)
    }
    reasons.push(sentence(`Complexity ${complexity.level}${complexity.note === undefined ? '' : `: ${complexity.note}`}`))
    reasons.push(`Feature score ${score} of ${CAPABILITIES.length * 2} (2 per yes, 1 per partial over the capability rows of GET /features).`)
    const cur = e.cost.currency
    if (request.pods === undefined) {
      reasons.push(`Indicative overhead ${money(e.cost.monthly.expected)} ${cur} a month at ${pods} pods (${models.defaults.podsPerService.value} per service); give pods to price your workload.`)
    } else {
      reasons.push(`Overhead ${money(e.cost.monthly.expected)} ${cur} a month expected (${money(e.cost.monthly.low)}–${money(e.cost.monthly.high)}) for ${pods} pods, ${e.capacity.additionalNodes} additional node${e.capacity.additionalNodes === 1 ? '' : 's'}.`)
    }
    if (mesh.id === current.mesh) reasons.push('You run it today.')
    else if (currentEstimate !== undefined && currentModel !== undefined && request.pods !== undefined) {
      const saving = currentEstimate.cost.monthly.expected - e.cost.monthly.expected
      reasons.push(saving >= 0
        ? `${money(saving)} ${cur} a month less than ${currentModel.name}, which you run today.`
        : `${money(-saving)} ${cur} a month more than ${currentModel.name}, which you run today.`)
    }

    const candidate: Ranked = {
      rank: 0,
      mesh: mesh.id,
      name: mesh.name,
      mode: mesh.mode,
      missingFeatures: missing,
      partialFeatures: partial,
      complexity: complexity.level,
      featureScore: score,
      preferredBy: preferred.map((r) => r.id),
      reasons,
      cost: Math.round(e.cost.monthly.expected * 100),
      complexityIndex: complexity.index
    }
    if (request.pods !== undefined && e.delta !== undefined) {
      candidate.estimate = {
        currency: cur,
        cpuCores: e.totals.cpuCores,
        memoryGiB: e.totals.memoryGiB,
        sidecars: e.totals.sidecars,
        extraPods: e.totals.extraPods,
        additionalNodes: e.capacity.additionalNodes,
        monthly: e.cost.monthly,
        additionalNodesMonthly: e.cost.additionalNodesMonthly,
        delta: e.delta,
        ...(current.mesh === 'none'
          ? {}
          : { savingsAgainstCurrent: { mesh: current.mesh, monthly: -e.delta.change.monthlyCost + 0, yearly: round(-e.delta.change.monthlyCost * 12, 2) + 0 } })
      }
    }
    return candidate
  })

  // Lower is better for every key; the priority's measure comes right after the hard rules.
  const measures: Record<PriorityId, (c: Ranked) => number> = {
    features: (c) => -c.featureScore,
    simplicity: (c) => c.complexityIndex,
    overhead: (c) => c.cost
  }
  const order = [measures[request.priority], ...(Object.keys(measures) as PriorityId[]).filter((p) => p !== request.priority).map((p) => measures[p])]
  const keys = (c: Ranked): number[] => [c.missingFeatures.length, c.partialFeatures.length, order[0]?.(c) ?? 0, -c.preferredBy.length, ...order.slice(1).map((f) => f(c))]
  ranked.sort((a, b) => {
    const ka = keys(a); const kb = keys(b)
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return (ka[i] as number) - (kb[i] as number)
    return a.mesh.localeCompare(b.mesh)
  })
  const candidates: Candidate[] = ranked.map(({ cost: _cost, complexityIndex: _ci, ...c }, i) => ({ ...c, rank: i + 1 }))

  const migration = migrationPath(rules, models, context, candidates[0] as Candidate, verdict.verdict)
  const cited = new Set<string>([
    ...migration.sources,
    ...required.flatMap((id) => rules.needsMesh.requirements[id].sources),
    ...(required.length === 0 ? [...rules.needsMesh.fewServices.sources, ...rules.needsMesh.noRequirement.sources] : []),
    ...rules.preferences.filter((r) => candidates.some((c) => c.preferredBy.includes(r.id))).flatMap((r) => r.sources),
    ...rules.complexity.cniAlreadyRuns.sources, ...rules.complexity.cniReplaced.sources
  ])
  const sources = citedSources(cited, rules.sources)

  return {
    needsMesh: verdict,
    candidates,
    migration,
    assumptions: {
      services: request.services,
      priority: request.priority,
      requirements: [...required],
      current,
      pods: request.pods ?? null,
      rules: `models/decision.yaml, revised ${rules.revised}`,
      notes: [
        'Candidates are ranked by: required features missing, then required features covered only in part, then the priority (features: feature score; simplicity: complexity; overhead: expected monthly cost), then the seed\'s rules that favour them, then the other two measures.',
        'Costs are POST /estimate\'s allocated cost of the mesh overhead (cost.monthly), in the same scenario for every candidate; the delta compares against current.mesh.',
        ...(request.pods === undefined ? [`No pods given: overhead is ranked at an indicative ${pods} pods (${models.defaults.podsPerService.value} per service) and no cost is shown.`] : [])
      ]
    },
    sources
  }
}

function migrationPath (rules: DecisionRules, models: Models, context: Context, top: Candidate, verdict: 'yes' | 'probably-not'): RecommendResponse['migration'] {
  const to = models.meshes.get(top.mesh) as MeshModel
  const from = models.meshes.get(context.mesh)
  const toCni = cniOf(to)
  const fromCni = from === undefined ? undefined : cniOf(from)
  const kinds: StepKind[] = []
  if (verdict === 'probably-not') kinds.push('no-mesh-needed')
  if (from?.id === to.id) kinds.push('stay')
  else {
    kinds.push(toCni === undefined ? 'install' : toCni === context.cni ? 'enable-on-cni' : 'replace-cni')
    if (from !== undefined) kinds.push('side-by-side', 'translate-config', fromCni === undefined ? 'remove-old' : 'disable-on-cni')
  }
  kinds.push('verify')

  const health = to.operations?.health.map((h) => `\`${h.command}\` (${h.purpose})`).join(', ') ?? `see GET /meshes/${to.id}`
  const fill = (text: string): string => text
    .replaceAll('{toName}', to.name)
    .replaceAll('{fromName}', from?.name ?? 'no mesh')
    .replaceAll('{cni}', context.cni)
    .replaceAll('{toCni}', toCni ?? 'none')
    .replaceAll('{health}', health)
  const steps = kinds.flatMap((k) => rules.migration.steps.filter((s) => s.when === k))
  const seedRow = rules.migration.seedRows.find((row) => matches(row.when, context))
  return {
    from: { cni: context.cni, mesh: context.mesh },
    to: to.id,
    ...(seedRow === undefined ? {} : { seed: { current: seedRow.current, path: seedRow.path } }),
    steps: steps.map((s) => fill(s.text)),
    sources: [...new Set([...steps.flatMap((s) => s.sources), ...(seedRow?.sources ?? [])])].sort()
  }
}

/** The feature rows of GET /features, with the requirement each answers. */
export function featureRows (rules: DecisionRules | undefined): Array<{ id: FeatureId, requirement?: RequirementId }> {
  return FEATURE_IDS.map((id) => {
    const requirement = rules === undefined ? undefined : REQUIREMENT_IDS.find((r) => rules.needsMesh.requirements[r].feature === id)
    return requirement === undefined ? { id } : { id, requirement }
  })
}
