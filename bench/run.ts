// npm run bench: the real server as a child process on loopback, driven by autocannon from this process.
//
//   1. start-up: spawn to the first 200 on /healthz
//   2. POST /estimate (the default scenario, every mesh) against a baseline route in the same process that
//      answers the same request with a precomputed answer through the same schemas: rps, p50/p99, the ratio
//   3. the latency of POST /estimate at 50 connections below saturation (random arrivals at a fixed rate)
//   4. a 10,000-point sweep and a large batch, time per call (skipped while those routes answer 404)
//   5. resident memory after the load
//   6. a soak on a fresh server: BENCH_SOAK_S (30) s at 100 connections, errors and non-2xx counted, memory sampled
//
// Environment: BENCH_DURATION_S (10) per measured run, BENCH_SOAK_S (30), BENCH_ENTRY=tsx to run
// src/server.ts instead of the compiled dist/src/server.js, BENCH_SERVER_NODE_OPTIONS for the server's
// node flags alone. Not a test: nothing here fails a build.
import autocannon from 'autocannon'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { Pool, request } from 'undici'
import { PACKAGE_ROOT } from '../src/config.js'
import { BENCH_BASELINE_URL, BENCH_SCENARIO } from '../src/routes/bench-baseline.js'

const DURATION = Number(process.env.BENCH_DURATION_S ?? 10)
const SOAK = Number(process.env.BENCH_SOAK_S ?? 30)
const ENTRY = process.env.BENCH_ENTRY === 'tsx' ? 'tsx' : 'compiled'
const TARGETS = { ratio: 0.85, p99Ms: 10, startupMs: 1000, rssMiB: 150 }

const BODY = JSON.stringify(BENCH_SCENARIO)
const JSON_HEADERS = { 'content-type': 'application/json' }

const mib = (bytes: number): number => bytes / 2 ** 20
const fmt = (x: number, digits = 1): string => x.toFixed(digits)
const verdict = (ok: boolean): string => (ok ? 'meets target' : 'MISSES target')

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

function rssBytes (pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (match?.[1] === undefined) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(match[1]) * 1024
}

function build (): void {
  // The compiled entry is what npm start runs. tsc still emits when another file has a type error.
  const result = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: PACKAGE_ROOT, encoding: 'utf8' })
  if (!existsSync(join(PACKAGE_ROOT, 'dist', 'src', 'server.js'))) throw new Error(`build failed:\n${result.stdout}${result.stderr}`)
  if (result.status !== 0) console.log(`(tsc reported type errors; benchmarking what it emitted)\n${result.stdout.split('\n').slice(0, 5).join('\n')}`)
}

interface Server { child: ChildProcess, url: string, startupMs: number, output: string[] }

async function startServer (): Promise<Server> {
  const port = await freePort()
  const args = ENTRY === 'tsx'
    ? ['--import', 'tsx', join(PACKAGE_ROOT, 'src', 'server.ts')]
    : [join(PACKAGE_ROOT, 'dist', 'src', 'server.js')]
  const env = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn', // a request log line each would measure pino and the pipe, not the service
    RATE_LIMIT_MAX: '0', // one client sending thousands of requests a second is the point here
    BENCH_BASELINE: '1',
    // e.g. BENCH_SERVER_NODE_OPTIONS=--max-semi-space-size=4 to try V8 flags on the server alone
    ...(process.env.BENCH_SERVER_NODE_OPTIONS === undefined ? {} : { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS })
  }
  const url = `http://127.0.0.1:${port}`
  const output: string[] = []
  const t0 = performance.now()
  const child = spawn(process.execPath, args, { cwd: PACKAGE_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
  let exited = false
  child.on('exit', () => { exited = true })
  for (;;) {
    if (exited) throw new Error(`server exited during start-up:\n${output.join('')}`)
    if (performance.now() - t0 > 15_000) throw new Error(`no 200 on /healthz within 15 s:\n${output.join('')}`)
    try {
      const res = await request(`${url}/healthz`)
      await res.body.dump()
      if (res.statusCode === 200) return { child, url, startupMs: performance.now() - t0, output }
    } catch { /* not listening yet */ }
    await sleep(5)
  }
}

interface Load { rps: number, p50: number, p99: number, max: number, requests: number, errors: number, timeouts: number, non2xx: number }

async function load (url: string, path: string, options: { connections: number, duration: number, overallRate?: number }): Promise<Load> {
  const result = await autocannon({
    url: url + path,
    method: 'POST',
    headers: JSON_HEADERS,
    body: BODY,
    connections: options.connections,
    duration: options.duration,
    ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate })
  })
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx
  }
}

/**
 * Open loop: requests arrive at random (Poisson) at `rate` per second over a pool of `connections`
 * keep-alive connections, whatever the answers' pace, as independent clients would send them. Unlike
 * autocannon's overallRate, which fires every connection's quota at the same instant each tick, this
 * measures the latency a request sees at a given load.
 */
async function openLoop (url: string, path: string, options: { connections: number, duration: number, rate: number }): Promise<Load> {
  const pool = new Pool(url, { connections: options.connections, pipelining: 1 })
  const latencies: number[] = []
  let errors = 0
  let non2xx = 0
  const inFlight: Array<Promise<void>> = []
  const end = performance.now() + options.duration * 1000
  let next = performance.now()
  // Deterministic pseudo-random arrivals (xorshift), so two runs send the same pattern.
  let seed = 0x2545f491
  const random = (): number => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return ((seed >>> 0) + 0.5) / 2 ** 32 }
  while (next < end) {
    const wait = next - performance.now()
    if (wait > 1) await sleep(wait)
    const sent = performance.now()
    inFlight.push(pool.request({ path, method: 'POST', headers: JSON_HEADERS, body: BODY }).then(async (res) => {
      await res.body.dump()
      latencies.push(performance.now() - sent)
      if (res.statusCode < 200 || res.statusCode >= 300) non2xx++
    }, () => { errors++ }))
    next += -Math.log(random()) / options.rate * 1000
  }
  await Promise.all(inFlight)
  await pool.close()
  latencies.sort((a, b) => a - b)
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN
  return { rps: latencies.length / options.duration, p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1] ?? Number.NaN, requests: latencies.length, errors, timeouts: 0, non2xx }
}

const describe = (l: Load): string =>
  `${fmt(l.rps, 0).padStart(6)} req/s   p50 ${fmt(l.p50).padStart(5)} ms   p99 ${fmt(l.p99).padStart(5)} ms   max ${fmt(l.max).padStart(5)} ms   (${l.requests} requests, ${l.errors} errors, ${l.non2xx} non-2xx)`

/** Median time of a few sequential calls, or why the route was skipped. */
async function timeCalls (url: string, path: string, body: unknown, calls: number): Promise<string> {
  const payload = JSON.stringify(body)
  const times: number[] = []
  let size = 0
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now()
    const res = await request(url + path, { method: 'POST', headers: JSON_HEADERS, body: payload })
    const text = await res.body.text()
    const ms = performance.now() - t0
    if (res.statusCode === 404) return `skipped: ${path} answers 404 (the route does not exist yet)`
    if (res.statusCode !== 200) return `skipped: ${path} answered ${res.statusCode}: ${text.slice(0, 300)}`
    times.push(ms)
    size = text.length
  }
  times.sort((a, b) => a - b)
  const median = times[Math.floor(times.length / 2)] as number
  return `${fmt(median)} ms per call (median of ${calls}; min ${fmt(times[0] as number)}, max ${fmt(times[times.length - 1] as number)}; request ${fmt(payload.length / 1024)} KiB, answer ${fmt(size / 1024)} KiB)`
}

async function main (): Promise<void> {
  console.log(`meshcost bench: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((x) => fmt(x, 2)).join(' ')}`)
  console.log(`entry: ${ENTRY === 'tsx' ? 'src/server.ts via tsx' : 'dist/src/server.js (compiled)'}${process.env.BENCH_SERVER_NODE_OPTIONS === undefined ? '' : ` with NODE_OPTIONS=${process.env.BENCH_SERVER_NODE_OPTIONS}`}; ${DURATION} s per run, soak ${SOAK} s; body ${BODY}\n`)
  if (ENTRY === 'compiled') build()

  // Start-up, three times: the first pays for a cold file cache.
  const startups: number[] = []
  for (let i = 0; i < 3; i++) {
    const s = await startServer()
    startups.push(s.startupMs)
    s.child.kill('SIGTERM')
    await new Promise((resolve) => s.child.once('exit', resolve))
  }
  const startup = Math.max(...startups.slice(1))
  console.log(`start-up to the first 200 on /healthz: ${startups.map((x) => fmt(x, 0)).join(', ')} ms (first run cold) — ${verdict(startup < TARGETS.startupMs)} (< ${TARGETS.startupMs} ms)`)

  const server = await startServer()
  const { url, child } = server
  const pid = child.pid as number
  try {
    console.log(`resident memory at rest: ${fmt(mib(rssBytes(pid)))} MiB\n`)

    // The two routes must give the same answer, or the ratio compares different work.
    const [a, b] = await Promise.all(['/estimate', BENCH_BASELINE_URL].map(async (path) => {
      const res = await request(url + path, { method: 'POST', headers: JSON_HEADERS, body: BODY })
      return { status: res.statusCode, text: await res.body.text() }
    }))
    if (a?.status !== 200 || b?.status !== 200 || a.text !== b.text) throw new Error('the baseline does not answer what POST /estimate answers')
    console.log(`answer: ${fmt(a.text.length / 1024)} KiB, identical from both routes`)

    await load(url, '/estimate', { connections: 50, duration: 3 }) // warm-up: JIT, caches
    await load(url, BENCH_BASELINE_URL, { connections: 50, duration: 3 })
    // Alternate the two so that noise from other processes falls on both.
    const est: Load[] = []
    const base: Load[] = []
    for (let round = 0; round < 2; round++) {
      est.push(await load(url, '/estimate', { connections: 50, duration: DURATION / 2 }))
      base.push(await load(url, BENCH_BASELINE_URL, { connections: 50, duration: DURATION / 2 }))
    }
    const merge = (runs: Load[]): Load => ({
      rps: runs.reduce((s, r) => s + r.rps, 0) / runs.length,
      p50: Math.max(...runs.map((r) => r.p50)),
      p99: Math.max(...runs.map((r) => r.p99)),
      max: Math.max(...runs.map((r) => r.max)),
      requests: runs.reduce((s, r) => s + r.requests, 0),
      errors: runs.reduce((s, r) => s + r.errors, 0),
      timeouts: runs.reduce((s, r) => s + r.timeouts, 0),
      non2xx: runs.reduce((s, r) => s + r.non2xx, 0)
    })
    const e = merge(est)
    const bl = merge(base)
    const ratio = e.rps / bl.rps
    console.log('\n50 connections, as fast as the server answers (closed loop):')
    console.log(`  POST /estimate   ${describe(e)}`)
    console.log(`  baseline         ${describe(bl)}`)
    console.log(`  ratio estimate / baseline: ${fmt(ratio, 3)} — ${verdict(ratio >= TARGETS.ratio)} (>= ${TARGETS.ratio})`)
    console.log(`  p99 of POST /estimate: ${fmt(e.p99)} ms — ${verdict(e.p99 < TARGETS.p99Ms)} (< ${TARGETS.p99Ms} ms)`)

    // Below saturation: a pool of 50 connections, requests arriving at random at a quarter and at half of
    // the closed-loop throughput.
    console.log('\n50 connections, requests arriving at random (open loop), below saturation:')
    for (const share of [0.25, 0.5]) {
      const rate = Math.max(50, Math.round(e.rps * share / 10) * 10)
      const paced = await openLoop(url, '/estimate', { connections: 50, duration: DURATION, rate })
      console.log(`  ${String(rate).padStart(4)} req/s offered: ${describe(paced)} — p99 ${verdict(paced.p99 < TARGETS.p99Ms)} (< ${TARGETS.p99Ms} ms)`)
    }

    const rssAfterEstimates = mib(rssBytes(pid))
    console.log(`\nresident memory after the POST /estimate load: ${fmt(rssAfterEstimates)} MiB — ${verdict(rssAfterEstimates < TARGETS.rssMiB)} (< ${TARGETS.rssMiB} MiB)`)

    console.log('\nlarge calls:')
    const sweep = { scenario: { ...BENCH_SCENARIO }, vary: 'pods', from: 10, to: 100_000, steps: 10_000 }
    console.log(`  POST /estimate/sweep, 10,000 points of pods, every mesh: ${await timeCalls(url, '/estimate/sweep', sweep, 5)}`)
    // The batch route's own limit (BATCH_LIMITS.scenarios) is 100; a 400 here would say so.
    const scenarios = Array.from({ length: 100 }, (_, i) => ({ pods: 10 + i * 100, ...(i % 2 === 0 ? {} : { options: { highAvailability: true } }) }))
    console.log(`  POST /estimate/batch, 100 scenarios, every mesh: ${await timeCalls(url, '/estimate/batch', { scenarios }, 5)}`)

    const rssAfter = mib(rssBytes(pid))
    console.log(`resident memory after the large calls: ${fmt(rssAfter)} MiB — ${verdict(rssAfter < TARGETS.rssMiB)} (< ${TARGETS.rssMiB} MiB)`)

  } finally {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
  }
  await soak()
}

/** A fresh server (the sweeps' garbage would blur the picture), 100 connections, memory sampled every second. */
async function soak (): Promise<void> {
  const { child, url } = await startServer()
  const pid = child.pid as number
  try {
    const samples: Array<{ t: number, rss: number }> = []
    const t0 = performance.now()
    const sampler = setInterval(() => { samples.push({ t: (performance.now() - t0) / 1000, rss: mib(rssBytes(pid)) }) }, 1000)
    const result = await load(url, '/estimate', { connections: 100, duration: SOAK })
    clearInterval(sampler)
    const firstThird = samples.filter((s) => s.t <= SOAK / 3)
    const lastThird = samples.filter((s) => s.t > (2 * SOAK) / 3)
    const firstMax = Math.max(...firstThird.map((s) => s.rss))
    const lastMax = Math.max(...lastThird.map((s) => s.rss))
    const end = samples[samples.length - 1]?.rss ?? Number.NaN
    const tolerance = Math.max(8, firstMax * 0.05)
    const flat = lastMax - firstMax <= tolerance && end - firstMax <= tolerance
    const clean = result.errors === 0 && result.non2xx === 0 && result.timeouts === 0
    console.log(`\nsoak: ${SOAK} s at 100 connections on POST /estimate, fresh server`)
    console.log(`  ${describe(result)} — ${clean ? 'zero errors, zero non-2xx' : 'ERRORS OR NON-2XX ANSWERS'}`)
    console.log(`  resident memory every 3 s (MiB): ${samples.filter((_, i) => i % 3 === 2).map((s) => fmt(s.rss, 0)).join(' ')}`)
    console.log(`  max over the first third ${fmt(firstMax)} MiB, over the last third ${fmt(lastMax)} MiB, at the end ${fmt(end)} MiB — ${flat ? 'flat' : 'NOT flat'} (within max(8 MiB, 5%))`)
  } finally {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
  }
}

await main()
