// The one place a mesh's totals are summed, rounded and priced (src/engine/totals.ts), with figures worked by hand.
import t from 'tap'
import { BasisTotals, emptyPublished, replicasOf, ReplicaSums } from '../../src/engine/totals.js'

function sums (cpu: [number, number, number], memory: [number, number, number]): ReplicaSums {
  const s = new ReplicaSums()
  ;[s.basisCpuLow, s.basisCpuExpected, s.basisCpuHigh] = cpu
  ;[s.basisMemoryLow, s.basisMemoryExpected, s.basisMemoryHigh] = memory
  s.usedCpuExpected = 99 // usage is not what the totals sum: the basis is
  return s
}

t.test('totals: the basis summed, rounded to 6 digits, priced from the rounded figures', async (t) => {
  const totals = new BasisTotals()
  totals.add(sums([0.1, 0.5, 1.2], [0.25, 1, 3]))
  totals.add(sums([0.0234567, 0.3, 0.8], [0.75, 1, 1]))
  const out = emptyPublished()
  // 0.04 per core-hour, 0.005 per GiB-hour
  totals.publish({ cpuCoreHour: 0.04, memoryGiBHour: 0.005 }, out)
  t.same([out.cpuLow, out.cpuExpected, out.cpuHigh], [0.123457, 0.8, 2], '0.1 + 0.0234567 = 0.1234567, published as 0.123457')
  t.same([out.memoryLow, out.memoryExpected, out.memoryHigh], [1, 2, 4])
  // expected: 0.8 x 0.04 + 2 x 0.005 = 0.042 an hour; x 730 = 30.66 a month
  t.equal(out.hourlyExpected, 0.8 * 0.04 + 2 * 0.005)
  t.equal(out.hourlyLow, 0.123457 * 0.04 + 1 * 0.005, 'priced from the published 0.123457 cores, not the sum 0.1234567')
  t.equal(out.monthlyExpected, 30.66)
  // low from the rounded 0.123457 cores: (0.123457 x 0.04 + 1 x 0.005) x 730 = (0.00493828 + 0.005) x 730 = 7.2549... -> 7.25
  t.equal(out.monthlyLow, 7.25)
  // high: (2 x 0.04 + 4 x 0.005) x 730 = 0.1 x 730 = 73
  t.equal(out.monthlyHigh, 73)
  totals.reset()
  totals.publish({ cpuCoreHour: 0.04, memoryGiBHour: 0.005 }, out)
  t.same([out.cpuExpected, out.memoryExpected, out.monthlyExpected], [0, 0, 0], 'reset starts from zero')
})

t.test('replicas: one per meshed pod, one per node with the mesh, or the cluster count', async (t) => {
  t.equal(replicasOf('perPod', 120, 7, 3), 120)
  t.equal(replicasOf('perNode', 120, 7, 3), 7)
  t.equal(replicasOf('cluster', 120, 7, 3), 3)
})
