import { Type, type Static } from 'typebox'
import type { Source } from '../models/schema.js'

export const Range = Type.Object({
  low: Type.Number({ minimum: 0 }),
  expected: Type.Number({ minimum: 0 }),
  high: Type.Number({ minimum: 0 })
}, { additionalProperties: false, description: 'low <= expected <= high, from the spread of the cited sources' })
export type Range = Static<typeof Range>

export const rangeOf = (description: string) => Type.Object(Range.properties, { additionalProperties: false, title: 'Range', description })

export const SourceOut = Type.Object({
  id: Type.String(),
  title: Type.String(),
  kind: Type.String({ description: 'default | measured-official | measured-vendor | measured-third-party | anecdotal | assumption' }),
  url: Type.Optional(Type.String()),
  version: Type.Optional(Type.String()),
  conditions: Type.Optional(Type.String()),
  retrieved: Type.Optional(Type.String()),
  reasoning: Type.Optional(Type.String())
}, { additionalProperties: false, title: 'SourceOut' })
export type SourceOut = Static<typeof SourceOut>

/** The sources the ids cite, each once, sorted by id, with their documents from `all`; an id without one is left out. */
export const citedSources = (ids: Iterable<string>, all: Record<string, Source>): SourceOut[] =>
  [...new Set(ids)].sort().flatMap((id) => (all[id] === undefined ? [] : [{ id, ...all[id] }]))

/** RFC 9457 problem details. */
export const Problem = Type.Object({
  type: Type.String({ description: 'URI naming the problem type; about:blank for plain HTTP errors' }),
  title: Type.String(),
  status: Type.Integer({ minimum: 400, maximum: 599 }),
  detail: Type.Optional(Type.String()),
  instance: Type.Optional(Type.String({ description: 'the request path' })),
  requestId: Type.Optional(Type.String({ description: 'the x-request-id of the request, to quote in reports' })),
  errors: Type.Optional(Type.Array(Type.Object({
    pointer: Type.String({ description: 'JSON pointer to the field, e.g. /cluster/nodes' }),
    detail: Type.String({ description: 'the rule that was broken' })
  })))
}, { $id: 'Problem', title: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' })
export type Problem = Static<typeof Problem>
