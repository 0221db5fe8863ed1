// Streamed answers hold nothing of what they have sent: a long NDJSON sweep over a real socket, memory
// sampled while it streams. Not a timing test: the bound is on memory, which does not depend on the machine's load.
import t from 'tap'
import { request } from 'undici'
import { testApp } from './helpers.js'

t.test('a 200,000-point NDJSON sweep streams in flat memory: resident memory grows far less than the bytes sent', async (t) => {
  const app = await testApp(t)
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const points = 200_000
  const body = { scenario: { pods: 100, meshes: ['linkerd'] }, vary: 'pods', from: 1, to: points, steps: points }
  // A short stream first, so that the code paths are compiled and their memory is counted in the baseline.
  await (await request(`${base}/estimate/sweep?format=ndjson`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, to: 20_000, steps: 20_000 }) })).body.dump()
  const before = process.memoryUsage().rss
  let firstHalf = before // the highest resident memory while the first half of the bytes arrived
  let peak = before
  const res = await request(`${base}/estimate/sweep?format=ndjson`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
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
  const mib = (n: number): number => Math.round(n / 2 ** 20)
  // Were the answer built in memory, its text alone would take about as many bytes as were sent.
  t.ok(bytes > 50 * 2 ** 20, `${mib(bytes)} MiB sent`)
  // Flat: the second half of the stream adds next to nothing to what the first half reached (a buffered
  // answer would add its 34 MiB of text and more); the first half's growth is the garbage collector's slack.
  t.ok(peak - firstHalf < 12 * 2 ** 20, `peak ${mib(firstHalf)} MiB over the first half, ${mib(peak)} MiB over the whole: under 12 MiB more for the second half`)
  t.ok(peak - before < 64 * 2 ** 20, `resident memory grew ${mib(peak - before)} MiB in all (from ${mib(before)} to ${mib(peak)}) while ${mib(bytes)} MiB streamed`)
})
