// What POST /recommend tells each candidate, in full, and GET /features' rows, called in-process. The route test
// (test/routes/recommend.test.ts) checked much of this only over HTTP, which mutation testing does not run, so
// mutants in the sentence building survived (docs/testing.md). Every expected sentence below is read off the
// model files by hand: the feature cells of models/meshes/*.yaml (support, detail, the seed's word, since) and
// the rules of models/decision.yaml (labels, preferences, the complexity levels and their CNI adjustments).
// Costs in the sentences are the estimate's own figures (checked by hand in test/engine/estimate.*.test.ts):
// here only how they are written (two decimals, thousands separators, "node" or "nodes").
import t from 'tap'
import type { RecommendRequest } from '../../src/schemas/recommend.js'
import { featureRows, recommend } from '../../src/engine/recommend.js'
import { shippedModels } from '../helpers.js'

const ask = (request: Partial<RecommendRequest>) => recommend({ services: 30, priority: 'features', ...request } as RecommendRequest, shippedModels())
const money = (x: number) => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
const SCORE = (n: number) => `Feature score ${n} of 14 (2 per yes, 1 per partial over the capability rows of GET /features).`

t.test('every reason of every candidate: mTLS and rate limiting, priority overhead, Calico, Linkerd today, 300 pods', async (t) => {
  const r = ask({ services: 30, priority: 'overhead', pods: 300, requirements: { mtls: true, rateLimiting: true }, current: { cni: 'calico', mesh: 'linkerd' } })
  const byMesh = new Map(r.candidates.map((c) => [c.mesh, c]))
  const reasons = (mesh: string) => byMesh.get(mesh)?.reasons ?? []
  // "Overhead <expected> USD a month expected (<low>–<high>) for 300 pods, <n> additional node(s)."
  const overhead = (mesh: string) => {
    const e = byMesh.get(mesh)?.estimate
    const n = e?.additionalNodes ?? NaN
    return `Overhead ${money(e?.monthly.expected ?? NaN)} USD a month expected (${money(e?.monthly.low ?? NaN)}–${money(e?.monthly.high ?? NaN)}) for 300 pods, ${n} additional node${n === 1 ? '' : 's'}.`
  }
  const linkerdCost = byMesh.get('linkerd')?.estimate?.monthly.expected ?? NaN
  const against = (mesh: string) => {
    const saving = linkerdCost - (byMesh.get(mesh)?.estimate?.monthly.expected ?? NaN)
    return saving >= 0 ? `${money(saving)} USD a month less than Linkerd, which you run today.` : `${money(-saving)} USD a month more than Linkerd, which you run today.`
  }
  const pickLinkerd = 'The seed: "Need simplicity and low overhead → Linkerd" (the seed\'s pick for simplicity and low overhead).'
  const noSidecar = 'The seed: "Cannot afford sidecar memory overhead → Cilium Service Mesh" (the seed names Cilium; the rule is read as any mesh without per-pod sidecars (a per-node data plane)).'

  // linkerd: mtls yes, rateLimiting yes since 2.17 where the seed said "No"; favoured under overhead; Low-Medium
  t.same(reasons('linkerd'), [
    'Covers mTLS between services, rate limiting.',
    'The seed\'s table said "No" for rate limiting; the current docs say yes since 2.17.',
    pickLinkerd,
    'Complexity Low-Medium.',
    SCORE(14),
    overhead('linkerd'),
    'You run it today.'
  ])
  // istio: both yes, the seed agreed; no preference under overhead on Calico (sidecars); High
  t.same(reasons('istio'), ['Covers mTLS between services, rate limiting.', 'Complexity High.', SCORE(14), overhead('istio'), against('istio')])
  // consul: rateLimiting partial (Enterprise only), mtls yes; Medium-High; score 2+2+2+1+2+2+2 = 13
  t.same(reasons('consul'), [
    'Covers rate limiting only in part: per-instance request rate limits in service-defaults RateLimits (overall and per path) — Consul Enterprise only, 1.17+; none in the community edition.',
    'Covers mTLS between services.',
    'Complexity Medium-High.',
    SCORE(13),
    overhead('consul'),
    against('consul')
  ])
  // cilium: both partial, the seed said "Yes, via WireGuard or SPIFFE" and "Yes"; per-node data plane favoured
  // under overhead; part of the cilium CNI on a Calico cluster: Medium (2) + 2 = High (4), with the reason
  t.same(reasons('cilium'), [
    'Covers mTLS between services only in part: mutual authentication with SPIFFE/SPIRE identities is a beta feature, performed out-of-band: the handshake does not encrypt the data path, so encryption needs WireGuard or IPsec transparent encryption (node/pod-level, not per-workload mTLS); not compatible with Cluster Mesh.',
    'Covers rate limiting only in part: no first-class request rate limiting; possible with Envoy local rate-limit filters in a CiliumEnvoyConfig (custom listener); the Bandwidth Manager limits bytes per second per pod, not requests.',
    'The seed\'s table said "Yes, via WireGuard or SPIFFE" for mTLS between services; the current docs say partial.',
    'The seed\'s table said "Yes" for rate limiting; the current docs say partial.',
    noSidecar,
    'Part of the cilium CNI: adopting it means replacing your calico CNI.',
    'Complexity High: the mesh is part of a CNI the cluster does not run, so adopting it means migrating the CNI first, "a time-consuming and difficult process" in LiveWyer\'s assessment.',
    SCORE(10),
    overhead('cilium'),
    against('cilium')
  ])
  // istio-ambient: rateLimiting "no" (lacks it), mtls yes; per-node data plane favoured; Medium-High
  t.same(reasons('istio-ambient'), [
    'Lacks rate limiting: no Istio rate-limit API; the sidecar-mode route (EnvoyFilter with Envoy\'s rate-limit filters) is explicitly not implemented for waypoints (istio/istio#55149, support tracked in #43720); rate limiting only at an ingress gateway.',
    'Covers mTLS between services.',
    'Ranked below every candidate that covers all the requirements.',
    noSidecar,
    'Complexity Medium-High.',
    SCORE(10),
    overhead('istio-ambient'),
    against('istio-ambient')
  ])
  t.equal(byMesh.get('istio-ambient')?.rank, 6, 'the one candidate missing a requirement ranks last')
  // the figures in the sentences: at least one with a thousands separator and one with a trailing zero
  // (a larger mesh for the separator: 3,000 pods cost more than 1,000 a month on some candidate's high bound)
  const large = ask({ services: 30, priority: 'overhead', pods: 3000, requirements: { mtls: true, rateLimiting: true }, current: { cni: 'calico', mesh: 'linkerd' } })
  t.ok(large.candidates.some((c) => c.reasons.some((s) => /\d,\d{3}\.\d\d/.test(s))), 'thousands separators')
  t.ok(r.candidates.some((c) => c.reasons.some((s) => /\d\.\d0[–) ]/.test(s))), 'two decimals kept when the second is 0')
  t.ok(r.candidates.some((c) => c.estimate?.additionalNodes === 1), 'one candidate needs exactly one node ("1 additional node.")')
  for (const c of r.candidates) {
    t.equal(c.estimate?.savingsAgainstCurrent?.mesh, 'linkerd', c.mesh)
    t.equal(c.estimate?.savingsAgainstCurrent?.yearly, Math.round((linkerdCost - (c.estimate?.monthly.expected ?? NaN)) * 1200) / 100, `${c.mesh}: 12 × the monthly saving`)
  }
  // the staying path: "stay" then "verify" with Linkerd's health commands (models/meshes/linkerd.yaml operations)
  t.equal(r.migration.steps[0], 'You already run Linkerd, the best fit for these requirements and this priority, so there is nothing to migrate.')
  t.match(r.migration.steps[1], /^Check health as you go: `linkerd check` \(control plane, certificates and extensions healthy .*\), `linkerd viz stat deploy -n <ns>` \(.*\), `linkerd viz tap deploy\/<name> -n <ns>` \(.*\)\.$/)
  t.notOk(r.migration.seed, 'no seed row for "Linkerd today"')
})

t.test('without pods, no candidate is compared with the mesh run today and none carries an estimate', async (t) => {
  const r = ask({ services: 30, priority: 'overhead', current: { cni: 'calico', mesh: 'istio' } })
  for (const c of r.candidates) {
    t.notOk(c.reasons.some((s) => s.endsWith('which you run today.')), c.mesh)
    t.equal(c.estimate, undefined, c.mesh)
  }
  t.ok(r.candidates.find((c) => c.mesh === 'istio')?.reasons.includes('You run it today.'))
})

t.test('the seed\'s migration rows match on the CNI', async (t) => {
  // models/decision.yaml: { cniNot: [cilium], mesh: [none] } → "Calico CNI, no mesh"; { cni: [cilium], mesh: [none] }
  // → "Cilium CNI, no mesh"; the first row must not match on Cilium, the second not on Calico
  t.same(ask({ requirements: { trafficSplitting: true }, current: { cni: 'cilium', mesh: 'none' } }).migration.seed,
    { current: 'Cilium CNI, no mesh', path: 'Enable Cilium Service Mesh features (no additional installation)' })
  t.same(ask({ requirements: { trafficSplitting: true }, current: { cni: 'calico', mesh: 'none' } }).migration.seed,
    { current: 'Calico CNI, no mesh', path: 'Add Linkerd (least invasive) or Istio (most features)' })
  // the "cilium-cni" preference ({ cni: [cilium] }) favours Cilium only on a Cilium cluster
  const cilium = (cni: 'cilium' | 'calico') => ask({ priority: 'simplicity', current: { cni, mesh: 'none' } }).candidates.find((c) => c.mesh === 'cilium')
  t.same(cilium('cilium')?.preferredBy, ['cilium-cni'])
  t.same(cilium('calico')?.preferredBy, [])
  t.notOk(cilium('calico')?.reasons.some((s) => s.startsWith('The seed: "Already using Cilium CNI')))
})

t.test('GET /features rows: every feature of the seed\'s table in order, with the requirement that asks for it', async (t) => {
  // models/decision.yaml needsMesh.requirements: mtls → mtls, trafficSplitting → trafficSplitting,
  // l7Observability → observability, circuitBreaking → circuitBreaking, rateLimiting → rateLimiting,
  // multiCluster → multiCluster; proxy, retriesTimeouts, complexity, cncfStatus answer no requirement
  t.same(featureRows(shippedModels().decision), [
    { id: 'proxy' },
    { id: 'mtls', requirement: 'mtls' },
    { id: 'trafficSplitting', requirement: 'trafficSplitting' },
    { id: 'circuitBreaking', requirement: 'circuitBreaking' },
    { id: 'rateLimiting', requirement: 'rateLimiting' },
    { id: 'retriesTimeouts' },
    { id: 'multiCluster', requirement: 'multiCluster' },
    { id: 'observability', requirement: 'l7Observability' },
    { id: 'complexity' },
    { id: 'cncfStatus' }
  ])
  t.same(featureRows(undefined).map((r) => Object.keys(r)), Array.from({ length: 10 }, () => ['id']), 'no rules: ids only')
  t.same(featureRows(undefined).map((r) => r.id), ['proxy', 'mtls', 'trafficSplitting', 'circuitBreaking', 'rateLimiting', 'retriesTimeouts', 'multiCluster', 'observability', 'complexity', 'cncfStatus'])
})
