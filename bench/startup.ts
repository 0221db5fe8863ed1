// npm run bench:startup [rounds] [entry ...]: start-up of the service, spawn to the first 200 on /readyz, as
// npm run bench measures it, but repeated and alternating between entries, so that two builds can be
// compared in one sitting on a shared machine (the load moves both alike). Prints per entry each run's
// wall time and the process's CPU time at that moment (from /proc), and their medians, with the load average.
// Default entry: dist/server.js (what npm start runs); e.g. an older build's dist/src/server.js beside it.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { PACKAGE_ROOT } from '../src/config.js'

const rounds = Number(process.argv[2] ?? 10)
const entries = process.argv.length > 3 ? process.argv.slice(3).map((e) => resolve(e)) : [join(PACKAGE_ROOT, 'dist', 'server.js')]

async function once (entry: string): Promise<{ wallMs: number, cpuMs: number }> {
  const t0 = performance.now()
  const child = spawn(process.execPath, [entry], { env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', RATE_LIMIT_MAX: '1000000000', SHUTDOWN_DELAY_MS: '0' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (c: Buffer) => { out += c.toString() })
  child.stderr.on('data', (c: Buffer) => { err += c.toString() })
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited during start-up: ${err}${out}`)
    const url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1]
    if (url !== undefined) {
      const status = await request(`${url}/readyz`).then(async (res) => { await res.body.dump(); return res.statusCode }, () => 0)
      if (status === 200) break
    }
    await sleep(2)
  }
  const wallMs = performance.now() - t0
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
  const cpuMs = (Number(stat[11]) + Number(stat[12])) * 10 // clock ticks of 10 ms
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
  return { wallMs, cpuMs }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ')
console.log(`start-up, spawn to the first 200 on /readyz, ${rounds} rounds alternating; load average ${load()}`)
const runs = new Map(entries.map((e) => [e, [] as Array<{ wallMs: number, cpuMs: number }>]))
for (let i = 0; i < rounds; i++) for (const entry of entries) runs.get(entry)?.push(await once(entry))
for (const [entry, rs] of runs) {
  console.log(`${entry}\n  wall ms: ${rs.map((r) => Math.round(r.wallMs)).join(' ')}  (median ${Math.round(median(rs.map((r) => r.wallMs)))})\n  CPU ms:  ${rs.map((r) => r.cpuMs).join(' ')}  (median ${median(rs.map((r) => r.cpuMs))})`)
}
console.log(`load average after: ${load()}`)
