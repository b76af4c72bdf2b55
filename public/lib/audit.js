'use strict'

/* global define, $, config */

define('admin/plugins/sunbird-discussions/audit', ['api', 'alerts', 'translator', 'admin/plugins/sunbird-discussions/html'], function (api, alerts, translator, html) {
  /* The "Audit log" section: paged and filtered by operation, outcome and forum. */

  const pageSize = 20

  function init (root) {
    const container = root.find('[component="sunbird/audit"]')
    const form = root.find('[component="sunbird/audit/filter"]')
    let offset = 0
    let filtersFilled = false

    const load = async () => {
      const filter = {}
      for (const name of ['operation', 'outcome', 'forumId']) {
        const value = String(form.find(`[name="${name}"]`).val() || '').trim()
        if (value) {
          filter[name] = value
        }
      }
      try {
        const page = await api.get('/plugins/sunbird/audit', { ...filter, limit: pageSize, offset })
        if (!filtersFilled) {
          form.find('[name="operation"]').append(page.operations.map(op => `<option value="${html.esc(op)}">${html.esc(op)}</option>`).join(''))
          root.find('#sunbird-audit-outcomes').html(page.outcomes.map(o => `<option value="${html.esc(o)}"></option>`).join(''))
          filtersFilled = true
        }
        container.html(await translator.translate(render(page, offset)))
      } catch (err) {
        alerts.error(err)
      }
    }
    form.on('submit', (ev) => {
      ev.preventDefault()
      offset = 0
      load()
    })
    container.on('click', '[component="sunbird/audit/page"]', function () {
      offset = Math.max(0, Number($(this).attr('data-offset')) || 0)
      load()
    })
    load()
    return load
  }

  function render (page, offset) {
    if (!page.entries.length) {
      return '<p class="text-muted">[[sunbird-discussions:audit.none]]</p>'
    }
    const rel = config.relative_path
    const rows = page.entries.map(e => `
      <tr component="sunbird/audit/entry" data-operation="${html.esc(e.operation)}" data-outcome="${html.esc(e.outcome)}">
        <td class="text-nowrap text-xs">${html.esc(new Date(e.at).toISOString().replace('T', ' ').slice(0, 19))}</td>
        <td class="text-xs font-monospace">${html.esc(e.operation)}</td>
        <td class="text-xs">${e.forumId ? `<a href="${rel}/category/${html.esc(e.forumId)}" target="_blank">${html.esc(e.forumId)}</a>` : ''}</td>
        <td class="text-xs">${Number(e.uid)}</td>
        <td class="text-xs font-monospace text-truncate" style="max-width: 10rem;">${html.esc(e.msgid || '')}</td>
        <td><span class="badge ${e.outcome === 'ok' ? 'text-bg-success' : 'text-bg-danger'}">${html.esc(e.outcome)}</span></td>
        <td class="text-xs text-end">${Number(e.ms)}</td>
      </tr>`).join('')
    const newer = offset > 0 ? `<button type="button" class="btn btn-sm btn-light" component="sunbird/audit/page" data-offset="${Math.max(0, offset - pageSize)}">[[sunbird-discussions:audit.newer]]</button>` : ''
    const older = page.offset !== null ? `<button type="button" class="btn btn-sm btn-light" component="sunbird/audit/page" data-offset="${page.offset}">[[sunbird-discussions:audit.older]]</button>` : ''
    return `
    <div class="table-responsive"><table class="table table-sm align-middle mb-2">
      <thead><tr>
        <th class="text-xs">[[sunbird-discussions:audit.time]]</th><th class="text-xs">[[sunbird-discussions:audit.operation]]</th>
        <th class="text-xs">[[sunbird-discussions:audit.forum]]</th><th class="text-xs">[[sunbird-discussions:audit.actor]]</th>
        <th class="text-xs">[[sunbird-discussions:audit.msgid]]</th><th class="text-xs">[[sunbird-discussions:audit.outcome]]</th><th class="text-xs text-end">[[sunbird-discussions:audit.ms]]</th>
      </tr></thead>
      <tbody>${rows}</tbody>
    </table></div>
    <div class="d-flex gap-2 align-items-center text-sm">
      ${newer}
      <span class="text-muted">[[sunbird-discussions:audit.page, ${offset + 1}, ${offset + page.entries.length}, ${page.count}]]</span>
      ${older}
    </div>`
  }

  return { init }
})
