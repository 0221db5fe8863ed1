/** A request that is well-formed but cannot be priced: unknown ids, contradictions. Maps to a 4xx problem. */
export class ScenarioError extends Error {
  constructor (
    readonly errors: Array<{ pointer: string, detail: string }>,
    readonly status: 404 | 422 = 422
  ) {
    super(errors.map((e) => `${e.pointer}: ${e.detail}`).join('; '))
    this.name = 'ScenarioError'
  }
}
