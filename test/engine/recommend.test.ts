// The ranking of POST /recommend, called in-process (no HTTP): the documented order worked out by hand for a few
// requests from the models' feature tables, the whole order recomputed independently over many requests, the
// verdicts, the reasons, the migration steps and every contradictory input.
//
// Hand-worked figures, from models/meshes/*.yaml (features) and models/decision.yaml (rules):
// feature score = 2 per "yes", 1 per "partial" over mtls, trafficSplitting, circuitBreaking, rateLimiting,
// retriesTimeouts, multiCluster, observability:
//   istio   2+2+2+2+2+2+2 = 14    linkerd 2+2+2+2+2+2+2 = 14    consul 2+2+2+1+2+2+2 = 13
//   kuma    1+2+2+1+2+2+2 = 12    cilium  1+2+1+1+1+2+2 = 10    istio-ambient 2+2+1+0+2+1+2 = 10
// complexity (levels Low 0, Low-Medium 1, Medium 2, Medium-High 3, High 4; the longest level that starts the
// detail): linkerd "Low-Medium" 1, kuma "Medium" 2, consul and istio-ambient "Medium-High" 3, istio "High" 4;
// cilium "Medium (...)" 2, then -2 when the cluster runs Cilium (0, Low) and +2 when it does not (4, High).
import t from 'tap'
import type { Candidate, RecommendRequest } from '../../src/schemas/recommend.js'
import { recommend } from '../../src/engine/recommend.js'
import { DomainError } from '../../src/errors.js'
import { fixtureModels, shippedModels } from '../helpers.js'
import { documentedOrder, PRIORITIES, requirementSets } from '../recommend-order.js'

const ask = (request: Partial<RecommendRequest>) => recommend({ services: 30, priority: 'features', ...request } as RecommendRequest, shippedModels())
const order = (cs: Candidate[]) => cs.map((c) => c.mesh)

t.test('the documented order, worked out by hand', async (t) => {
  // mTLS, priority features, Calico: partial mTLS for kuma and cilium; istio is favoured by "maximum-features".
  // keys [missing, partial, -score, -favoured, complexity]: istio [0,0,-14,-1,4], linkerd [0,0,-14,0,1],
  // consul [0,0,-13,0,3], istio-ambient [0,0,-10,0,3], kuma [0,1,-12,0,2], cilium [0,1,-10,0,4]
  const features = ask({ requirements: { mtls: true }, priority: 'features', current: { cni: 'calico', mesh: 'none' } })
  t.same(order(features.candidates), ['istio', 'linkerd', 'consul', 'istio-ambient', 'kuma', 'cilium'])
  t.same(features.candidates.map((c) => c.rank), [1, 2, 3, 4, 5, 6])
  t.same(features.candidates.map((c) => c.featureScore), [14, 14, 13, 10, 12, 10])
  t.same(features.candidates.map((c) => c.complexity), ['High', 'Low-Medium', 'Medium-High', 'Medium-High', 'Medium', 'High'])
  t.same(features.candidates.map((c) => c.partialFeatures), [[], [], [], [], ['mtls'], ['mtls']])
  t.same(features.candidates[0]?.preferredBy, ['maximum-features'])

  // the same, priority simplicity: linkerd favoured by "simplicity-low-overhead"; keys [missing, partial,
  // complexity, -favoured, -score]: linkerd [0,0,1,-1], consul [0,0,3,0,-13], istio-ambient [0,0,3,0,-10],
  // istio [0,0,4,0,-14], kuma [0,1,2], cilium [0,1,4]
  const simple = ask({ requirements: { mtls: true }, priority: 'simplicity', current: { cni: 'calico', mesh: 'none' } })
  t.same(order(simple.candidates), ['linkerd', 'consul', 'istio-ambient', 'istio', 'kuma', 'cilium'])

  // rate limiting, simplicity, on Cilium: istio-ambient lacks it ("no"); cilium, consul, kuma have it in part;
  // favoured: linkerd (simplicity-low-overhead), cilium (cilium-cni). Keys: linkerd [0,0,1,-1], istio [0,0,4,0],
  // cilium [0,1,0,-1], kuma [0,1,2,0], consul [0,1,3,0], istio-ambient [1,...]
  const rl = ask({ requirements: { rateLimiting: true }, priority: 'simplicity', current: { cni: 'cilium', mesh: 'none' } })
  t.same(order(rl.candidates), ['linkerd', 'istio', 'cilium', 'kuma', 'consul', 'istio-ambient'])
  t.same(rl.candidates.map((c) => c.missingFeatures), [[], [], [], [], [], ['rateLimiting']])
  t.same(rl.candidates.find((c) => c.mesh === 'cilium')?.preferredBy, ['cilium-cni'])
  t.equal(rl.candidates.find((c) => c.mesh === 'cilium')?.complexity, 'Low')
})

t.test('the whole order is the documented one, recomputed from the published fields', async (t) => {
  // The documented order, recomputed by test/recommend-order.ts independently of the ranking code.
  const levels = shippedModels().decision?.complexity.levels ?? []
  let compared = 0
  for (const requirements of requirementSets(21)) {
    for (const priority of PRIORITIES) {
      for (const cni of ['cilium', 'calico'] as const) {
        const r = ask({ services: 30, pods: 200, requirements, priority, current: { cni, mesh: 'none' } })
        t.same(order(r.candidates), documentedOrder(r.candidates, priority, levels), `${JSON.stringify(requirements)} ${priority} ${cni}`)
        compared++
      }
    }
  }
  t.equal(compared, 24, '4 requirement sets (none, 3 alternate ones, all) x 3 priorities x 2 CNIs')
})

t.test('needsMesh: the seed\'s first tree, in its words', async (t) => {
  const few = ask({ services: 6, priority: 'simplicity' })
  t.same(few.needsMesh, {
    verdict: 'probably-not',
    reasons: ['6 services is under 10 and no requirement calls for a mesh: with fewer than 10 services and none of the requirements below, a mesh is probably not worth its overhead and the work of running it.'],
    seed: ['< 10 services, simple architecture → Probably not']
  })
  const many = ask({ services: 10 })
  t.equal(many.needsMesh.verdict, 'probably-not')
  t.match(many.needsMesh.reasons, [/^None of the requirements that call for a mesh/])
  t.same(many.needsMesh.seed, [], '10 is not under 10')
  const yes = ask({ services: 9, requirements: { mtls: true, trafficSplitting: true } })
  t.same(yes.needsMesh, {
    verdict: 'yes',
    reasons: [
      'You need mTLS between services: encrypting and authenticating service-to-service traffic without changing application code is what a mesh is for.',
      'You need traffic splitting (canary releases): weighted routing between versions of a service, inside the cluster, needs a proxy in the data path.',
      'With only 9 services, prefer the simplest candidate that covers these.'
    ],
    seed: ['Need mTLS between services → Yes', 'Need traffic splitting/canary → Yes']
  })
  t.equal(ask({ services: 10, requirements: { mtls: true } }).needsMesh.reasons.length, 1, 'no few-services note at 10')
  t.same(ask({ services: 40, requirements: { circuitBreaking: true } }).needsMesh.seed, [], 'a requirement beyond the seed has no seed words')
})

t.test('reasons: what each candidate is told', async (t) => {
  const r = ask({ services: 30, requirements: { circuitBreaking: true, rateLimiting: true }, priority: 'simplicity', current: { cni: 'cilium', mesh: 'none' } })
  const of = (mesh: string) => r.candidates.find((c) => c.mesh === mesh)?.reasons ?? []
  const linkerd = of('linkerd')
  // linkerd's circuitBreaking and rateLimiting cells: support yes, the seed said "No"
  t.same(linkerd.slice(0, 5), [
    'Covers circuit breaking, rate limiting.',
    'The seed\'s table said "No" for circuit breaking; the current docs say yes since 2.13.',
    'The seed\'s table said "No" for rate limiting; the current docs say yes since 2.17.',
    'The seed: "Need simplicity and low overhead → Linkerd" (the seed\'s pick for simplicity and low overhead).',
    'Complexity Low-Medium.'
  ])
  t.equal(linkerd[5], 'Feature score 14 of 14 (2 per yes, 1 per partial over the capability rows of GET /features).')
  // 30 services x 2 pods per service (models/defaults.yaml) = 60 pods
  t.match(linkerd[6], /^Indicative overhead [\d,]+\.\d\d USD a month at 60 pods \(2 per service\); give pods to price your workload\.$/)
  t.equal(linkerd.length, 7)
  const ambient = of('istio-ambient')
  t.match(ambient[0], /^Lacks rate limiting: .+\.$/)
  t.match(ambient[1], /^Covers circuit breaking only in part: .+\.$/)
  t.ok(ambient.includes('Ranked below every candidate that covers all the requirements.'))
  t.notOk(linkerd.some((s) => s.startsWith('Ranked below')))
  const cilium = of('cilium')
  t.ok(cilium.includes('Part of the cilium CNI you already run: no new installation.'))
  t.ok(cilium.includes('Complexity Low: the mesh is part of the CNI the cluster already runs, so adopting it means enabling features, not installing anything.'))
  t.ok(cilium.includes('Feature score 10 of 14 (2 per yes, 1 per partial over the capability rows of GET /features).'))
  t.ok(cilium.includes('The seed: "Already using Cilium CNI → Cilium Service Mesh" (the mesh is already installed as part of the CNI).'))

  const calico = ask({ services: 30, priority: 'overhead', current: { cni: 'other', mesh: 'none' } })
  const c2 = calico.candidates.find((c) => c.mesh === 'cilium')?.reasons ?? []
  t.ok(c2.includes('Part of the cilium CNI: adopting it means replacing your current CNI.'))
  t.ok(c2.some((s) => /^Complexity High: the mesh is part of a CNI the cluster does not run/.test(s)))
  t.ok(c2.some((s) => s.startsWith('The seed: "Cannot afford sidecar memory overhead')), 'per-node mode favoured under overhead')
  t.same(calico.candidates.find((c) => c.mesh === 'istio-ambient')?.preferredBy, ['no-sidecar-memory'])
  t.same(calico.candidates.find((c) => c.mesh === 'istio')?.preferredBy, [])
  const c3 = ask({ services: 30, priority: 'overhead', current: { cni: 'calico', mesh: 'none' } }).candidates.find((c) => c.mesh === 'cilium')?.reasons ?? []
  t.ok(c3.includes('Part of the cilium CNI: adopting it means replacing your calico CNI.'))

  // with pods and a current mesh: costs, the current mesh, savings
  const priced = ask({ services: 40, requirements: { mtls: true }, priority: 'overhead', current: { cni: 'calico', mesh: 'istio' }, pods: 200 })
  const istio = priced.candidates.find((c) => c.mesh === 'istio')
  t.ok(istio?.reasons.includes('You run it today.'))
  t.equal(istio?.estimate?.savingsAgainstCurrent?.monthly, 0)
  t.equal(istio?.estimate?.savingsAgainstCurrent?.yearly, 0)
  const linkerdPriced = priced.candidates.find((c) => c.mesh === 'linkerd')
  const istioCost = istio?.estimate?.monthly.expected ?? NaN
  const linkerdCost = linkerdPriced?.estimate?.monthly.expected ?? NaN
  t.ok(istioCost > linkerdCost, 'Istio costs more than Linkerd here')
  const saving = linkerdPriced?.estimate?.savingsAgainstCurrent
  t.equal(saving?.mesh, 'istio')
  t.equal(saving?.monthly, Math.round((istioCost - linkerdCost) * 100) / 100)
  t.equal(saving?.yearly, Math.round((istioCost - linkerdCost) * 1200) / 100)
  const money = (x: number) => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
  t.ok(linkerdPriced?.reasons.includes(`${money(istioCost - linkerdCost)} USD a month less than Istio (sidecar mode), which you run today.`))
  t.ok(linkerdPriced?.reasons.some((s) => /^Overhead [\d,]+\.\d\d USD a month expected \([\d,]+\.\d\d–[\d,]+\.\d\d\) for 200 pods, 0 additional nodes\.$/.test(s)))
  t.equal(linkerdPriced?.estimate?.sidecars, 200)
  t.equal(linkerdPriced?.estimate?.currency, 'USD')
  const dearer = priced.candidates.filter((c) => (c.estimate?.monthly.expected ?? 0) > istioCost)
  for (const c of dearer) t.ok(c.reasons.some((s) => / USD a month more than Istio \(sidecar mode\), which you run today\.$/.test(s)), c.mesh)
  t.notOk(ask({ services: 40, pods: 200 }).candidates[0]?.estimate?.savingsAgainstCurrent, 'no current mesh, no savings')
  t.notOk(ask({ services: 40 }).candidates[0]?.estimate, 'no pods, no estimate')
})

t.test('migration: the seed\'s table and the steps', async (t) => {
  const install = ask({ requirements: { mtls: true }, priority: 'simplicity', current: { cni: 'calico', mesh: 'none' } })
  t.same(install.migration.from, { cni: 'calico', mesh: 'none' })
  t.equal(install.migration.to, 'linkerd')
  t.same(install.migration.seed, { current: 'Calico CNI, no mesh', path: 'Add Linkerd (least invasive) or Istio (most features)' })
  t.equal(install.migration.steps.length, 2, 'install, verify')
  t.match(install.migration.steps[0], /^Install Linkerd, then enrol workloads/)
  t.match(install.migration.steps[1], /^Check health as you go: `linkerd check` \(/)
  t.same(install.migration.sources, ['istio-docs-sidecar-injection', 'linkerd-docs-proxy-injection', 'seed'])

  const cni = ask({ requirements: { trafficSplitting: true }, priority: 'overhead', current: { cni: 'cilium', mesh: 'none' } })
  t.equal(cni.migration.to, 'cilium')
  t.equal(cni.migration.steps[0], 'Cilium Service Mesh is part of the cilium CNI you already run: enable its service-mesh features in the existing install; no additional installation.')

  const move = ask({ requirements: { mtls: true }, priority: 'simplicity', current: { cni: 'calico', mesh: 'istio' } })
  t.same(move.migration.seed, { current: 'Istio, want to simplify', path: 'Consider Linkerd or Cilium for lower overhead' })
  t.equal(move.migration.steps.length, 5, 'install, side by side, translate, remove, verify')
  t.match(move.migration.steps[1], /^Run Istio \(sidecar mode\) and Linkerd side by side/)
  t.match(move.migration.steps[2], /^Rewrite Istio \(sidecar mode\)'s traffic rules for Linkerd:/)
  t.equal(move.migration.steps[3], 'When no workload carries Istio (sidecar mode)\'s proxy any more, uninstall Istio (sidecar mode)\'s control plane and CRDs.')

  const leave = ask({ requirements: { mtls: true, circuitBreaking: true }, priority: 'simplicity', current: { cni: 'cilium', mesh: 'cilium' } })
  t.equal(leave.migration.to, 'linkerd')
  t.notOk(leave.migration.seed, 'no seed row for leaving Cilium')
  t.match(leave.migration.steps[3], /^Cilium Service Mesh is part of the cilium CNI, which stays:/)

  const replace = ask({ requirements: { trafficSplitting: true }, priority: 'overhead', current: { cni: 'other', mesh: 'none' }, services: 5 })
  t.equal(replace.needsMesh.verdict, 'yes')
  const stay = ask({ requirements: { mtls: true }, priority: 'simplicity', current: { cni: 'calico', mesh: 'linkerd' } })
  t.equal(stay.migration.steps[0], 'You already run Linkerd, the best fit for these requirements and this priority, so there is nothing to migrate.')
  t.equal(stay.migration.steps.length, 2, 'stay, verify')
  const none = ask({ services: 5, priority: 'simplicity', current: { cni: 'calico', mesh: 'none' } })
  t.match(none.migration.steps[0], /^needsMesh says a mesh is probably not needed here/)
  t.equal(none.migration.steps.length, 3, 'no mesh needed, install, verify')

  // a mesh of another CNI at the top: replace the CNI first
  const cilium = recommend({ services: 30, priority: 'features', requirements: { trafficSplitting: true }, current: { cni: 'calico', mesh: 'none' } } as RecommendRequest, shippedModels())
  t.not(cilium.migration.to, 'cilium', 'Cilium on Calico is not the top candidate')
})

t.test('assumptions and sources', async (t) => {
  const r = ask({ services: 30, requirements: { mtls: true }, priority: 'features', current: { cni: 'calico', mesh: 'none' } })
  t.same(r.assumptions.requirements, ['mtls'])
  t.same(r.assumptions.current, { cni: 'calico', mesh: 'none' })
  t.equal(r.assumptions.pods, null)
  t.match(r.assumptions.rules, /^models\/decision\.yaml, revised \d{4}-\d\d-\d\d$/)
  t.equal(r.assumptions.notes.length, 3)
  t.equal(r.assumptions.notes[2], 'No pods given: overhead is ranked at an indicative 60 pods (2 per service) and no cost is shown.')
  t.equal(ask({ pods: 60 }).assumptions.notes.length, 2)
  const ids = r.sources.map((s) => s.id)
  t.same(ids, [...ids].sort(), 'sorted')
  t.ok(ids.includes('seed') && ids.includes('livewyer-2024') && ids.includes('cilium-docs-cni-migration'), 'the complexity rules are always cited')
  t.notOk(ids.includes('assume-no-requirement'), 'the no-requirement rule is cited only without requirements')
  t.ok(ask({}).sources.some((s) => s.id === 'assume-no-requirement'))
  t.ok(ask({ requirements: { multiCluster: true } }).sources.some((s) => s.id === 'assume-beyond-seed'))
  t.ok(r.sources.every((s) => typeof s.title === 'string'))
  t.equal(ask({ current: { cni: 'other' } }).assumptions.current.cni, 'other')
  t.equal(ask({}).assumptions.current.cni, 'other', 'no CNI given: other')
  t.equal(ask({ pods: 60, cluster: { cni: 'cilium' } }).assumptions.current.cni, 'cilium', 'the cluster\'s CNI when current names none')
})

t.test('contradictory inputs throw a DomainError naming the field', async (t) => {
  const cases: Array<[string, Partial<RecommendRequest>, string, string]> = [
    ['unknown current mesh', { services: 3, current: { mesh: 'nope' } }, '/current/mesh', 'unknown mesh "nope"; give "none" or one of: cilium, consul, istio-ambient, istio, kuma, linkerd'],
    ['Cilium as the mesh but not the CNI', { services: 3, current: { cni: 'calico', mesh: 'cilium' } }, '/current/cni', 'current.mesh "cilium" runs as part of the cilium CNI, but current.cni is "calico"'],
    ['two different CNIs', { services: 3, current: { cni: 'calico' }, pods: 10, cluster: { cni: 'cilium' } }, '/cluster/cni', 'contradicts current.cni ("calico"); give the CNI once, as current.cni'],
    ['two different service counts', { services: 3, pods: 10, workload: { services: 5 } }, '/workload/services', 'contradicts services (3); give the count once, as services'],
    ['fewer pods than services', { services: 30, pods: 10 }, '/pods', '10 pods cannot run 30 services: every service needs at least one pod'],
    ['workload fields without pods', { services: 30, cluster: { nodeType: 'aws/m5.large' } }, '/cluster', 'workload and cluster fields price the candidates, which needs pods: give pods too'],
    ['basis without pods', { services: 30, basis: 'max' }, '/basis', 'workload and cluster fields price the candidates, which needs pods: give pods too']
  ]
  for (const [name, request, pointer, detail] of cases) {
    const err = t.throws(() => ask(request), DomainError, name) as unknown as InstanceType<typeof DomainError>
    t.same(err.errors, [{ pointer, detail }], name)
  }
  t.doesNotThrow(() => ask({ services: 3, pods: 3, workload: { services: 3 }, current: { cni: 'cilium', mesh: 'cilium' }, cluster: { cni: 'cilium' } }), 'agreeing fields')
  t.throws(() => recommend({ services: 3, priority: 'features' } as RecommendRequest, fixtureModels()), /no decision rules loaded/)
})
