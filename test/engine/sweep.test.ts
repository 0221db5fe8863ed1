// The x values of a sweep: linear and log scales.
import t from 'tap'
import { sweepValues } from '../../src/engine/sweep.js'

t.test('x values: linear and log, ends included, integers rounded and deduplicated', async (t) => {
  t.same(sweepValues(10, 100, 4, 'linear', true), [10, 40, 70, 100])
  t.same(sweepValues(10, 10000, 4, 'log', true), [10, 100, 1000, 10000])
  t.same(sweepValues(1, 3, 10, 'linear', true), [1, 2, 3], 'repeated integers dropped')
  t.same(sweepValues(0, 1, 3, 'linear', false), [0, 0.5, 1])
})
