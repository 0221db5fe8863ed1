// Streamed answers hold nothing of what they have sent: a long NDJSON sweep over a real socket, memory
// sampled while it streams. Not a timing test: the bound is on memory, which does not depend on the machine's load.
import t from 'tap'
import { request } from 'undici'
import { testApp } from '../helpers.js'

t.test('a 200,000-point NDJSON sweep streams in flat memory: resident memory grows far less than the bytes sent', async (t) => {
  const app = await testApp(t)
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const points = 200_000
  const body = { scenario: { pods: 100, meshes: ['linkerd'] }, vary: 'pods', from: 1, to: points, steps: points }
  const sweep = async (b: typeof body) => await request(`${base}/estimate/sweep?format=ndjson`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) })
  // A short stream first, so that the code paths are compiled and their memory is counted in the baseline.
  await (await sweep({ ...body, to: 20_000, steps: 20_000 })).body.dump()
  const mib = (n: number): number => Math.round(n / 2 ** 20)

  // Resident memory is noisy: the garbage collector sometimes lets the heap grow by hundreds of MiB before it
  // collects (seen once in four runs on Node 20). An answer built or kept in memory grows it on every run, so
  // the stream runs three times and the least growth is judged.
  const runs: Array<{ total: number, secondHalf: number }> = []
  for (let run = 0; run < 3; run++) {
    const before = process.memoryUsage().rss
    let firstHalf = before // the highest resident memory while the first half of the bytes arrived
    let peak = before
    const res = await sweep(body)
    t.equal(res.statusCode, 200)
    let bytes = 0
    let lines = 0
    let chunks = 0
    for await (const chunk of res.body) {
      const buffer = chunk as Buffer
      bytes += buffer.length
      for (let i = buffer.indexOf(10); i !== -1; i = buffer.indexOf(10, i + 1)) lines++
      if (++chunks % 16 === 0) {
        peak = Math.max(peak, process.memoryUsage().rss)
        if (bytes < 34 * 2 ** 20) firstHalf = peak
      }
    }
    peak = Math.max(peak, process.memoryUsage().rss)
    t.equal(lines, points, 'every point arrived, one line each')
    // Were the answer built in memory, its text alone would take about as many bytes as were sent.
    t.ok(bytes > 50 * 2 ** 20, `${mib(bytes)} MiB sent`)
    runs.push({ total: peak - before, secondHalf: peak - firstHalf })
  }
  const least = (key: 'total' | 'secondHalf'): number => Math.min(...runs.map((r) => r[key]))
  const shown = (key: 'total' | 'secondHalf'): string => runs.map((r) => mib(r[key])).join(', ')
  // Flat: the second half of the stream adds little to what the first half reached (holding what was sent would
  // add the second half's 34 MiB of text and more); the first half's growth is the garbage collector's slack.
  // The least of three runs, on Node 20 and 24: 0 to 24 MiB in all, 0 to 11 MiB in the second half. An answer
  // built before sending holds at least its 68 MiB of text at once, so the bound on the whole is under that.
  t.ok(least('secondHalf') < 24 * 2 ** 20, `second half of the stream added ${shown('secondHalf')} MiB over the first half's peak: the least under 24 MiB`)
  t.ok(least('total') < 48 * 2 ** 20, `resident memory grew ${shown('total')} MiB in all while 68 MiB streamed: the least under 48 MiB`)
})
