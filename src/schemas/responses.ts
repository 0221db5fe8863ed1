import { Type } from 'typebox'
import type { Problem } from './common.js'

const ProblemRef = Type.Unsafe<Problem>(Type.Ref('Problem'))
export const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemRef } } })

/** The error answers every route can give, documented once. */
export const problemResponses = {
  '4XX': problem('Client error: the problem document names each field and the rule it broke'),
  '5XX': problem('Server error; quote requestId when reporting it')
}
