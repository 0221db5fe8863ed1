// The 10,000-point sweep of npm run bench (pods 10 to 100,000, every shipped mesh), in every format, timed as the
// service's own log gives it (responseTimeMs: first byte in to last byte out), with the in-process engine beside
// it. Given other checkouts (built if they have no dist/server.js yet), their services run too and the calls alternate between
// them round by round, so that a before/after comparison shares whatever else the machine is doing.
//
//   npm run bench:sweep [-- /path/to/other/checkout ...]     (SWEEP_ROUNDS=5 rounds of one call per format)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { PACKAGE_ROOT } from '../src/config.js'
import { planSweep, sweepRows } from '../src/engine/sweep.js'
import { loadModels } from '../src/models/load.js'
import { STREAM_LIMITS, type SweepRequest } from '../src/schemas/integration.js'
import { STREAM_CHUNK_BYTES } from '../src/encoders/stream.js'
import { ByteWriter, sweepCsv, sweepJson, sweepNdjson } from '../src/encoders/sweep-text.js'

const ROUNDS = Number(process.env.SWEEP_ROUNDS ?? 5)
const BODY: SweepRequest = { scenario: { pods: 100 }, vary: 'pods', from: 10, to: 100_000, steps: 10_000 }
const QUERIES = ['', '?view=summary', '?format=ndjson', '?format=ndjson&view=summary', '?format=csv']
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ')
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN

interface Service { root: string, child: ChildProcess, url: string, log: string }

async function start (root: string): Promise<Service> {
  // this checkout is built first, as npm run bench does; another is built when it has no build yet
  if (root === PACKAGE_ROOT || !existsSync(join(root, 'dist', 'server.js'))) {
    const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, encoding: 'utf8' })
    if (!existsSync(join(root, 'dist', 'server.js'))) throw new Error(`${root}: build failed\n${built.stdout}${built.stderr}`)
  }
  const log = join(mkdtempSync(join(tmpdir(), 'meshcost-sweep-')), 'service.log')
  const env = { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', RATE_LIMIT_MAX: String(1e9) }
  const child = spawn(process.execPath, [join(root, 'dist', 'server.js')], { cwd: root, env, stdio: ['ignore', openSync(log, 'a'), 'inherit'] })
  for (let waited = 0; waited < 30_000; waited += 20) {
    const url = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(readFileSync(log, 'utf8'))?.[1]
    if (url !== undefined) return { root, child, url, log }
    await sleep(20)
  }
  throw new Error(`${root}: not listening after 30 s`)
}

/** The service's completed requests, in order. */
function completed (log: string): Array<{ url: string, statusCode: number, responseTimeMs: number }> {
  return readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('"request completed"')).map((l) => JSON.parse(l) as { url: string, statusCode: number, responseTimeMs: number })
}

/** The responseTimeMs of the next request the service logs after the first `seen`. */
async function nextServerTime (log: string, seen: number): Promise<number> {
  for (let waited = 0; waited < 10_000; waited += 10) {
    const next = completed(log)[seen]
    if (next !== undefined) {
      if (next.statusCode !== 200) throw new Error(`${next.url} answered ${next.statusCode}`)
      return next.responseTimeMs
    }
    await sleep(10)
  }
  throw new Error('no log line for the request')
}

const roots = [PACKAGE_ROOT, ...process.argv.slice(2).map((r) => resolve(r))]
console.log(`sweep bench, ${ROUNDS} rounds alternating over ${roots.length} service(s); load average ${load()}`)
const models = loadModels(join(PACKAGE_ROOT, 'models'))
const plan = planSweep(BODY, models, STREAM_LIMITS)
const engine: number[] = []
for (let i = 0; i < ROUNDS + 1; i++) {
  const c0 = process.cpuUsage()
  let points = 0
  for (const row of sweepRows(BODY, plan, models)) points += row.count
  const c = process.cpuUsage(c0)
  if (i > 0) engine.push((c.user + c.system) / 1000) // the first run warms V8 up
  if (points !== 10_000 * plan.meshes.length) throw new Error(`${points} points`)
}
console.log(`  this checkout's engine in-process (sweepRows, ${plan.meshes.length} meshes): ${median(engine).toFixed(1)} ms CPU (median of ${ROUNDS})`)
// The engine and the answer's bytes, in-process: the server's own work on a sweep, without HTTP and the client.
for (const query of QUERIES) {
  const summary = query.includes('summary')
  const cpu: number[] = []
  for (let i = 0; i < ROUNDS + 1; i++) {
    const c0 = process.cpuUsage()
    if (query.includes('ndjson') || query.includes('csv')) {
      const w = new ByteWriter(2 * STREAM_CHUNK_BYTES) // as routes/sweep.ts cuts its stream
      const write = query.includes('csv') ? sweepCsv(plan, summary, w).rows : sweepNdjson(plan, summary, w)
      for (const row of sweepRows(BODY, plan, models)) {
        write(row.x, row.meshes, row.count)
        if (w.written >= STREAM_CHUNK_BYTES) w.take()
      }
    } else {
      const answer = sweepJson(plan, summary, BODY.steps)
      for (const row of sweepRows(BODY, plan, models)) answer.add(row.x, row.meshes, row.count)
      Array.from(answer.chunks(STREAM_CHUNK_BYTES)) // what the route sends, chunk by chunk
    }
    const c = process.cpuUsage(c0)
    if (i > 0) cpu.push((c.user + c.system) / 1000)
  }
  console.log(`    engine and bytes in-process, ${(query || '(JSON)').padEnd(30)} ${median(cpu).toFixed(1).padStart(7)} ms CPU`)
}

const services: Service[] = []
for (const root of roots) services.push(await start(root))
try {
  const times = new Map<string, number[]>()
  const payload = JSON.stringify(BODY)
  for (let round = 0; round <= ROUNDS; round++) {
    for (const service of services) {
      for (const query of QUERIES) {
        const url = `/estimate/sweep${query}`
        let ms = Number.NaN
        // A call the overload guard sheds (503: the JSON sweep before it held the event loop) is retried after
        // its Retry-After, as npm run bench does.
        for (let attempt = 0; Number.isNaN(ms) && attempt < 10; attempt++) {
          const seen = completed(service.log).length
          const res = await request(service.url + url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload })
          for await (const chunk of res.body) if (chunk.length < 0) throw new Error() // read to the end (dump() stops at 128 KiB and closes the stream)
          if (res.statusCode === 503) await sleep(1000 * Number(res.headers['retry-after'] ?? 1))
          else ms = await nextServerTime(service.log, seen)
        }
        if (round === 0) continue // warm-up
        const key = `${service.root}\t${query || '(JSON)'}`
        times.set(key, [...(times.get(key) ?? []), ms])
      }
    }
  }
  for (const service of services) {
    console.log(`  ${service.root}: server time, median of ${ROUNDS}`)
    for (const query of QUERIES) console.log(`    ${(query || '(JSON)').padEnd(30)} ${median(times.get(`${service.root}\t${query || '(JSON)'}`) ?? []).toFixed(1).padStart(8)} ms`)
  }
} finally {
  for (const s of services) s.child.kill('SIGTERM')
}
console.log(`load average after: ${load()}`)
