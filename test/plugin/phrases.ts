import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Phrase, PhraseArg } from '../../plugin/acp/audit-summary'

/** The plugin's English strings, as NodeBB's translator reads them. */
export const english: Record<string, string> = JSON.parse(readFileSync(join(__dirname, '..', '..', 'languages', 'en-GB', 'sunbird-discussions.json'), 'utf8'))

/** A phrase in English, as the ACP shows it; a key missing from the language file throws. */
export function inEnglish (arg: PhraseArg): string {
  if (typeof arg !== 'object') return String(arg)
  const template = english[arg.key]
  if (template === undefined) throw new Error(`no English string for ${arg.key}`)
  return template.replace(/%(\d+)/g, (_m, n: string) => inEnglish(arg.args[Number(n) - 1] ?? ''))
}

export function summaryText (summary: Phrase[]): string {
  return summary.map(inEnglish).join('; ')
}
