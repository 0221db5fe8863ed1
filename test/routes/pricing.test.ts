import t from 'tap'
import { testApp } from '../helpers.js'

t.test('GET /pricing lists the books, the default marked', async (t) => {
  const app = await testApp(t)
  const { books } = (await app.inject('/pricing')).json<{ books: Array<{ id: string, default: boolean, cpuCoreHour: number, memoryGiBHour: number, asOf?: string }> }>()
  // configs/default.json: CPU 0.031611, RAM 0.004237, spotCPU 0.006655, spotRAM 0.000892, GPU 0.95
  t.match(books.find((b) => b.default), { id: 'opencost-default', cpuCoreHour: 0.031611, memoryGiBHour: 0.004237, spotCpuCoreHour: 0.006655, spotMemoryGiBHour: 0.000892, gpuHour: 0.95, asOf: '2020-02-12' })
  t.ok(books.every((b) => /^\d{4}-\d{2}-\d{2}$/.test(String(b.asOf))), 'every book is dated')
  t.equal(books.filter((b) => b.default).length, 1)
})
