// Kubernetes quantities as numbers: cores and GiB.
import t from 'tap'
import { cpuCores, memoryGiB } from '../../src/models/quantity.js'

t.test('quantities', async (t) => {
  t.equal(cpuCores('100m'), 0.1)
  t.equal(cpuCores('2'), 2)
  t.equal(memoryGiB('128Mi'), 0.125)
  t.equal(memoryGiB('2Gi'), 2)
  t.equal(memoryGiB('60M'), 60e6 / 2 ** 30)
  t.equal(memoryGiB('1024Ki'), 1 / 1024)
  t.throws(() => cpuCores('1Gi'))
  t.throws(() => memoryGiB('1x'))
  t.throws(() => memoryGiB('lots'))
})
