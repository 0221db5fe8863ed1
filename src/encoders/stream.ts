// Streamed answers (NDJSON and CSV of sweeps and batches): lines made one at a time from a generator and
// sent in chunks of about 64 KiB as the client reads them. A slow client holds the generator back
// (backpressure), so memory stays flat whatever the length; a client that goes away destroys the stream,
// which returns the generator: the work stops with it. Every few chunks the loop yields to the event loop, so
// that one long stream does not hold other requests up.
import { Readable } from 'node:stream'
import { setImmediate as nextTurn } from 'node:timers/promises'

const CHUNK_BYTES = 64 * 1024
const CHUNKS_PER_TURN = 4
/** Work between two turns of the event loop: eight large requests at once still leave /healthz a turn every ~0.1 s. */
const SLICE_MS = 10

export const NDJSON_CONTENT_TYPE = 'application/x-ndjson; charset=utf-8'

export function streamLines (lines: Iterable<string>): Readable {
  async function * chunks (): AsyncGenerator<string> {
    let buffer = ''
    let sent = 0
    for (const line of lines) {
      buffer += line
      if (buffer.length < CHUNK_BYTES) continue
      yield buffer
      buffer = ''
      if (++sent % CHUNKS_PER_TURN === 0) await nextTurn()
    }
    if (buffer !== '') yield buffer
  }
  return Readable.from(chunks(), { objectMode: false })
}

/** Chunks already cut to about CHUNK_BYTES (a sweep's ByteWriter), sent as streamLines sends its own. */
export function streamChunks (chunks: Iterable<Buffer>): Readable {
  async function * paced (): AsyncGenerator<Buffer> {
    let sent = 0
    for (const chunk of chunks) {
      yield chunk
      if (++sent % CHUNKS_PER_TURN === 0) await nextTurn()
    }
  }
  return Readable.from(paced(), { objectMode: false })
}

/**
 * Runs `each` over `items` in slices of about SLICE_MS, giving the event loop a turn between them, so that
 * other requests (and /healthz) are answered while a large answer is computed. Stops early once `stopped()`
 * says the client is gone.
 */
export async function inSlices<T> (items: Iterable<T>, each: (item: T) => void, stopped: () => boolean = () => false): Promise<void> {
  let sliceEnds = performance.now() + SLICE_MS
  for (const item of items) {
    each(item)
    if (performance.now() < sliceEnds) continue
    await nextTurn()
    if (stopped()) return
    sliceEnds = performance.now() + SLICE_MS
  }
}

/** The size streamed answers are cut to. */
export const STREAM_CHUNK_BYTES = CHUNK_BYTES

export type StreamFormat = 'json' | 'csv' | 'ndjson'

/** `?format=` wins; then an Accept header naming NDJSON; then the JSON-or-CSV choice of preferredFormat. */
export function wantsNdjson (accept: string | undefined): boolean {
  if (accept === undefined) return false
  return accept.split(',').some((part) => {
    const [range = '', ...params] = part.trim().toLowerCase().split(';')
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    return (range === 'application/x-ndjson' || range === 'application/ndjson') && (q === undefined || Number(q.slice(2)) > 0)
  })
}
