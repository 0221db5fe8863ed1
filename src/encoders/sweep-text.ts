// A sweep's answer written as bytes straight from the engine's totals, in every format (JSON, NDJSON, CSV; full or
// view=summary), without a SweepPoint object or a string per point: the same bytes that JSON.stringify of the
// points, and csv.ts's sweepCsvHeader with test/encoders/sweep-text.test.ts's reference rows, write (that test compares them). Building
// a point object, then JSON.stringify turning each of its twelve numbers into a string, and collecting the
// garbage of both, took most of a 10,000-point sweep's time; the answer is ASCII, so it is written byte by byte.
import { decimal, sweepCsvHeader, text } from './csv.js'
import type { SweepPlan } from '../engine/sweep.js'
import { emptyTotals, type PointTotals } from '../engine/sweep-totals.js'

// "00" to "99": integers are written two digits at a time
const PAIRS = Buffer.from(Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).join(''), 'latin1')
const MINUS = 45
const DOT = 46
const ZERO = 48

/**
 * Bytes appended to buffers: a full one is kept and a new one started, never copied to grow (a JSON sweep is 19
 * MB; copying it on each doubling, and the large allocations, kept the garbage collector busy).
 */
export class ByteWriter {
  /** the buffers filled so far, before the current one */
  private readonly full: Buffer[] = []
  private filled = 0
  buffer: Buffer
  /** bytes in the current buffer */
  length = 0

  constructor (private readonly size = 16 * 1024) {
    this.buffer = Buffer.allocUnsafe(size)
  }

  /** Bytes written since the last take, in all buffers. */
  get written (): number {
    return this.filled + this.length
  }

  private room (bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return
    if (this.length > 0) {
      this.full.push(this.buffer.subarray(0, this.length))
      this.filled += this.length
    }
    // each buffer twice the last, up to 1 MiB: a small sweep allocates little, a large one few buffers
    this.buffer = Buffer.allocUnsafe(Math.max(Math.min(2 * this.buffer.length, 1024 * 1024), bytes))
    this.length = 0
  }

  /** The bytes written since the last take, in order (views: take them before writing on). */
  parts (): Buffer[] {
    return this.length === 0 ? [...this.full] : [...this.full, this.buffer.subarray(0, this.length)]
  }

  /** The bytes written since the last take, as one Buffer, and the writer emptied (it starts a new buffer). */
  take (): Buffer {
    const parts = this.parts()
    const out = parts.length === 1 ? parts[0] as Buffer : Buffer.concat(parts, this.written)
    this.full.length = 0
    this.filled = 0
    this.buffer = Buffer.allocUnsafe(this.size)
    this.length = 0
    return out
  }

  /** Bytes prepared once (the keys and punctuation around the numbers): a few dozen, copied by hand (set costs more). */
  bytes (b: Uint8Array): void {
    const n = b.length
    this.room(n)
    const buffer = this.buffer
    const at = this.length
    if (n > 64) buffer.set(b, at)
    else for (let i = 0; i < n; i++) buffer[at + i] = b[i] as number
    this.length = at + n
  }

  /** ASCII text, for the rare number written by String or decimal (see fixed). */
  ascii (s: string): void {
    this.room(s.length)
    this.length += this.buffer.write(s, this.length, 'latin1')
  }

  /** Any text, as UTF-8 (a problem's detail may quote anything). */
  utf8 (s: string): void {
    this.room(Buffer.byteLength(s))
    this.length += this.buffer.write(s, this.length, 'utf8')
  }

  /** A non-negative integer below 2^53, as String writes it. */
  digits (n: number): void {
    if (n >= 2 ** 31) return this.ascii(String(n))
    const count = n < 10 ? 1 : n < 100 ? 2 : n < 1e3 ? 3 : n < 1e4 ? 4 : n < 1e5 ? 5 : n < 1e6 ? 6 : n < 1e7 ? 7 : n < 1e8 ? 8 : n < 1e9 ? 9 : 10
    this.room(count)
    this.padded(n, count)
    this.length += count
  }

  /** `m` (an integer below 2^31 with at most `count` digits) in exactly `count` digits, leading zeros kept, at the end. */
  private padded (m: number, count: number): void {
    const buffer = this.buffer
    let at = this.length + count
    const start = this.length
    m = m | 0
    while (at - start >= 2) {
      const q = (m / 100) | 0
      const pair = (m - q * 100) << 1
      buffer[--at] = PAIRS[pair + 1] as number
      buffer[--at] = PAIRS[pair] as number
      m = q
    }
    if (at > start) buffer[--at] = ZERO + m
  }

  /** An integer (the node counts), as String writes it. */
  integer (n: number): void {
    if (!Number.isSafeInteger(n)) return this.ascii(JSON.stringify(n))
    if (n < 0) { this.room(1); this.buffer[this.length++] = MINUS; n = -n }
    this.digits(n)
  }

  /**
   * `v`, a value the engine rounded to `places` decimals (round(v, places): the double nearest k / 10^places for an
   * integer k), as String(v) and csv.ts's decimal(v, places) both write it: k / 10^places in plain decimal, trailing
   * zeros dropped. Exact while |k| < 10^15: a decimal of at most 15 significant digits is the shortest that reads
   * back as the double nearest to it, so it is what String(v) writes, and toFixed writes its digits. Larger values
   * (and NaN) are written by `otherwise`.
   */
  fixed (v: number, places: 2 | 6, otherwise: (v: number) => string): void {
    const scale = places === 6 ? 1e6 : 100
    const k = Math.round(v * scale)
    if (!(k < 1e15 && k > -1e15)) return this.ascii(otherwise(v))
    const magnitude = k < 0 ? -k : k
    if (k < 0) { this.room(1); this.buffer[this.length++] = MINUS }
    const whole = Math.floor(magnitude / scale)
    this.digits(whole)
    let fraction = (magnitude - whole * scale) | 0 // below 10^6
    if (fraction === 0) return
    let count = places as number
    while (fraction % 10 === 0) { fraction = (fraction / 10) | 0; count-- }
    this.room(count + 1)
    this.buffer[this.length++] = DOT
    this.padded(fraction, count)
    this.length += count
  }
}

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1')
const stringify = (v: number): string => JSON.stringify(v)
const decimal6 = (v: number): string => decimal(v, 6)
const decimal2 = (v: number): string => decimal(v, 2)

// A point's members in SweepPoint's order (view=summary: without the bounds): the text between its numbers.
const FULL = ['"x":', ',"cpuCores":', ',"cpuCoresLow":', ',"cpuCoresHigh":', ',"memoryGiB":', ',"memoryGiBLow":', ',"memoryGiBHigh":', ',"monthlyCost":', ',"monthlyCostLow":', ',"monthlyCostHigh":', ',"additionalNodes":', ',"additionalNodesMonthlyCost":', ',"nodesWithMesh":'].map(ascii)
const SUMMARY = ['"x":', ',"cpuCores":', ',"memoryGiB":', ',"monthlyCost":', ',"additionalNodes":', ',"additionalNodesMonthlyCost":', ',"nodesWithMesh":'].map(ascii)
const NULL = ascii('null')

/** The varied value as JSON.stringify writes it (an integer, or a rate rounded to 9 decimals). */
function jsonX (w: ByteWriter, x: number): void {
  if (Number.isInteger(x)) w.integer(x)
  else w.ascii(JSON.stringify(x))
}

function pointMembers (w: ByteWriter, x: number, t: PointTotals, summary: boolean): void {
  const keys = summary ? SUMMARY : FULL
  let k = 0
  w.bytes(keys[k++] as Buffer); jsonX(w, x)
  w.bytes(keys[k++] as Buffer); w.fixed(t.cpuExpected, 6, stringify)
  if (!summary) {
    w.bytes(keys[k++] as Buffer); w.fixed(t.cpuLow, 6, stringify)
    w.bytes(keys[k++] as Buffer); w.fixed(t.cpuHigh, 6, stringify)
  }
  w.bytes(keys[k++] as Buffer); w.fixed(t.memoryExpected, 6, stringify)
  if (!summary) {
    w.bytes(keys[k++] as Buffer); w.fixed(t.memoryLow, 6, stringify)
    w.bytes(keys[k++] as Buffer); w.fixed(t.memoryHigh, 6, stringify)
  }
  w.bytes(keys[k++] as Buffer); w.fixed(t.monthlyExpected, 2, stringify)
  if (!summary) {
    w.bytes(keys[k++] as Buffer); w.fixed(t.monthlyLow, 2, stringify)
    w.bytes(keys[k++] as Buffer); w.fixed(t.monthlyHigh, 2, stringify)
  }
  w.bytes(keys[k++] as Buffer); w.integer(t.additionalNodes)
  w.bytes(keys[k++] as Buffer)
  if (t.additionalNodesMonthly === null) w.bytes(NULL)
  else w.fixed(t.additionalNodesMonthly, 2, stringify)
  w.bytes(keys[k++] as Buffer); w.integer(t.nodesWithMesh)
}

/** A sweep's rows, x by x, each with `count` meshes' totals (sweepRows). */
export type RowWriter = (x: number, meshes: readonly PointTotals[], count: number) => void

const OPEN = ascii('{')
const CLOSE = ascii('}')
const COMMA = ascii(',')

/** Numbers kept per point of a JSON sweep until it is sent: x and the twelve figures a point publishes. */
const NUMBERS_PER_POINT = 13

/** A JSON sweep's answer (SweepResponse, or SweepSummaryResponse) as the rows come x by x. */
export interface SweepJson {
  add: RowWriter
  points: () => number
  /** Bytes held until the answer is sent: the numbers, not their text (a third of its size). */
  heldBytes: () => number
  /** The answer's bytes, series by series, in chunks of about `chunkBytes`, written as they are asked for. */
  chunks: (chunkBytes: number) => Generator<Buffer>
  /** The whole answer in one Buffer (tests, the bench). */
  body: () => Buffer
}

/**
 * The JSON answer of a sweep. Its series are mesh by mesh while the rows come x by x, so every point must be
 * computed before the first series can be sent: the points are kept as numbers (104 bytes each against ~320 of
 * text) and written out chunk by chunk as the client reads, so that a client that reads slowly, or not at all,
 * holds the numbers and never the 19 MB of text.
 */
export function sweepJson (plan: SweepPlan, summary: boolean, pointsPerMesh = 64): SweepJson {
  let capacity = pointsPerMesh
  let stores = plan.meshes.map(() => new Float64Array(capacity * NUMBERS_PER_POINT))
  const counts = plan.meshes.map(() => 0)
  let points = 0
  function grow (): void {
    capacity *= 2
    stores = stores.map((old) => { const wider = new Float64Array(capacity * NUMBERS_PER_POINT); wider.set(old); return wider })
  }
  return {
    add (x, meshes, count) {
      for (let i = 0; i < count; i++) {
        const n = counts[i] as number
        if (n === capacity) grow()
        const t = meshes[i] as PointTotals
        const store = stores[i] as Float64Array
        let at = n * NUMBERS_PER_POINT
        store[at++] = x
        store[at++] = t.cpuLow; store[at++] = t.cpuExpected; store[at++] = t.cpuHigh
        store[at++] = t.memoryLow; store[at++] = t.memoryExpected; store[at++] = t.memoryHigh
        store[at++] = t.monthlyLow; store[at++] = t.monthlyExpected; store[at++] = t.monthlyHigh
        store[at++] = t.additionalNodes; store[at++] = t.additionalNodesMonthly ?? Number.NaN; store[at] = t.nodesWithMesh
        counts[i] = n + 1
      }
      points += count
    },
    points: () => points,
    heldBytes: () => stores.reduce((bytes, store) => bytes + store.byteLength, 0),
    * chunks (chunkBytes) {
      const w = new ByteWriter(Math.min(chunkBytes * 2, 1024 * 1024))
      const t = emptyTotals()
      w.ascii(`{"vary":${JSON.stringify(plan.vary)},"scale":${JSON.stringify(plan.scale)},"basis":${JSON.stringify(plan.basis)},"currency":${JSON.stringify(plan.currency)},"series":[`)
      for (let i = 0; i < plan.meshes.length; i++) {
        const m = plan.meshes[i] as { mesh: string, name: string }
        w.ascii(`${i === 0 ? '' : ','}{"mesh":${JSON.stringify(m.mesh)},"name":${JSON.stringify(m.name)},"points":[`)
        const store = stores[i] as Float64Array
        for (let j = 0; j < (counts[i] as number); j++) {
          let at = j * NUMBERS_PER_POINT
          const x = store[at++] as number
          t.cpuLow = store[at++] as number; t.cpuExpected = store[at++] as number; t.cpuHigh = store[at++] as number
          t.memoryLow = store[at++] as number; t.memoryExpected = store[at++] as number; t.memoryHigh = store[at++] as number
          t.monthlyLow = store[at++] as number; t.monthlyExpected = store[at++] as number; t.monthlyHigh = store[at++] as number
          t.additionalNodes = store[at++] as number
          const monthly = store[at++] as number
          t.additionalNodesMonthly = Number.isNaN(monthly) ? null : monthly
          t.nodesWithMesh = store[at] as number
          w.bytes(j === 0 ? OPEN : COMMA_OPEN)
          pointMembers(w, x, t, summary)
          w.bytes(CLOSE)
          if (w.written >= chunkBytes) yield w.take()
        }
        w.ascii(']}')
      }
      w.ascii(summary ? '],"view":"summary"}' : ']}')
      yield w.take()
    },
    body () {
      return Buffer.concat([...this.chunks(64 * 1024)])
    }
  }
}
const COMMA_OPEN = ascii(',{')

/** One NDJSON line (SweepLine) per mesh and x, into `w`. */
export function sweepNdjson (plan: SweepPlan, summary: boolean, w: ByteWriter): RowWriter {
  const before = plan.meshes.map((m) => ascii(`{"mesh":${JSON.stringify(m.mesh)},"vary":${JSON.stringify(plan.vary)},`))
  const after = ascii(`,"currency":${JSON.stringify(plan.currency)}}\n`)
  return (x, meshes, count) => {
    for (let i = 0; i < count; i++) {
      w.bytes(before[i] as Buffer)
      pointMembers(w, x, meshes[i] as PointTotals, summary)
      w.bytes(after)
    }
  }
}

/** The CSV header, then one row per mesh and x (cell for cell what csv.ts's cell encoder writes), into `w`. */
export function sweepCsv (plan: SweepPlan, summary: boolean, w: ByteWriter): { header: () => void, rows: RowWriter } {
  // The text cells (mesh, field, currency) quoted once per sweep.
  const before = plan.meshes.map((m) => ascii(`${text(m.mesh)},${text(plan.vary)},`))
  const after = ascii(`,${text(plan.currency)}\r\n`)
  /** cost cells go through cell() as text: one that starts with a minus sign is formula-guarded (text). */
  const cost = (v: number): void => {
    if (v < 0) w.ascii(text(decimal2(v)))
    else w.fixed(v, 2, decimal2)
  }
  return {
    header: () => w.ascii(sweepCsvHeader(summary)),
    rows (x, meshes, count) {
      for (let i = 0; i < count; i++) {
        const t = meshes[i] as PointTotals
        w.bytes(before[i] as Buffer)
        if (Number.isInteger(x)) w.integer(x)
        else w.ascii(decimal(x))
        w.bytes(COMMA); w.fixed(t.cpuExpected, 6, decimal6)
        if (!summary) { w.bytes(COMMA); w.fixed(t.cpuLow, 6, decimal6); w.bytes(COMMA); w.fixed(t.cpuHigh, 6, decimal6) }
        w.bytes(COMMA); w.fixed(t.memoryExpected, 6, decimal6)
        if (!summary) { w.bytes(COMMA); w.fixed(t.memoryLow, 6, decimal6); w.bytes(COMMA); w.fixed(t.memoryHigh, 6, decimal6) }
        w.bytes(COMMA); cost(t.monthlyExpected)
        if (!summary) { w.bytes(COMMA); cost(t.monthlyLow); w.bytes(COMMA); cost(t.monthlyHigh) }
        w.bytes(COMMA); w.integer(t.additionalNodes)
        w.bytes(COMMA)
        if (t.additionalNodesMonthly !== null) cost(t.additionalNodesMonthly)
        w.bytes(after)
      }
    }
  }
}
