'use strict'

/* global define */

define('admin/plugins/sunbird-discussions/html', [], function () {
  /* Small helpers shared by the Sunbird ACP page's sections: escaping and the ladder. */

  /** HTML-escapes a value; brackets too, so user data never reads as a [[translation:key]]. */
  function esc (value) {
    return String(value === undefined || value === null ? '' : value)
      .replace(/[&<>"'`=[\]]/g, c => '&#' + c.charCodeAt(0) + ';')
  }

  /**
   * A value as one argument of a [[key, args]] translation: NodeBB's translator splits arguments
   * on commas (not after a backslash), then decodes entities, so commas, backslashes, percent
   * signs and brackets go in as entities it decodes only after the split (brackets as &lsqb;,
   * which NodeBB's own escaping uses, so they never read as a token).
   */
  function arg (value) {
    return String(value === undefined || value === null ? '' : value)
      // & as a named entity: NodeBB decodes numeric entities first, so &#38; would decode twice
      .replace(/&/g, '&amp;')
      .replace(/[<>"'`=,%\\]/g, c => '&#' + c.charCodeAt(0) + ';')
      .replace(/\[/g, '&lsqb;')
      .replace(/\]/g, '&rsqb;')
  }

  /** One translation token of this plugin's language file, with arguments given as plain text. */
  function token (key, args) {
    if (!/^[a-z0-9.-]+$/.test(String(key))) {
      throw new Error('not a translation key of this plugin: ' + key)
    }
    return `[[sunbird-discussions:${key}${args && args.length ? ', ' + args.map(arg).join(', ') : ''}]]`
  }

  /**
   * The permission ladder as the server defines it (shared/permission-ladder.ts), sent with the
   * page's data: its levels in order and the privileges each level adds.
   */
  function ladder () {
    const data = window.ajaxify && window.ajaxify.data && window.ajaxify.data.sunbirdLadder
    if (!data || !Array.isArray(data.levels)) throw new Error('the Sunbird ACP page data carries no ladder')
    return data
  }

  /** The ladder level a NodeBB privilege belongs to. */
  function levelOf (privilege) {
    const { levels, privileges } = ladder()
    return levels.find(level => privileges[level].includes(privilege)) || null
  }

  /**
   * One matrix row's cells: per level, 'full' when the member holds the level (permissions lists
   * it), 'partial' when it holds some of that level's privileges beyond its complete level, else ''.
   */
  function cells (permissions, extra) {
    const partial = new Set((extra || []).map(levelOf))
    return ladder().levels.map(level => ({
      level,
      state: (permissions || []).includes(level) ? 'full' : (partial.has(level) ? 'partial' : ''),
      extra: (extra || []).filter(p => levelOf(p) === level),
    }))
  }

  function cellHtml (cell) {
    if (cell.state === 'full') {
      return `<td class="text-center" data-level="${cell.level}" data-state="full"><i class="fa fa-check text-success" title="${cell.level}"></i></td>`
    }
    if (cell.state === 'partial') {
      return `<td class="text-center" data-level="${cell.level}" data-state="partial"><i class="fa fa-circle-half-stroke text-warning" title="[[sunbird-discussions:matrix.partial, ${esc(cell.extra.join(' '))}]]"></i></td>`
    }
    return `<td class="text-center text-muted" data-level="${cell.level}" data-state="">&middot;</td>`
  }

  function levelHeaders () {
    return ladder().levels.map(level => `<th class="text-center text-xs">[[sunbird-discussions:level.${level}]]</th>`).join('')
  }

  return { esc, arg, token, levelOf, cells, cellHtml, levelHeaders }
})
