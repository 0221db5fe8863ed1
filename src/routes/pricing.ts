// GET /pricing: the price books (unit prices per vCPU-hour and GiB-hour), and the PRICE_SHEET_FILE sheet when one is set.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Static } from 'typebox'
import { citedSources } from '../schemas/common.js'
import { PriceBookList, type PriceBookOut } from '../schemas/pricing.js'
import { problemResponses } from '../schemas/responses.js'

const pricingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // The price books never change while the process runs, so the answer is built once.
  // With PRICE_SHEET_FILE, the sheet prices the requests that name no prices; without, the default book does.
  const sheet = app.models.priceSheet
  const defaultBook = sheet === undefined ? app.models.defaults.priceBook.value : 'price-sheet-file'
  const books: Array<Static<typeof PriceBookOut>> = [...app.models.priceBooks.values()].map((b) => ({
    id: b.id,
    name: b.name,
    currency: b.currency,
    ...(b.region === undefined ? {} : { region: b.region }),
    cpuCoreHour: b.cpuCoreHour,
    memoryGiBHour: b.memoryGiBHour,
    ...(b.gpuHour === undefined ? {} : { gpuHour: b.gpuHour }),
    ...(b.spotCpuCoreHour === undefined ? {} : { spotCpuCoreHour: b.spotCpuCoreHour }),
    ...(b.spotMemoryGiBHour === undefined ? {} : { spotMemoryGiBHour: b.spotMemoryGiBHour }),
    asOf: b.asOf,
    ...(b.note === undefined ? {} : { note: b.note }),
    revised: b.revised,
    default: b.id === defaultBook,
    sources: citedSources(b.rateSources, b.sources)
  }))
  if (sheet !== undefined) {
    const { currency, cpuCoreHour, memoryGiBHour, gpuHour, spotCpuCoreHour, spotMemoryGiBHour } = sheet
    books.unshift({
      id: 'price-sheet-file',
      name: 'The OpenCost price sheet this service was started with (PRICE_SHEET_FILE)',
      currency,
      cpuCoreHour,
      memoryGiBHour,
      ...(gpuHour === undefined ? {} : { gpuHour }),
      ...(spotCpuCoreHour === undefined ? {} : { spotCpuCoreHour }),
      ...(spotMemoryGiBHour === undefined ? {} : { spotMemoryGiBHour }),
      default: true,
      sources: []
    })
  }

  app.get('/pricing', {
    schema: {
      tags: ['pricing'],
      summary: 'Price books: unit prices per vCPU-hour and GiB-hour',
      description: 'Use an id as pricing.book in POST /estimate, or give pricing.cpuCoreHour and pricing.memoryGiBHour inline in any currency.',
      response: { 200: PriceBookList, ...problemResponses }
    }
  }, async () => ({ books }))
}

export default pricingRoutes
