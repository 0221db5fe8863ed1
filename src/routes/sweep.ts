import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Counter } from 'prom-client'
import { Type } from 'typebox'
import { CSV_CONTENT_TYPE, preferredFormat } from '../encoders/csv.js'
import { planSweep, sweepRows } from '../engine/sweep.js'
import { DomainError } from '../errors.js'
import { plainJson } from '../plugins/serialization.js'
import { STREAM_LIMITS, SWEEP_LIMITS, SweepLine, SweepRequest, SweepResponse, SweepSummaryResponse } from '../schemas/integration.js'
import { View } from '../schemas/estimate.js'
import { problemResponses } from '../schemas/responses.js'
import { inSlices, NDJSON_CONTENT_TYPE, STREAM_CHUNK_BYTES, streamChunks, wantsNdjson } from '../encoders/stream.js'
import { ByteWriter, sweepCsv, sweepJson, sweepNdjson } from '../encoders/sweep-text.js'

const SweepQuery = Type.Object({
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('ndjson')], { description: 'json (default); csv or ndjson stream the points as they are computed (also `Accept: text/csv` or `Accept: application/x-ndjson`)' })),
  view: Type.Optional(View)
}, { additionalProperties: false })

const sweepRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Points computed, streamed or not: with the request count, shows how much work sweeps cost, and that a
  // client that goes away stops its sweep.
  const pointsComputed = new Counter({ name: 'meshcost_sweep_points_total', help: 'Sweep points computed (one per mesh and x)', registers: [app.metricsRegistry] })

  app.post('/estimate/sweep', {
    ...plainJson,
    schema: {
      tags: ['estimate'],
      summary: 'Curves for plots: one scenario priced across a range of pods, traffic, services or nodes',
      description: `Prices \`scenario\` (any POST /estimate body) at \`steps\` values of \`vary\` from \`from\` to \`to\`, linear or log, and answers one series per mesh, each point with the expected CPU, memory, monthly cost and additional nodes and the low and high bounds beside them (\`?view=summary\`: expected figures only). Each point is what POST /estimate answers for that value. JSON answers are computed whole, then written as the client reads: at most ${SWEEP_LIMITS.steps} points per series and ${SWEEP_LIMITS.points} in all. \`?format=ndjson\` (\`Accept: application/x-ndjson\`) and \`?format=csv\` (\`Accept: text/csv\`) stream the points x by x as they are computed, in flat memory, up to ${STREAM_LIMITS.points} points; a client that disconnects stops the work. Past the limits, a 400 problem.`,
      querystring: SweepQuery,
      body: SweepRequest,
      response: {
        200: {
          description: 'One series per mesh (JSON), or one line per mesh and point (NDJSON, CSV)',
          content: {
            'application/json': { schema: Type.Union([SweepResponse, SweepSummaryResponse]) },
            'application/x-ndjson': { schema: SweepLine },
            'text/csv': { schema: Type.String({ description: 'one row per mesh and point, x by x' }) }
          }
        },
        ...problemResponses
      }
    }
  }, async (request, reply) => {
    const { accept } = request.headers
    const format = request.query.format ?? (wantsNdjson(accept) ? 'ndjson' : preferredFormat(undefined, accept))
    const summary = request.query.view === 'summary'
    reply.header('vary', 'accept')
    if (format === 'json') {
      const plan = planSweep(request.body, app.models) // a DomainError becomes its problem document (plugins/problem.ts)
      // Every point is computed before the first series is sent (series are mesh by mesh, rows x by x): the
      // numbers are held, reserved against the replica's bound, and written out as the client reads.
      const answer = sweepJson(plan, summary, request.body.steps)
      if (!app.reserveUnsent(reply, answer.heldBytes())) return reply
      // A client that goes away stops the work; what was computed is then sent into the closed socket, a no-op.
      await inSlices(sweepRows(request.body, plan, app.models), (row) => { answer.add(row.x, row.meshes, row.count) }, () => request.socket.destroyed)
      pointsComputed.inc(answer.points())
      return reply
        .type('application/json; charset=utf-8')
        .send(streamChunks(answer.chunks(STREAM_CHUNK_BYTES)) as never) // a stream: the JSON response schemas do not apply
    }

    const plan = planSweep(request.body, app.models, STREAM_LIMITS) // checked before the 200, as above
    const body = request.body
    const log = request.log
    function * chunks (): Generator<Buffer> {
      const w = new ByteWriter(2 * STREAM_CHUNK_BYTES)
      const csv = format === 'csv' ? sweepCsv(plan, summary, w) : undefined
      const write = csv?.rows ?? sweepNdjson(plan, summary, w)
      csv?.header()
      let count = 0
      try {
        for (const row of sweepRows(body, plan, app.models)) {
          count += row.count
          write(row.x, row.meshes, row.count)
          if (w.written >= STREAM_CHUNK_BYTES) yield w.take()
        }
      } catch (err) {
        // After the 200 the status cannot change: NDJSON ends with the problem as its last line; CSV, which
        // has no place for one, is cut off (the client sees an incomplete chunked answer).
        if (format === 'ndjson' && err instanceof DomainError) {
          w.utf8(JSON.stringify({ error: { status: err.status, detail: err.message, errors: err.errors } }) + '\n')
          yield w.take()
          return
        }
        throw err
      } finally {
        pointsComputed.inc(count)
        log.debug({ points: count }, 'sweep stream ended')
      }
      if (w.written > 0) yield w.take()
    }
    return reply
      .type(format === 'csv' ? CSV_CONTENT_TYPE : NDJSON_CONTENT_TYPE)
      .header('content-disposition', `inline; filename="meshcost-sweep.${format}"`)
      .send(streamChunks(chunks()) as never) // a stream: the JSON response schemas do not apply
  })
}

export default sweepRoutes
