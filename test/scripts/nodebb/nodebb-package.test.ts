import t from 'tap'
import { etargetOnBundled, pinsNeedRelaxing, preparePackageJson } from '../../../scripts/nodebb/nodebb-package'

const pkg = {
  name: 'nodebb',
  version: '4.15.1',
  dependencies: { nconf: '0.13.0', 'nodebb-theme-harmony': '3.2.9', 'nodebb-plugin-markdown': '13.2.7', 'nodebb-widget-essentials': '8.0.9', 'nodebb-rewards-essentials': '1.0.3', 'nodebb-plugin-emoji': '6.0.16' },
  devDependencies: { mocha: '11' },
  scripts: { test: 'mocha' }
}

t.test('devDependencies go; the rest stays', async (t) => {
  const out = preparePackageJson(pkg, false)
  t.notOk('devDependencies' in out)
  t.same(out.dependencies, pkg.dependencies)
  t.same(out.scripts, pkg.scripts)
  t.ok(pkg.devDependencies, 'the input is not changed')
})

t.test('relaxed: bundled plugins, themes, widgets and rewards at *, others pinned', async (t) => {
  const out = preparePackageJson(pkg, true)
  t.same(out.dependencies, { nconf: '0.13.0', 'nodebb-theme-harmony': '*', 'nodebb-plugin-markdown': '*', 'nodebb-widget-essentials': '*', 'nodebb-rewards-essentials': '*', 'nodebb-plugin-emoji': '*' })
  t.same(preparePackageJson({ name: 'x' }, true).dependencies, {})
})

t.test('which releases need it', async (t) => {
  t.notOk(pinsNeedRelaxing('4.11.2'))
  t.notOk(pinsNeedRelaxing('4.14.10'))
  t.ok(pinsNeedRelaxing('4.15.1'))
  t.ok(pinsNeedRelaxing('5.0.0'))
  t.notOk(pinsNeedRelaxing('3.12.0'))
})

t.test('npm\'s ETARGET for a bundled package', async (t) => {
  t.ok(etargetOnBundled('npm error code ETARGET\nnpm error notarget No matching version found for nodebb-theme-harmony@3.2.9.'))
  t.notOk(etargetOnBundled('npm error code ETARGET\nnpm error notarget No matching version found for lodash@9.9.9.'))
  t.notOk(etargetOnBundled('npm error code E404'))
})
