import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runInNewContext } from 'node:vm'
import { adminPageData } from '../../../plugin/nodebb/acp-page'
import { ladderLevels, levelOwnPrivileges } from '../../../shared/permission-ladder'

/**
 * The ACP's matrix (public/lib/html.js, an AMD module run in the browser) reads the permission
 * ladder from the page's data, which the server fills from shared/permission-ladder.ts: one table.
 */
interface HtmlModule {
  levelOf: (privilege: string) => string | null
  cells: (permissions: string[], extra: string[]) => Array<{ level: string, state: string, extra: string[] }>
  levelHeaders: () => string
}

function loadHtmlModule (pageData: unknown): HtmlModule {
  let factory: (() => HtmlModule) | undefined
  const source = readFileSync(join(__dirname, '..', '..', '..', 'public', 'lib', 'html.js'), 'utf8')
  runInNewContext(source, { define: (_name: string, _deps: string[], f: () => HtmlModule) => { factory = f }, window: { ajaxify: { data: pageData } } })
  if (factory === undefined) throw new Error('html.js defined no module')
  return factory()
}

t.test('the ACP matrix uses the ladder the server sends with the page', async (t) => {
  // NodeBB sends page data as JSON
  const html = loadHtmlModule(JSON.parse(JSON.stringify(adminPageData())))
  for (const level of ladderLevels) {
    for (const privilege of levelOwnPrivileges[level]) t.equal(html.levelOf(privilege), level, `${privilege} -> ${level}`)
  }
  t.equal(html.levelOf('groups:read'), null, 'a privilege outside the ladder')
  t.same(html.cells(['read', 'vote'], ['topics:reply', 'purge']).map((c) => c.state), ['full', 'full', 'partial', '', 'partial'])
  t.same(html.levelHeaders().match(/level\.(\w+)/g), ladderLevels.map((l) => `level.${l}`), 'the columns in ladder order')
})

t.test('without the ladder in the page data the matrix fails loudly instead of guessing', async (t) => {
  const html = loadHtmlModule({ title: 'Sunbird Discussions' })
  t.throws(() => html.levelOf('read'), /carries no ladder/)
})
