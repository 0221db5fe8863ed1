// npm run bench:overload: one replica, as npm start runs it, under open-loop load at several times the rate
// it sustains, with load shedding on (the defaults) and off (OVERLOAD_MAX_EVENT_LOOP_DELAY_MS=0,
// OVERLOAD_MAX_HEAP_USED_MIB=0) in the same run. Open loop: requests are sent on schedule whatever the
// answers, as independent users do, and each latency counts from the request's scheduled time, so a
// server that falls behind cannot hide it (no coordinated omission).
//
// 1. Sustainable rate: closed-loop throughput over 32 connections (autocannon), shedding off.
// 2. For each multiple of it: p50/p99/max latency of the 200s, the share shed (503 + Retry-After), errors,
//    and whether the process survived; then the ratio of p99 without shedding to p99 with it.
// Figures depend on the machine and its load (printed); compare the ratios, not the milliseconds.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { loadavg, cpus } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'
import { Pool } from 'undici'
import { PACKAGE_ROOT } from '../src/config.js'

const MULTIPLES = (process.env.OVERLOAD_MULTIPLES ?? '1,2,4').split(',').map(Number)
const PHASE_MS = Number(process.env.OVERLOAD_PHASE_MS ?? 5000)
const BODY = JSON.stringify({ pods: 300, options: { highAvailability: true } })

interface Service { child: ChildProcess, url: string }

async function start (env: Record<string, string>): Promise<Service> {
  const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'dist', 'server.js')], {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'error', RATE_LIMIT_MAX: '0', SHUTDOWN_DELAY_MS: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  child.stdout?.resume()
  // LOG_LEVEL=error hides the "listening" line: find the port from /proc instead of the log.
  for (let i = 0; i < 300; i++) {
    await sleep(50)
    const port = listeningPort(child.pid ?? 0)
    if (port !== undefined) return { child, url: `http://127.0.0.1:${port}` }
    if (child.exitCode !== null) throw new Error('the service exited during start-up')
  }
  throw new Error('the service did not listen within 15 s')
}

/** The TCP port a process listens on, from /proc/net/tcp and its file descriptors. */
function listeningPort (pid: number): number | undefined {
  const inodes = new Set<string>()
  try {
    for (const fd of spawnSync('ls', ['-l', `/proc/${pid}/fd`], { encoding: 'utf8' }).stdout.split('\n')) {
      const match = /socket:\[(\d+)\]/.exec(fd)
      if (match?.[1] !== undefined) inodes.add(match[1])
    }
    for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      if (f[3] === '0A' && f[9] !== undefined && inodes.has(f[9])) return parseInt(f[1]?.split(':')[1] ?? '', 16)
    }
  } catch { /* not yet */ }
  return undefined
}

async function stop (service: Service): Promise<void> {
  if (service.child.exitCode !== null) return
  const exited = new Promise((resolve) => service.child.once('exit', resolve))
  service.child.kill('SIGTERM')
  await exited
}

function rssMiB (pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(match?.[1] ?? NaN) / 1024
}

async function sustainableRate (url: string): Promise<number> {
  const result = await autocannon({ url: `${url}/estimate`, method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY, connections: 32, duration: PHASE_MS / 1000 })
  return result.requests.average
}

interface Phase { sent: number, ok: number[], shed: number, retryAfter: boolean, other: number, errors: number, alive: boolean, rssMiB: number }

async function openLoop (service: Service, ratePerSecond: number): Promise<Phase> {
  const pool = new Pool(service.url, { connections: 256, headersTimeout: 30_000, bodyTimeout: 30_000 })
  const phase: Phase = { sent: 0, ok: [], shed: 0, retryAfter: true, other: 0, errors: 0, alive: true, rssMiB: 0 }
  const total = Math.round(ratePerSecond * PHASE_MS / 1000)
  const t0 = performance.now()
  const pending: Array<Promise<void>> = []
  while (phase.sent < total) {
    const due = Math.min(total, Math.floor((performance.now() - t0) * ratePerSecond / 1000))
    for (; phase.sent < due; phase.sent++) {
      const scheduled = t0 + phase.sent * 1000 / ratePerSecond
      pending.push(pool.request({ path: '/estimate', method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY }).then(async (res) => {
        await res.body.dump()
        if (res.statusCode === 200) phase.ok.push(performance.now() - scheduled)
        else if (res.statusCode === 503) { phase.shed++; if (res.headers['retry-after'] === undefined) phase.retryAfter = false } else phase.other++
      }, () => { phase.errors++ }))
    }
    await sleep(5)
  }
  phase.rssMiB = rssMiB(service.child.pid ?? 0)
  await Promise.all(pending)
  await pool.close()
  phase.alive = service.child.exitCode === null
  return phase
}

const pct = (sorted: number[], p: number): number => sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN
const ms = (x: number): string => Number.isNaN(x) ? '-' : `${Math.round(x)} ms`

async function main (): Promise<void> {
  const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: PACKAGE_ROOT, encoding: 'utf8' })
  if (!existsSync(join(PACKAGE_ROOT, 'dist', 'server.js'))) throw new Error(`build failed: ${built.stderr}`)
  console.log(`bench:overload on ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`)

  const off = { OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0', OVERLOAD_MAX_HEAP_USED_MIB: '0' }
  const probe = await start(off)
  const sustainable = await sustainableRate(probe.url)
  await stop(probe)
  console.log(`sustainable rate (closed loop, 32 connections, shedding off): ${Math.round(sustainable)} req/s; body ${BODY}`)

  console.log('\n| load | shedding | sent | 200 | p50 | p99 | max | shed 503 | Retry-After | other | errors | RSS | alive |')
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|')
  const p99: Record<string, number> = {}
  for (const multiple of MULTIPLES) {
    for (const [label, env] of [['on', {}], ['off', off]] as const) {
      const service = await start(env)
      const phase = await openLoop(service, sustainable * multiple)
      await stop(service)
      const sorted = phase.ok.sort((a, b) => a - b)
      p99[`${multiple}-${label}`] = pct(sorted, 0.99)
      console.log(`| ${multiple}x (${Math.round(sustainable * multiple)} req/s) | ${label} | ${phase.sent} | ${sorted.length} | ${ms(pct(sorted, 0.5))} | ${ms(pct(sorted, 0.99))} | ${ms(sorted.at(-1) ?? NaN)} | ${(100 * phase.shed / phase.sent).toFixed(1)} % | ${phase.shed === 0 ? '-' : phase.retryAfter ? 'yes' : 'MISSING'} | ${phase.other} | ${phase.errors} | ${Math.round(phase.rssMiB)} MiB | ${phase.alive ? 'yes' : 'NO'} |`)
    }
  }
  console.log('\np99 of the answered requests, without shedding / with it (above 1: shedding bounds latency):')
  for (const multiple of MULTIPLES) console.log(`  ${multiple}x: ${(p99[`${multiple}-off`]! / p99[`${multiple}-on`]!).toFixed(2)}`)
}

await main()
