// The schemas of the data files in models/, one module per kind of file, re-exported here for the engine,
// the routes and the tests.
export * from './common-schema.js'
export * from './decision-schema.js'
export * from './defaults-schema.js'
export * from './mesh-schema.js'
export * from './node-schema.js'
export * from './price-book-schema.js'
