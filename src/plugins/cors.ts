// CORS for browser dashboards, off unless CORS_ORIGINS names the origins allowed ("*" for any).
import cors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/** CORS_ORIGINS as @fastify/cors takes it: '*', a list of exact origins, or null when CORS is off. */
export function corsOrigins (value: string): '*' | string[] | null {
  const trimmed = value.trim()
  if (trimmed === '') return null
  if (trimmed === '*') return '*'
  return trimmed.split(',').map((o) => o.trim().replace(/\/$/, '')).filter((o) => o !== '')
}

export default fp(async function corsPlugin (app: FastifyInstance, options: { origins: string }) {
  const origin = corsOrigins(options.origins)
  if (origin === null) return // off: no Access-Control-* header, and preflights get the 404 of an unknown route
  await app.register(cors, {
    origin,
    methods: ['GET', 'HEAD', 'POST'],
    allowedHeaders: ['content-type', 'accept', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'content-disposition'],
    maxAge: 600
  })
}, { name: 'meshcost-cors' })
