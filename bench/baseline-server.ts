// The bench's baseline: a bare Fastify server (no plugins, no hooks, no schemas, no logger) that parses the
// same JSON request bodies and answers, round-robin, answers the real service gave for bodies drawn from the
// same generator: the same bytes per request on average, with no work behind them. What POST /estimate
// serves against this is the share of the stack's limit the service reaches.
//
//   PORT=0 ANSWERS=/tmp/answers.json node --import tsx bench/baseline-server.ts   (prints "listening <url>")
import Fastify from 'fastify'
import { readFileSync } from 'node:fs'

const answers = JSON.parse(readFileSync(process.env.ANSWERS as string, 'utf8')) as string[]
if (!Array.isArray(answers) || answers.length === 0) throw new Error('ANSWERS must name a JSON array of answer strings')

const app = Fastify()
let next = 0
app.post('/estimate', async (_request, reply) => {
  reply.header('content-type', 'application/json; charset=utf-8')
  const answer = answers[next] as string
  next = (next + 1) % answers.length
  return answer
})
const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) })
console.log(`listening ${address}`)
process.on('SIGTERM', () => { app.close().then(() => process.exit(0), () => process.exit(1)) })
