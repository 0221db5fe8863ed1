// Which sources an estimate cites: each component every source id found anywhere in its figures (sorted, once),
// the mesh estimate the documents of its included components and its latency figures. A toy mesh whose figures
// each cite a different source, so that every id can be traced by hand; latency multiplied by the hops.
import t from 'tap'
import type { Models } from '../../src/models/load.js'
import type { Component, MeshModel } from '../../src/models/schema.js'
import { estimate } from '../../src/engine/answer.js'
import { fixtureModels } from '../helpers.js'

const base = fixtureModels()
const alpha = base.meshes.get('alpha') as MeshModel
const [proxy, control, agent, dashboard] = alpha.components as [Component, Component, Component, Component]
const cite = <T extends object>(figure: T, ...sources: string[]): T => ({ ...figure, sources })
const toy: MeshModel = {
  ...alpha,
  id: 'toy',
  components: [
    {
      ...proxy,
      requests: cite(proxy.requests, 's-requests'),
      usage: {
        ...proxy.usage,
        cpu: cite(proxy.usage.cpu, 's-cpu', 's-shared'),
        memory: cite(proxy.usage.memory, 's-shared', 'a-memory'),
        scaling: (proxy.usage.scaling ?? []).map((s) => ({ ...s, cpu: cite(s.cpu as object, 'z-scaling') as typeof s.cpu }))
      }
    },
    { ...control, requests: cite(control.requests, 'c-control'), usage: { ...control.usage, cpu: cite(control.usage.cpu, 'c-control'), memory: cite(control.usage.memory, 'c-control') } },
    { ...agent, requests: cite(agent.requests, 'n-agent') },
    { ...dashboard, requests: cite(dashboard.requests, 'o-dashboard') }
  ],
  latency: {
    p50Ms: { low: 0.25, expected: 0.5, high: 1, sources: ['l-p50'] },
    p99Ms: { low: 1, expected: 2.5, high: 4, sources: ['l-p99', 's-shared'] }
  },
  sources: {
    ...alpha.sources,
    'a-memory': { title: 'A memory', kind: 'benchmark', url: 'https://example.org/a', version: '1.2' },
    'c-control': { title: 'C control', kind: 'default' },
    'l-p50': { title: 'L p50', kind: 'benchmark' },
    'l-p99': { title: 'L p99', kind: 'benchmark', url: 'https://example.org/l' },
    'n-agent': { title: 'N agent', kind: 'default' },
    'o-dashboard': { title: 'O dashboard', kind: 'default' },
    's-cpu': { title: 'S cpu', kind: 'benchmark' },
    's-requests': { title: 'S requests', kind: 'default' },
    's-shared': { title: 'S shared', kind: 'benchmark' }
    // z-scaling is cited but has no document: it is left out of the mesh's list
  }
} as unknown as MeshModel
const models = { ...base, meshes: new Map([['toy', toy]]) } as Models

t.test('component sources: every id in the component, sorted, once', async (t) => {
  const [e] = estimate({ pods: 10, meshes: ['toy'], traffic: { hopsPerRequest: 3 } }, models).estimates
  const of = (id: string) => e?.components.find((c) => c.id === id)?.sources
  // proxy: requests s-requests; usage.cpu s-cpu, s-shared; usage.memory s-shared, a-memory; scaling z-scaling
  t.same(of('proxy'), ['a-memory', 's-cpu', 's-requests', 's-shared', 'z-scaling'])
  t.same(of('control'), ['c-control', 'fixture'], 'c-control three times, once; the replicas still cite the fixture')
  // the agent runs (cni other); the dashboard is not installed without observability
  t.same(e?.components.map((c) => c.id), ['proxy', 'control', 'agent'])
  t.same(of('agent'), ['fixture', 'n-agent'])

  // the mesh's documents: the included components' ids and the latency's, sorted, those with a document only
  t.same(e?.sources.map((s) => s.id), ['a-memory', 'c-control', 'fixture', 'l-p50', 'l-p99', 'n-agent', 's-cpu', 's-requests', 's-shared'])
  t.same(e?.sources.find((s) => s.id === 'a-memory'), { id: 'a-memory', title: 'A memory', kind: 'benchmark', url: 'https://example.org/a', version: '1.2' })
  t.same(e?.sources.find((s) => s.id === 'c-control'), { id: 'c-control', title: 'C control', kind: 'default' }, 'no url, no version: no keys')
  t.same(e?.sources.find((s) => s.id === 'l-p99'), { id: 'l-p99', title: 'L p99', kind: 'benchmark', url: 'https://example.org/l' })

  // latency: per hop as given, per request x 3 hops; its sources p99's and p50's
  t.same(e?.latency, {
    hopsPerRequest: 3,
    perHop: { p99Ms: { low: 1, expected: 2.5, high: 4 }, p50Ms: { low: 0.25, expected: 0.5, high: 1 } },
    perRequest: { p99Ms: { low: 3, expected: 7.5, high: 12 }, p50Ms: { low: 0.75, expected: 1.5, high: 3 } },
    sources: ['l-p50', 'l-p99', 's-shared']
  })
})

t.test('the list follows the components the scenario includes', async (t) => {
  const withDashboard = estimate({ pods: 10, meshes: ['toy'], options: { observability: true } }, models).estimates[0]
  t.ok(withDashboard?.sources.some((s) => s.id === 'o-dashboard'), 'observability on: the dashboard is cited')
  const onCilium = estimate({ pods: 10, meshes: ['toy'], cluster: { cni: 'cilium' } }, models).estimates[0]
  t.notOk(onCilium?.sources.some((s) => s.id === 'n-agent'), 'the CNI runs the agent: not cited')
  t.same(onCilium?.components.map((c) => c.id), ['proxy', 'control'])
  const again = estimate({ pods: 10, meshes: ['toy'] }, models).estimates[0]
  t.notOk(again?.sources.some((s) => s.id === 'o-dashboard'), 'a cached list for one set of components is not served for another')
  t.ok(again?.sources.some((s) => s.id === 'n-agent'))
  t.same(estimate({ pods: 10, meshes: ['alpha'] }, base).estimates[0]?.latency, null, 'no latency figures: null')
})
