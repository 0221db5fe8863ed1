// POST /recommend: the seed's decision framework and migration table, each case in the seed's own words;
// baseline deltas on POST /estimate; bad and contradictory inputs.
import t, { type Test } from 'tap'
import type { RecommendResponse } from '../../src/schemas/recommend.js'
import { fixtureModels, shippedModels, testApp } from '../helpers.js'
import { documentedOrder, PRIORITIES, requirementSets } from '../recommend-order.js'

type Body = Record<string, unknown>
const ask = async (t: Test, body: Body) => {
  const app = await testApp(t)
  const res = await app.inject({ method: 'POST', url: '/recommend', payload: body })
  if (res.statusCode !== 200) t.fail(`status ${res.statusCode}: ${res.body}`)
  return res.json<RecommendResponse>()
}

t.test('Do you need a service mesh? (the seed\'s first tree)', async (t) => {
  t.test('"< 10 services, simple architecture → Probably not"', async (t) => {
    const r = await ask(t, { services: 6, priority: 'simplicity' })
    t.equal(r.needsMesh.verdict, 'probably-not')
    t.same(r.needsMesh.seed, ['< 10 services, simple architecture → Probably not'])
    t.match(r.needsMesh.reasons[0], /6 services is under 10/)
    t.match(r.migration.steps[0], /probably not needed/)
  })
  for (const [requirement, words] of [
    ['mtls', 'Need mTLS between services → Yes'],
    ['trafficSplitting', 'Need traffic splitting/canary → Yes'],
    ['l7Observability', 'Need L7 observability → Yes']
  ] as const) {
    t.test(`"${words}", even with few services`, async (t) => {
      const r = await ask(t, { services: 4, requirements: { [requirement]: true }, priority: 'simplicity' })
      t.equal(r.needsMesh.verdict, 'yes')
      t.same(r.needsMesh.seed, [words])
    })
  }
  t.test('beyond the seed: no requirement at 10 services or more is still "probably not", and says why', async (t) => {
    const r = await ask(t, { services: 200, priority: 'features' })
    t.equal(r.needsMesh.verdict, 'probably-not')
    t.match(r.needsMesh.reasons[0], /None of the requirements/)
  })
})

t.test('Which service mesh? (the seed\'s second tree)', async (t) => {
  t.test('"Need maximum features and traffic control → Istio"', async (t) => {
    const r = await ask(t, { services: 50, requirements: { mtls: true, trafficSplitting: true, circuitBreaking: true, rateLimiting: true, multiCluster: true }, priority: 'features' })
    t.equal(r.candidates[0]?.mesh, 'istio')
    t.ok(r.candidates[0]?.preferredBy.includes('maximum-features'))
    t.ok(r.candidates[0]?.reasons.some((s) => s.includes('Need maximum features and traffic control → Istio')))
  })
  t.test('"Need simplicity and low overhead → Linkerd"', async (t) => {
    const r = await ask(t, { services: 50, requirements: { mtls: true, l7Observability: true }, priority: 'simplicity', current: { cni: 'calico', mesh: 'none' } })
    t.equal(r.candidates[0]?.mesh, 'linkerd')
  })
  t.test('"Already using Cilium CNI → Cilium Service Mesh"', async (t) => {
    const r = await ask(t, { services: 50, requirements: { trafficSplitting: true, l7Observability: true }, priority: 'simplicity', current: { cni: 'cilium', mesh: 'none' } })
    t.equal(r.candidates[0]?.mesh, 'cilium')
    t.ok(r.candidates[0]?.reasons.some((s) => /already run: no new installation/.test(s)))
  })
  t.test('"Cannot afford sidecar memory overhead → Cilium Service Mesh" (when Cilium is the CNI)', async (t) => {
    const r = await ask(t, { services: 50, requirements: { trafficSplitting: true }, priority: 'overhead', current: { cni: 'cilium', mesh: 'none' }, pods: 100 })
    t.equal(r.candidates[0]?.mesh, 'cilium')
    t.equal(r.candidates[0]?.estimate?.sidecars, 0)
  })
  t.test('beyond the seed: Cilium on another CNI is no longer cheap, and costs say so', async (t) => {
    const r = await ask(t, { services: 50, requirements: { trafficSplitting: true }, priority: 'overhead', current: { cni: 'calico', mesh: 'none' }, pods: 100 })
    const cilium = r.candidates.find((c) => c.mesh === 'cilium')
    t.ok((cilium?.estimate?.extraPods ?? 0) > 0, 'agents, Envoy and operator are new pods')
    t.ok(cilium?.reasons.some((s) => /replacing your calico CNI/.test(s)))
  })
})

t.test('a candidate missing a required feature never ranks above one that has it', async (t) => {
  const models = shippedModels()
  const app = await testApp(t)
  const all = ['mtls', 'trafficSplitting', 'l7Observability', 'circuitBreaking', 'rateLimiting', 'multiCluster']
  for (let mask = 1; mask < 1 << all.length; mask += 5) {
    const requirements = Object.fromEntries(all.filter((_, i) => (mask >> i) & 1).map((k) => [k, true]))
    for (const priority of ['features', 'simplicity', 'overhead']) {
      for (const cni of ['cilium', 'calico']) {
        const r = (await app.inject({ method: 'POST', url: '/recommend', payload: { services: 30, requirements, priority, current: { cni, mesh: 'none' } } })).json<RecommendResponse>()
        t.equal(r.candidates.length, models.meshes.size)
        const keys = r.candidates.map((c) => [c.missingFeatures.length, c.partialFeatures.length])
        const sorted = [...keys].sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number))
        t.same(keys, sorted, `${JSON.stringify(requirements)} ${priority} ${cni}`)
        t.same(r.candidates.map((c) => c.rank), r.candidates.map((_, i) => i + 1))
      }
    }
  }
})

t.test('Migration Path (the seed\'s table)', async (t) => {
  t.test('"Calico CNI, no mesh → Add Linkerd (least invasive) or Istio (most features)"', async (t) => {
    const simple = await ask(t, { services: 30, requirements: { mtls: true }, priority: 'simplicity', current: { cni: 'calico', mesh: 'none' } })
    t.same(simple.migration.seed, { current: 'Calico CNI, no mesh', path: 'Add Linkerd (least invasive) or Istio (most features)' })
    t.equal(simple.migration.to, 'linkerd')
    t.match(simple.migration.steps[0], /^Install Linkerd, then enrol workloads one namespace at a time/)
    const featureful = await ask(t, { services: 30, requirements: { mtls: true, rateLimiting: true }, priority: 'features', current: { cni: 'calico', mesh: 'none' } })
    t.equal(featureful.migration.to, 'istio')
  })
  t.test('"Cilium CNI, no mesh → Enable Cilium Service Mesh features (no additional installation)"', async (t) => {
    const r = await ask(t, { services: 30, requirements: { trafficSplitting: true }, priority: 'overhead', current: { cni: 'cilium', mesh: 'none' } })
    t.same(r.migration.seed, { current: 'Cilium CNI, no mesh', path: 'Enable Cilium Service Mesh features (no additional installation)' })
    t.equal(r.migration.to, 'cilium')
    t.match(r.migration.steps[0], /enable its service-mesh features in the existing install; no additional installation/)
    t.match(r.migration.steps.at(-1), /cilium status/)
  })
  t.test('"Istio, want to simplify → Consider Linkerd or Cilium for lower overhead"', async (t) => {
    const r = await ask(t, { services: 30, requirements: { mtls: true }, priority: 'simplicity', current: { cni: 'calico', mesh: 'istio' } })
    t.same(r.migration.seed, { current: 'Istio, want to simplify', path: 'Consider Linkerd or Cilium for lower overhead' })
    t.equal(r.migration.to, 'linkerd')
    t.ok(r.migration.steps.some((s) => /side by side/.test(s)))
    t.ok(r.migration.steps.some((s) => /uninstall Istio/.test(s)))
    t.match(r.migration.steps.at(-1), /linkerd check/)
  })
  t.test('beyond the table: leaving Cilium\'s mesh keeps Cilium as the CNI', async (t) => {
    const r = await ask(t, { services: 30, requirements: { mtls: true, circuitBreaking: true }, priority: 'simplicity', current: { cni: 'cilium', mesh: 'cilium' } })
    t.not(r.migration.to, 'cilium')
    t.ok(r.migration.steps.some((s) => /turn off the mesh features/.test(s)))
    t.notOk(r.migration.steps.some((s) => /uninstall Cilium/.test(s)))
  })
  t.test('already on the best fit: nothing to migrate', async (t) => {
    const r = await ask(t, { services: 30, requirements: { mtls: true }, priority: 'simplicity', current: { cni: 'calico', mesh: 'linkerd' } })
    t.equal(r.migration.to, 'linkerd')
    t.match(r.migration.steps[0], /nothing to migrate/)
  })
})

t.test('current.mesh istio, priority overhead, a workload: cheaper candidates with their monthly savings against Istio', async (t) => {
  const r = await ask(t, { services: 40, requirements: { mtls: true, l7Observability: true }, priority: 'overhead', current: { cni: 'calico', mesh: 'istio' }, pods: 200 })
  const istio = r.candidates.find((c) => c.mesh === 'istio')
  t.equal(istio?.estimate?.savingsAgainstCurrent?.monthly, 0)
  const top = r.candidates[0]
  t.equal(top?.mesh, 'linkerd')
  const saving = top?.estimate?.savingsAgainstCurrent
  t.ok(saving !== undefined && saving.monthly > 0, `saves ${saving?.monthly} a month`)
  t.equal(saving?.monthly, Math.round(((istio?.estimate?.monthly.expected ?? 0) - (top?.estimate?.monthly.expected ?? 0)) * 100) / 100)
  t.equal(top?.estimate?.delta.baseline, 'istio')
  t.equal(top?.estimate?.delta.before.monthlyCost, istio?.estimate?.monthly.expected)
  t.ok(top?.reasons.some((s) => /a month less than Istio/.test(s)))
  // among candidates that cover every requirement, overhead ranks by cost
  const full = r.candidates.filter((c) => c.missingFeatures.length === 0 && c.partialFeatures.length === 0)
  const costs = full.map((c) => c.estimate?.monthly.expected ?? 0)
  t.same(costs, [...costs].sort((a, b) => a - b))
  t.ok(r.sources.some((s) => s.id === 'seed'), 'cites the seed')
})

t.test('bad and contradictory inputs get a 4xx problem document naming the field', async (t) => {
  const app = await testApp(t)
  const cases: Array<[string, Body, number, string, RegExp?]> = [
    ['negative services', { services: -3, priority: 'features' }, 400, '/services'],
    ['missing priority', { services: 3 }, 400, '/priority'],
    ['unknown priority', { services: 3, priority: 'cheapest' }, 400, '/priority'],
    ['unknown CNI', { services: 3, priority: 'features', current: { cni: 'weave-net' } }, 400, '/current/cni'],
    ['requirement as a string', { services: 3, priority: 'features', requirements: { mtls: 'yes' } }, 400, '/requirements/mtls'],
    ['unknown requirement', { services: 3, priority: 'features', requirements: { faultInjection: true } }, 400, '/requirements/faultInjection'],
    ['unknown current mesh', { services: 3, priority: 'features', current: { mesh: 'nope' } }, 422, '/current/mesh', /unknown mesh "nope"/],
    ['Cilium as the mesh but not the CNI', { services: 3, priority: 'features', current: { cni: 'calico', mesh: 'cilium' } }, 422, '/current/cni', /runs as part of the cilium CNI/],
    ['two different CNIs', { services: 3, priority: 'features', current: { cni: 'calico' }, pods: 10, cluster: { cni: 'cilium' } }, 422, '/cluster/cni'],
    ['two different service counts', { services: 3, priority: 'features', pods: 10, workload: { services: 5 } }, 422, '/workload/services'],
    ['fewer pods than services', { services: 30, priority: 'features', pods: 10 }, 422, '/pods'],
    ['workload fields without pods', { services: 30, priority: 'features', cluster: { nodeType: 'aws/m5.large' } }, 422, '/cluster'],
    ['unknown node type', { services: 3, priority: 'features', pods: 10, cluster: { nodeType: 'aws/m99.galactic' } }, 422, '/cluster/nodeType']
  ]
  for (const [name, body, status, pointer, detail] of cases) {
    const res = await app.inject({ method: 'POST', url: '/recommend', payload: body })
    t.equal(res.statusCode, status, `${name}: status`)
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${name}: problem+json`)
    const problem = res.json<{ errors?: Array<{ pointer: string, detail: string }> }>()
    const hit = problem.errors?.find((e) => e.pointer === pointer)
    t.ok(hit, `${name}: names ${pointer} (${res.body})`)
    if (detail !== undefined) t.match(hit?.detail, detail)
  }
  const est = await app.inject({ method: 'POST', url: '/estimate', payload: { pods: 10, baseline: 'nope' } })
  t.equal(est.statusCode, 422)
  t.match(est.json(), { errors: [{ pointer: '/baseline' }] })
})

t.test('a model set without decision rules answers 503, not a crash', async (t) => {
  const app = await testApp(t, fixtureModels())
  const res = await app.inject({ method: 'POST', url: '/recommend', payload: { services: 3, priority: 'features' } })
  t.equal(res.statusCode, 503)
  t.match(res.headers['content-type'], /problem\+json/)
})

t.test('the whole order is the documented one, not only the first place', async (t) => {
  // The documented order (GET /docs, POST /recommend), recomputed by test/recommend-order.ts from each
  // candidate's published fields, independently of the ranking code.
  const levels = shippedModels().decision?.complexity.levels ?? []
  const app = await testApp(t)
  let compared = 0
  for (const requirements of requirementSets(3)) {
    for (const priority of PRIORITIES) {
      for (const cni of ['cilium', 'calico']) {
        const r = (await app.inject({ method: 'POST', url: '/recommend', payload: { services: 30, pods: 200, requirements, priority, current: { cni, mesh: 'none' } } })).json<RecommendResponse>()
        for (const c of r.candidates) t.ok(levels.some((l) => c.complexity.startsWith(l)), `${c.mesh}: complexity "${c.complexity}" starts with a level`)
        t.same(r.candidates.map((c) => c.mesh), documentedOrder(r.candidates, priority, levels), `${JSON.stringify(requirements)} ${priority} ${cni}`)
        compared++
      }
    }
  }
  t.ok(compared >= 100, `${compared} orders compared`)
})
