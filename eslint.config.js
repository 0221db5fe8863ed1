// npm run lint: neostandard, the Fastify team's style (standard for TypeScript, as an eslint flat config).
import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    ignores: ['dist/**', 'coverage/**', '.tap/**', 'node_modules/**', '.stryker-tmp/**', 'reports/**']
  }),
  {
    rules: {
      // TypeBox's idiom: a schema and its type share a name (`const Range = Type.Object(…)`,
      // `type Range = Static<typeof Range>`), which TypeScript allows and the rule would forbid.
      '@typescript-eslint/no-redeclare': 'off'
    }
  }
]
