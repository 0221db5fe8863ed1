import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { generatedBlocks, renderReadme } from '../scripts/readme.js'
import { PACKAGE_ROOT } from '../src/config.js'
import { shippedCatalog } from './helpers.js'

t.test('the README\'s figures are what the engine gives today (npm run readme regenerates them)', async (t) => {
  const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8')
  const blocks = generatedBlocks(shippedCatalog())
  for (const name of Object.keys(blocks)) t.match(readme, `<!-- generated:${name} -->`, `README has the ${name} block`)
  t.equal(renderReadme(readme, blocks), readme)
})

t.test('the README gives the two commands a new user needs', async (t) => {
  const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8')
  t.match(readme, 'npm ci && npm start')
  t.match(readme, 'npm ci && npm test')
})
