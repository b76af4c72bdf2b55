import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runInNewContext } from 'node:vm'

/**
 * The ACP's text helpers (public/lib, AMD modules run in the browser): CSV cells that survive
 * quotes, commas, line breaks and spreadsheet formulas, and translation arguments that survive
 * NodeBB's translator (which splits on commas and reads [[...]] as a token).
 */
function load<T> (file: string): T {
  let factory: (() => T) | undefined
  const source = readFileSync(join(__dirname, '..', '..', '..', 'public', 'lib', file), 'utf8')
  runInNewContext(source, { define: (_name: string, _deps: string[], f: () => T) => { factory = f }, window: {} })
  if (factory === undefined) throw new Error(`${file} defined no module`)
  return factory()
}

const csv = load<{ cell: (v: unknown) => string, toCsv: (rows: unknown[][]) => string }>('csv.js')
const html = load<{ esc: (v: unknown) => string, arg: (v: unknown) => string, token: (key: string, args?: unknown[]) => string }>('html.js')

t.test('CSV: every cell quoted, quotes doubled, formulas written as text', async (t) => {
  t.equal(csv.cell('plain'), '"plain"')
  t.equal(csv.cell('a, "b"\nc'), '"a, ""b""\nc"', 'commas, quotes and line breaks stay inside the cell')
  for (const formula of ['=1+2', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1', '=HYPERLINK("http://evil.example")']) {
    t.ok(csv.cell(formula).startsWith('"\''), `${JSON.stringify(formula)} starts with an apostrophe`)
  }
  t.equal(csv.cell('a=1'), '"a=1"', 'only a leading sign makes a formula')
  t.equal(csv.cell(null), '""')
  t.equal(csv.cell(42), '"42"')
  t.equal(csv.toCsv([['h1', 'h2'], ['x', 'y']]), '"h1","h2"\r\n"x","y"\r\n', 'RFC 4180 line ends')
})

t.test('translation arguments: no raw comma, bracket, percent or backslash reaches the translator', async (t) => {
  const hostile = 'Q&A, <b>[[admin:menu]]</b> 50% \\ "x" \'y\' `z` =w'
  const a = html.arg(hostile)
  t.notMatch(a, /[,[\]%\\<>"'`=]/, a)
  t.equal(a.replace(/&lsqb;/g, '[').replace(/&rsqb;/g, ']').replace(/&amp;/g, '&').replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))), hostile, 'and it decodes back to what was given')
  t.equal(html.token('summary.gave', ['a,b', 'moderate', 'C [1]']), '[[sunbird-discussions:summary.gave, a&#44;b, moderate, C &lsqb;1&rsqb;]]')
  t.equal(html.token('audit.none'), '[[sunbird-discussions:audit.none]]')
  t.throws(() => html.token('x]], [[admin:y'), /not a translation key/)
})
