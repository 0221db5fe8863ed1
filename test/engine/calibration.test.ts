// Every published benchmark a model lists under `calibrations` is rebuilt as a scenario; the model must
// reproduce the published figure for one replica, on the usage basis, within the tolerance the model states.
import t from 'tap'
import { reproduce } from '../../src/engine/calibration.js'
import type { Models } from '../../src/models/load.js'
import type { Calibration, MeshModel } from '../../src/models/schema.js'
import { fixtureModels, near, shippedModels } from '../helpers.js'

const models = shippedModels()
const calibrated = [...models.meshes.values()].filter((m) => (m.calibrations ?? []).length > 0)

t.test('the published per-rps and at-scale figures are all calibrated', async (t) => {
  const ids = calibrated.flatMap((m) => (m.calibrations ?? []).map((c) => `${m.id}/${c.id}`))
  t.ok(ids.length >= 4, `calibrations: ${ids.join(', ')}`)
})

for (const mesh of calibrated) {
  for (const calibration of mesh.calibrations ?? []) {
    t.test(`${mesh.id}: ${calibration.title}`, async (t) => {
      const file = reproduce(mesh, calibration, models)
      const served = reproduce(mesh, calibration, models, true)
      const mib = (gib: number): string => `${(gib * 1024).toFixed(2)} MiB`
      const parts = (r: typeof file, memoryRange: boolean): string => [
        r.published.cpuCores === undefined ? '' : `cpu: model ${r.model.cpuCores.toFixed(4)} [${r.range.cpuCores.low.toFixed(4)}, ${r.range.cpuCores.high.toFixed(4)}] vs published ${r.published.cpuCores}`,
        r.published.memoryGiB === undefined ? '' : `memory: model ${mib(r.model.memoryGiB)}${memoryRange ? ` [${mib(r.range.memoryGiB.low)}, ${mib(r.range.memoryGiB.high)}]` : ''} vs published ${mib(r.published.memoryGiB)}`
      ].filter(Boolean).join('; ')
      t.ok(file.pass, `model file: ${parts(file, false)} (within ${calibration.tolerancePercent}%)`)
      // A figure the served range excludes must say why in its model file (servedExcludes), and stay excluded
      if (calibration.servedExcludes === undefined) t.ok(served.pass, `served model: ${parts(served, true)} (inside one replica's range)`)
      else t.notOk(served.pass, `served model excludes it, as the model file states: ${parts(served, true)}`)
    })
  }
}

t.test('a calibration fails when the model strays', async (t) => {
  const mesh = calibrated[0]
  const calibration = mesh?.calibrations?.[0]
  if (mesh === undefined || calibration === undefined) return t.fail('no calibration to test with')
  const doubled = { ...calibration, cpu: calibration.cpu === undefined ? undefined : `${Number(calibration.cpu.replace(/m$/, '')) * 3}${calibration.cpu.endsWith('m') ? 'm' : ''}`, memory: calibration.memory === undefined ? undefined : calibration.memory.replace(/^[0-9.]+/, (n) => String(Number(n) * 3)), tolerancePercent: 10 }
  t.notOk(reproduce(mesh, doubled, models).pass, 'three times the published figure is not reproduced')
})

// reproduce() on a toy mesh whose figures are worked out by hand, so that each field of a calibration's scenario
// is seen to reach the estimate (each one changes the figure read back).
const base = fixtureModels()
const alpha = base.meshes.get('alpha') as MeshModel
const fixed = (x: string) => ({ low: x, expected: x, high: x, sources: ['fixture'] })
const toy = {
  ...alpha,
  id: 'toy',
  calibrations: [],
  components: [
    {
      id: 'proxy',
      name: 'proxy',
      scope: 'perPod',
      role: 'data-plane',
      requests: { cpu: '100m', memory: '128Mi', sources: ['fixture'] },
      usage: {
        cpu: fixed('10m'),
        memory: fixed('64Mi'),
        scaling: [{ per: 'thousandRequestsPerSecond', cpu: fixed('0.2') }, { per: 'visibleService', memory: fixed('1Mi') }]
      }
    },
    {
      id: 'agent',
      name: 'agent',
      scope: 'perNode',
      role: 'data-plane',
      requests: { cpu: '100m', memory: '256Mi', sources: ['fixture'] },
      usage: { cpu: fixed('50m'), memory: fixed('128Mi'), scaling: [{ per: 'meshedPodPerReplica', memory: fixed('1Mi') }] }
    }
  ]
} as unknown as MeshModel
const toyModels = { ...base, meshes: new Map([['toy', toy]]), priors: new Map([['toy', toy]]) } as Models
const calibration = (c: Partial<Calibration>): Calibration => ({ id: 'c', title: 'c', component: 'proxy', scenario: { pods: 50 }, tolerancePercent: 0, sources: ['fixture'], ...c })
const GiB = (mebibytes: number) => mebibytes / 1024

t.test('hand check: the scenario\'s traffic, services and scoping reach the proxy\'s figure', async (t) => {
  // 50 pods at 500 rps each, 40 services: cpu 10m + 0.2 x 500 / 1000 = 110m; memory 64Mi + 40 x 1Mi = 104Mi
  const open = reproduce(toy, calibration({ scenario: { pods: 50, requestsPerSecondPerPod: 500, services: 40 }, cpu: '110m', memory: '104Mi' }), toyModels)
  // (the estimate's totals carry 6 decimals, so a figure per replica is within 1e-6 of the exact one)
  t.ok(near(open.model.cpuCores, 0.11), `${open.model.cpuCores}`)
  t.ok(near(open.model.memoryGiB, GiB(104)), `${open.model.memoryGiB}`)
  t.same(open.published, { cpuCores: 0.11, memoryGiB: GiB(104) })
  t.equal(open.pass, true)
  // scoped to 8 of the 40 services: 64Mi + 8 x 1Mi = 72Mi; without the scoping flag the 8 do not apply
  const scoped = reproduce(toy, calibration({ scenario: { pods: 50, requestsPerSecondPerPod: 500, services: 40, sidecarScoping: true, servicesVisibleWhenScoped: 8 }, memory: '72Mi' }), toyModels)
  t.ok(near(scoped.model.memoryGiB, GiB(72)), `${scoped.model.memoryGiB}`)
  t.equal(scoped.pass, true)
  t.ok(near(reproduce(toy, calibration({ scenario: { pods: 50, services: 40, servicesVisibleWhenScoped: 8 } }), toyModels).model.memoryGiB, GiB(104)), 'scoping off: every service')
  // no traffic given: the defaults' rate, not 0 rps, so the figure is above the 10m base
  t.ok(reproduce(toy, calibration({ scenario: { pods: 50 } }), toyModels).model.cpuCores > 0.01)
})

t.test('hand check: the scenario\'s node count reaches a per-node agent\'s figure', async (t) => {
  // 8 pods on 4 nodes: 4 agents, each serving 8 / 4 = 2 pods: 128Mi + 2 x 1Mi = 130Mi, and 50m of CPU.
  // (cluster.nodes is the nodes the cluster has: the fixture's 4-core node holds 3 meshed pods, so 8 pods
  // need 3 nodes, and asking for 4 gives 4.)
  const agent = reproduce(toy, calibration({ component: 'agent', scenario: { pods: 8, nodes: 4 }, memory: '130Mi', tolerancePercent: 0.001 }), toyModels)
  t.ok(near(agent.model.memoryGiB, GiB(130)), `${agent.model.memoryGiB}`)
  t.ok(near(agent.model.cpuCores, 0.05), `${agent.model.cpuCores}`)
  t.same(agent.published, { memoryGiB: GiB(130) }, 'only the figures the calibration gives')
  t.equal(agent.pass, true, 'no published CPU: CPU is not judged')
  // without the node count: 3 nodes, 8 / 3 pods each: 128Mi + 2.67 x 1Mi = 130.67Mi, 0.5 % over 130Mi
  const three = reproduce(toy, calibration({ component: 'agent', scenario: { pods: 8 }, memory: '130Mi', tolerancePercent: 0.001 }), toyModels)
  t.ok(near(three.model.memoryGiB, GiB(128 + 8 / 3)), `${three.model.memoryGiB}`)
  t.equal(three.pass, false)
})

t.test('the tolerance is a share of the published figure, both figures must hold', async (t) => {
  // model 110m against 100m published: 10 % off
  const at = (tolerancePercent: number, memory?: string) => reproduce(toy, calibration({ scenario: { pods: 50, requestsPerSecondPerPod: 500, services: 40 }, cpu: '100m', ...(memory === undefined ? {} : { memory }), tolerancePercent }), toyModels).pass
  t.equal(at(10), true, 'within 10 %')
  t.equal(at(9), false, 'not within 9 %')
  t.equal(at(10, '104Mi'), true, 'CPU within, memory exact')
  t.equal(at(10, '200Mi'), false, 'CPU within, memory not')
  t.equal(reproduce(toy, calibration({ scenario: { pods: 50, requestsPerSecondPerPod: 500, services: 40 }, cpu: '110m', memory: '100Mi', tolerancePercent: 3 }), toyModels).pass, false, 'memory 4 % off, 3 % allowed')
  t.equal(reproduce(toy, calibration({ scenario: { pods: 50, requestsPerSecondPerPod: 500, services: 40 }, cpu: '110m', memory: '100Mi', tolerancePercent: 4 }), toyModels).pass, true, 'memory 4 % off, 4 % allowed')
  t.throws(() => reproduce(toy, calibration({ component: 'nope' }), toyModels), /toy: nope is not in the estimate/)
})
