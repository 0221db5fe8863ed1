// Clients that ask for the largest answer and never read it, against the service as it starts with its
// defaults: the memory it holds for them stays bounded, everyone else is answered, and it is freed when they go.
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { request } from 'undici'
import { rssMiB, startServer } from '../server-process.js'

/** The largest JSON answer: 10,000 points for each of the six shipped meshes (about 19 MB of JSON). */
const MAXIMAL_SWEEP = JSON.stringify({ scenario: { pods: 1000 }, vary: 'pods', from: 1, to: 10_000, steps: 10_000 })
const CLIENTS = 40
const MEMORY_LIMIT_MIB = 512 // deploy/kubernetes's limit

/** Sends the sweep, reads only the status line, then stops reading: resolves with the status. */
async function nonReader (port: number): Promise<{ socket: Socket, status: number }> {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  socket.write(`POST /estimate/sweep HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(MAXIMAL_SWEEP)}\r\n\r\n${MAXIMAL_SWEEP}`)
  const [first] = await once(socket, 'data') as [Buffer]
  socket.pause() // from here on the client reads nothing: the kernel's buffers fill, then the server's
  return { socket, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(first.toString('latin1'))?.[1]) }
}

/** A sample of the service's own /metrics (prom-client's process metrics among them), in MiB. */
async function metricMiB (address: string, sample: string): Promise<number> {
  const text = await (await request(`${address}/metrics`)).body.text()
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `))
  return Number(line?.slice(sample.length + 1)) / 2 ** 20
}

t.test(`${CLIENTS} clients that never read a maximal sweep: bounded memory, others answered, memory back when they go`, async (t) => {
  const server = startServer({}, { coverage: false })
  t.teardown(() => { server.child.kill('SIGKILL') })
  const address = await server.address
  const port = Number(new URL(address).port)
  const pid = server.child.pid as number
  await request(`${address}/estimate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"pods":100}' }).then((r) => r.body.dump())
  const before = rssMiB(pid)
  // A held answer's numbers (Float64Arrays) and the chunks waiting in its connection's buffer are outside the
  // V8 heap: prom-client's nodejs_external_memory_bytes counts them (plugins/unsent.ts).
  const externalBefore = await metricMiB(address, 'nodejs_external_memory_bytes')

  let peak = before
  const sampler = setInterval(() => { peak = Math.max(peak, rssMiB(pid)) }, 100)
  t.teardown(() => clearInterval(sampler))

  const readers: Array<{ socket: Socket, status: number }> = []
  const others: number[] = []
  for (let i = 0; i < CLIENTS; i++) {
    readers.push(await nonReader(port))
    // Someone else, who reads: answered whatever the non-readers hold.
    const res = await request(`${address}/estimate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"pods":100}' })
    others.push(res.statusCode)
    await res.body.dump()
  }
  await sleep(3000) // what was computed waits in the buffers
  const held = rssMiB(pid)
  peak = Math.max(peak, held)
  const health = await request(`${address}/healthz`)
  await health.body.dump()
  const externalHeld = await metricMiB(address, 'nodejs_external_memory_bytes')
  const reservedHeld = await metricMiB(address, 'meshcost_unsent_answer_bytes{kind="reserved"}')

  const served = readers.filter((r) => r.status === 200).length
  const refused = readers.filter((r) => r.status === 503).length
  t.comment(`RSS: ${before.toFixed(0)} MiB before, peak ${peak.toFixed(0)} MiB with ${CLIENTS} non-readers (${served} answered 200, ${refused} refused 503)`)
  t.ok(peak < MEMORY_LIMIT_MIB, `RSS peak ${peak.toFixed(0)} MiB stays under ${MEMORY_LIMIT_MIB} MiB`)
  t.equal(served + refused, CLIENTS, 'every non-reader got a 200 or a 503')
  t.ok(served >= 1, 'the first non-readers are served')
  t.ok(refused >= 1, 'past the bound, the next large answers are refused')
  t.same([...new Set(others)], [200], 'clients that read are answered meanwhile')
  t.equal(health.statusCode, 200, '/healthz answers')
  // The measure sees what they hold (a held answer that moved into the V8 heap would make the check below vacuous).
  t.ok(reservedHeld > 0 && externalHeld - externalBefore > reservedHeld / 2, `what they hold is external memory: ${(externalHeld - externalBefore).toFixed(0)} MiB more than before, for ${reservedHeld.toFixed(0)} MiB reserved`)

  for (const { socket } of readers) socket.destroy()
  // Ordinary traffic after they went, as a live replica has: what they held is garbage, collected as it comes.
  for (let i = 0; i < 200; i++) await request(`${address}/estimate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"pods":100}' }).then((r) => r.body.dump())
  await sleep(1000)
  // What they held is freed: the service starts a full collection once no large answer is held (plugins/unsent.ts).
  // Judged on the memory that held it, not on RSS, which depends on V8's heap sizing: on Node 20 RSS was back at
  // its level before (167-169 MiB against 161-166); on Node 24 V8 keeps the heap capacity that computing the sweeps
  // grew (about 67 to 103-119 MiB committed, 34-74 MiB used) while the process keeps allocating, and gives it back
  // only after some seconds without requests (its memory reducer). Measured on Node 24 with external memory back
  // at its 7 MiB: RSS 229-294 MiB against 139-146 before; down to 171-183 MiB 9-12 s after the clients went when
  // no request followed, and never within 40 s of four estimates a second.
  const externalAfter = await metricMiB(address, 'nodejs_external_memory_bytes')
  const after = rssMiB(pid)
  t.comment(`RSS ${after.toFixed(0)} MiB after they went and 200 estimates; external memory ${externalBefore.toFixed(0)} MiB before, ${externalHeld.toFixed(0)} held, ${externalAfter.toFixed(0)} after`)
  t.ok(externalAfter - externalBefore < 16, `what they held is freed: external memory ${externalAfter.toFixed(0)} MiB after, ${externalBefore.toFixed(0)} before, ${externalHeld.toFixed(0)} while they held it`)
  const metrics = await request(`${address}/metrics`)
  const text = await metrics.body.text()
  t.match(text, /meshcost_unsent_answer_bytes\{kind="reserved"\} 0\n/, 'no reservation is left')
})

t.test('a client that stops reading is cut after WRITE_TIMEOUT_MS, and its reservation freed', async (t) => {
  const server = startServer({ WRITE_TIMEOUT_MS: '1500' }, { coverage: false })
  t.teardown(() => { server.child.kill('SIGKILL') })
  const address = await server.address
  const { socket, status } = await nonReader(Number(new URL(address).port))
  t.teardown(() => socket.destroy())
  t.equal(status, 200)
  // A paused client sees nothing of the cut until it reads: the server's log says when it happened.
  const started = Date.now()
  const cut = (): boolean => server.lines.some((line) => line.includes('cutting a connection whose client stopped reading'))
  while (!cut() && Date.now() - started < 20_000) await sleep(100)
  const cutAfterMs = Date.now() - started
  t.ok(cut(), 'the cut is logged')
  t.ok(cutAfterMs >= 1000 && cutAfterMs < 10_000, `cut ${cutAfterMs} ms after the answer began`)
  const text = await (await request(`${address}/metrics`)).body.text()
  t.match(text, /meshcost_unsent_answer_bytes\{kind="reserved"\} 0\n/, 'its reservation is freed')
})
