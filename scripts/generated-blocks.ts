// The generated blocks of a Markdown file: the text between <!-- generated:NAME --> and <!-- /generated -->, which
// npm run generate rewrites (scripts/validation.ts, test/docs.test.ts with test/doc-tables.ts). A block inside a
// list item keeps the item's indentation.

/** `text` with each block named in `blocks` replaced by its new content; blocks not named are left as they are. */
export function renderGenerated (text: string, blocks: Record<string, string>): string {
  return text.replace(/^([ \t]*)<!-- generated:([a-z-]+) -->[\s\S]*?<!-- \/generated -->/gm, (whole, indent: string, name: string) => {
    const block = blocks[name]
    return block === undefined ? whole : [`<!-- generated:${name} -->`, ...block.split('\n'), '<!-- /generated -->'].map((l) => l === '' ? l : indent + l).join('\n')
  })
}

/** The names in `blocks` that have no block in `text`: a generator whose place in the doc was removed. */
export const missingBlocks = (text: string, blocks: Record<string, string>): string[] =>
  Object.keys(blocks).filter((name) => !text.includes(`<!-- generated:${name} -->`))
