// The engine throws the service's one domain error (src/errors.ts) under the name it has always used here.
export { DomainError as ScenarioError } from '../errors.js'
