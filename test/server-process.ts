// The real entry point (src/server.ts) as a child process, for tests of what only a process shows: start-up,
// signals, exit codes, its log lines and its memory.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PACKAGE_ROOT } from '../src/config.js'

const SERVER = join(PACKAGE_ROOT, 'src', 'server.ts')

export interface Started { child: ChildProcess, lines: string[], address: Promise<string>, exit: Promise<[number | null, NodeJS.Signals | null]> }

/**
 * Starts src/server.ts on a free port with these environment variables (LOG_LEVEL info unless given).
 * `coverage: false` runs it as `npm run dev` does (tsx), without tap's loader and coverage recording, whose
 * memory (about 200 MiB) a test of the process's own memory must not count.
 */
export function startServer (env: Record<string, string>, options: { coverage?: boolean } = {}): Started {
  const inherited = { ...process.env }
  if (options.coverage === false) delete inherited.NODE_V8_COVERAGE
  // execArgv carries tap's TypeScript loader (and coverage) into the child, so src/server.ts runs as it is.
  const loader = options.coverage === false ? ['--import', 'tsx'] : process.execArgv
  const child = spawn(process.execPath, [...loader, SERVER], { env: { ...inherited, PORT: '0', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  let buffer = ''
  const address = new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${lines.join('\n')}`)))
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      let newline: number
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + 1)
        lines.push(line)
        const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line)
        if (match?.[1]) resolve(match[1])
      }
    })
  })
  address.catch(() => undefined) // the tests that expect a failed start never await it
  child.stderr?.on('data', (chunk: Buffer) => lines.push(chunk.toString()))
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  return { child, lines, address, exit }
}

/** The child's resident memory in MiB, from /proc (Linux). */
export function rssMiB (pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match?.[1] === undefined ? Number.NaN : Number(match[1]) / 1024
}
