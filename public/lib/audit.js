'use strict'

/* global define, $, config, document, Blob, URL */

define('admin/plugins/sunbird-discussions/audit', ['api', 'alerts', 'translator', 'admin/plugins/sunbird-discussions/html', 'admin/plugins/sunbird-discussions/csv'], function (api, alerts, translator, html, csv) {
  /*
    The "Audit log" section: changes and refusals, filtered by actor, forum, context, operation,
    outcome and date, paged, and the page shown exported as CSV. Each row's summary comes from the
    server as phrases (keys of the language file with arguments), put into words here.
  */

  const filterNames = ['actor', 'forum', 'context', 'operation', 'outcome']

  /** Translated HTML -> the plain text it shows. */
  function plain (markup) {
    const el = document.createElement('textarea')
    el.innerHTML = markup
    return el.value
  }

  /** A phrase (or a plain argument) -> its text, innermost first, so no token is ever nested in another. */
  async function phraseText (p) {
    if (p === null || typeof p !== 'object') {
      return String(p === undefined || p === null ? '' : p)
    }
    const args = await Promise.all((Array.isArray(p.args) ? p.args : []).map(phraseText))
    return plain(await translator.translate(html.token(p.key, args)))
  }

  async function t (key, args) {
    return plain(await translator.translate(html.token(key, args || [])))
  }

  function localTime (at) {
    const d = new Date(at)
    const pad = n => String(n).padStart(2, '0')
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  }

  /** An entry -> the texts its row shows (and the CSV holds). */
  async function rowOf (e) {
    const actor = e.actor || {}
    let who
    if (actor.service) {
      who = await t('audit.service', [actor.consumer || ''])
    } else {
      who = actor.username || actor.sunbirdId || await t('audit.uid', [actor.uid])
    }
    const forum = e.forum || null
    return {
      entry: e,
      time: localTime(e.at),
      iso: new Date(e.at).toISOString(),
      actor: who,
      actorId: actor.service ? '' : (actor.username && actor.sunbirdId ? actor.sunbirdId : ''),
      via: !actor.service && actor.consumer ? await t('audit.via', [actor.consumer]) : '',
      operation: e.operation.includes(' ') ? e.operation : await t(`op.${e.operation}`),
      forum: forum ? (forum.name || `#${forum.id}`) : '',
      forumId: forum ? String(forum.id) : '',
      context: forum && forum.context ? `${forum.context.type}:${forum.context.identifier}` : '',
      summary: (await Promise.all((e.summary || []).map(phraseText))).join('; '),
      outcome: e.outcome,
      msgid: e.msgid || '',
    }
  }

  function rowHtml (r) {
    const rel = config.relative_path
    const forum = r.forumId
      ? `<a href="${rel}/category/${html.esc(r.forumId)}" target="_blank">${html.esc(r.forum)}</a>${r.context ? `<div class="text-xs text-muted font-monospace">${html.esc(r.context)}</div>` : ''}`
      : ''
    return `
      <tr component="sunbird/audit/entry" data-operation="${html.esc(r.entry.operation)}" data-outcome="${html.esc(r.outcome)}" data-forum-id="${html.esc(r.forumId)}">
        <td class="text-xs text-break"><div class="text-nowrap" title="${html.esc(r.iso)}">${html.esc(r.time)}</div><div class="fw-semibold" component="sunbird/audit/operation">${html.esc(r.operation)}</div></td>
        <td class="text-xs text-break" component="sunbird/audit/actor"><strong>${html.esc(r.actor)}</strong>${r.actorId ? `<div class="text-muted font-monospace">${html.esc(r.actorId)}</div>` : ''}${r.via ? `<div class="text-muted">${html.esc(r.via)}</div>` : ''}</td>
        <td class="text-xs text-break" component="sunbird/audit/forum">${forum}</td>
        <td class="text-xs text-break" component="sunbird/audit/summary">${html.esc(r.summary)}</td>
        <td class="text-xs" component="sunbird/audit/outcome"><span class="badge text-wrap text-break ${r.outcome === 'ok' ? 'text-bg-success' : 'text-bg-danger'}">${html.esc(r.outcome)}</span></td>
        <td class="text-xs font-monospace text-break">${html.esc(r.msgid)}</td>
      </tr>`
  }

  function pageHtml (rows, page, offset, pageSize) {
    if (!rows.length) {
      return '<p class="text-muted" component="sunbird/audit/none">[[sunbird-discussions:audit.none]]</p>'
    }
    const newer = offset > 0 ? `<button type="button" class="btn btn-sm btn-light" component="sunbird/audit/page" data-offset="${Math.max(0, offset - pageSize)}">[[sunbird-discussions:audit.newer]]</button>` : ''
    const older = page.offset !== null ? `<button type="button" class="btn btn-sm btn-light" component="sunbird/audit/page" data-offset="${Number(page.offset)}">[[sunbird-discussions:audit.older]]</button>` : ''
    // fixed layout with set widths: the table fits the width it is given and wraps, it never scrolls sideways
    return `
    <table class="table table-sm align-middle mb-2 w-100" style="table-layout: fixed;" component="sunbird/audit/table">
      <colgroup><col style="width: 9rem;"><col style="width: 12%;"><col style="width: 15%;"><col><col style="width: 8.5rem;"><col style="width: 10%;"></colgroup>
      <thead><tr>
        <th class="text-xs">[[sunbird-discussions:audit.time-operation]]</th><th class="text-xs">[[sunbird-discussions:audit.actor]]</th>
        <th class="text-xs">[[sunbird-discussions:audit.forum]]</th>
        <th class="text-xs">[[sunbird-discussions:audit.summary]]</th><th class="text-xs">[[sunbird-discussions:audit.outcome]]</th>
        <th class="text-xs">[[sunbird-discussions:audit.msgid]]</th>
      </tr></thead>
      <tbody>${rows.map(rowHtml).join('')}</tbody>
    </table>
    <div class="d-flex gap-2 align-items-center text-sm">
      ${newer}
      <span class="text-muted" component="sunbird/audit/count">[[sunbird-discussions:audit.page, ${offset + 1}, ${offset + rows.length}, ${Number(page.count)}]]</span>
      ${older}
    </div>`
  }

  /** The rows shown -> CSV, with the same columns (the time in UTC, ISO 8601). */
  async function csvOf (rows) {
    const head = await Promise.all(['audit.time', 'audit.actor', 'audit.operation', 'audit.forum', 'audit.context', 'audit.summary', 'audit.outcome', 'audit.msgid'].map(k => t(k)))
    return csv.toCsv([head, ...rows.map(r => [r.iso, r.actorId ? `${r.actor} (${r.actorId})` : r.actor, r.operation, r.forumId ? `${r.forum} (#${r.forumId})` : '', r.context, r.summary, r.outcome, r.msgid])])
  }

  function download (name, text) {
    // a byte-order mark, so spreadsheet programs read the file as UTF-8
    const url = URL.createObjectURL(new Blob(['\ufeff' + text], { type: 'text/csv;charset=utf-8' }))
    const a = document.createElement('a')
    a.href = url
    a.download = name
    document.body.appendChild(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(url), 1000)
  }

  /** A local date (yyyy-mm-dd) -> ms at its first or last moment, in the browser's time zone. */
  function dayBound (value, end) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(value || ''))
    if (!m) {
      return null
    }
    const d = end ? new Date(+m[1], +m[2] - 1, +m[3], 23, 59, 59, 999) : new Date(+m[1], +m[2] - 1, +m[3])
    return d.getTime()
  }

  function init (root) {
    const container = root.find('[component="sunbird/audit"]')
    const form = root.find('[component="sunbird/audit/filter"]')
    let offset = 0
    let filtersFilled = false
    let shown = []
    // only the newest request draws: a slow answer never replaces a newer one
    let requested = 0

    const pageSize = () => Number(form.find('[name="limit"]').val()) || 25

    const load = async () => {
      const query = {}
      for (const name of filterNames) {
        const value = String(form.find(`[name="${name}"]`).val() || '').trim()
        if (value) {
          query[name] = value
        }
      }
      const since = dayBound(form.find('[name="since"]').val(), false)
      const until = dayBound(form.find('[name="until"]').val(), true)
      if (since !== null) {
        query.since = since
      }
      if (until !== null) {
        query.until = until
      }
      const mine = ++requested
      try {
        const page = await api.get('/plugins/sunbird/audit', { ...query, limit: pageSize(), offset })
        if (mine !== requested) {
          return
        }
        if (!filtersFilled) {
          const ops = await Promise.all(page.operations.map(async op => `<option value="${html.esc(op)}">${html.esc(op.includes(' ') ? op : await t(`op.${op}`))}</option>`))
          form.find('[name="operation"]').append(ops.join(''))
          form.find('[name="outcome"]').append(page.outcomes.filter(o => o !== 'ok' && o !== 'refused').map(o => `<option value="${html.esc(o)}">${html.esc(o)}</option>`).join(''))
          filtersFilled = true
        }
        const rows = await Promise.all(page.entries.map(rowOf))
        const markup = await translator.translate(pageHtml(rows, page, offset, pageSize()))
        if (mine !== requested) {
          return
        }
        shown = rows
        container.html(markup).attr('data-loaded', String(mine))
        root.find('[component="sunbird/audit/export"]').prop('disabled', shown.length === 0)
      } catch (err) {
        alerts.error(err)
      }
    }
    form.on('submit', (ev) => {
      ev.preventDefault()
      offset = 0
      load()
    })
    form.on('reset', () => {
      setTimeout(() => {
        offset = 0
        load()
      })
    })
    container.on('click', '[component="sunbird/audit/page"]', function () {
      offset = Math.max(0, Number($(this).attr('data-offset')) || 0)
      load()
    })
    root.find('[component="sunbird/audit/export"]').on('click', async () => {
      download(`${await t('audit.csv-file')}-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.csv`, await csvOf(shown))
    })
    load()
    return load
  }

  return { init }
})
