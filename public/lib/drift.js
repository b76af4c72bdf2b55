'use strict'

/* global define, $, config */

define('admin/plugins/sunbird-discussions/drift', ['api', 'alerts', 'translator', 'admin/plugins/sunbird-discussions/html'], function (api, alerts, translator, html) {
  /* The "Drift and repair" section: recorded level against NodeBB's privileges, and the repair. */

  let lastReport = null

  function init (root, onChange) {
    const container = root.find('[component="sunbird/drift"]')
    const repairAll = root.find('[component="sunbird/drift/repair-all"]')
    const check = async () => {
      try {
        lastReport = await api.get('/plugins/sunbird/drift', {})
        const labels = await userLabels(lastReport)
        container.html(await translator.translate(render(lastReport, labels)))
        repairAll.toggleClass('hidden', lastReport.count === 0)
      } catch (err) {
        alerts.error(err)
      }
    }
    const repair = async (forumId) => {
      const result = await api.post(`/plugins/sunbird/forums/${encodeURIComponent(forumId)}/repair`, {})
      alerts.success(await translator.translate(`[[sunbird-discussions:drift.repaired, ${html.esc(forumId)}, ${Number(result.repaired)}]]`))
    }
    root.find('[component="sunbird/drift/check"]').on('click', check)
    container.on('click', '[component="sunbird/drift/repair"]', async function () {
      $(this).prop('disabled', true)
      try {
        await repair(String($(this).attr('data-forum-id')))
      } catch (err) {
        alerts.error(err)
      }
      await check()
      onChange()
    })
    repairAll.on('click', async () => {
      repairAll.prop('disabled', true)
      for (const forum of (lastReport ? lastReport.forums : [])) {
        try {
          await repair(forum.identifier)
        } catch (err) {
          alerts.error(err)
        }
      }
      repairAll.prop('disabled', false)
      await check()
      onChange()
    })
    return check
  }

  /** `u:<uid>` keys -> the person (username and Sunbird id), 200 uids a call. */
  async function userLabels (report) {
    const uids = new Set()
    report.forums.forEach(f => f.members.forEach((m) => {
      if (m.key.startsWith('u:')) uids.add(m.key.slice(2))
    }))
    const labels = {}
    const list = [...uids]
    for (let i = 0; i < list.length; i += 200) {
      const { users } = await api.get('/plugins/sunbird/people', { uids: list.slice(i, i + 200).join(',') })
      users.forEach((u) => {
        labels[`u:${u.uid}`] = u
      })
    }
    return labels
  }

  /** A member cell: a user by username and Sunbird id (uid only when NodeBB has neither), a group by name. */
  function memberHtml (key, labels) {
    if (key.startsWith('g:')) {
      return `${html.esc(key.slice(2))} <span class="badge text-bg-light">[[sunbird-discussions:matrix.group]]</span>`
    }
    const u = labels[key] || {}
    const name = u.username || u.identifier
    return `${name ? `<strong>${html.esc(name)}</strong>` : `[[sunbird-discussions:member.uid, ${html.arg(key.slice(2))}]]`}` +
      `${u.username && u.identifier ? ` <span class="text-muted font-monospace text-xs">${html.esc(u.identifier)}</span>` : ''}` +
      ' <span class="badge text-bg-light">[[sunbird-discussions:matrix.user]]</span>'
  }

  function render (report, labels) {
    if (!report.count) {
      return '<p class="text-success" component="sunbird/drift/none"><i class="fa fa-check"></i> [[sunbird-discussions:drift.none]]</p>'
    }
    const rel = config.relative_path
    return `<p class="text-sm">[[sunbird-discussions:drift.count, ${Number(report.count)}]]</p>` + report.forums.map(forum => `
    <div class="card mb-2 border-warning" component="sunbird/drift/forum" data-forum-id="${html.esc(forum.identifier)}">
      <div class="card-header d-flex flex-wrap gap-2 align-items-center py-1">
        <strong><a href="${rel}/category/${html.esc(forum.identifier)}" target="_blank">${html.esc(forum.name)}</a></strong>
        <span class="badge text-bg-secondary">#${html.esc(forum.identifier)}</span>
        <span class="text-xs text-muted">${html.esc(forum.context.type)}:${html.esc(forum.context.identifier)}</span>
        <a class="text-xs" href="${rel}/admin/manage/privileges/${html.esc(forum.identifier)}">[[sunbird-discussions:forum.privileges]]</a>
        <button type="button" class="btn btn-sm btn-warning ms-auto" component="sunbird/drift/repair" data-forum-id="${html.esc(forum.identifier)}">[[sunbird-discussions:drift.repair]]</button>
      </div>
      <table class="table table-sm mb-0 align-middle w-100">
        <thead><tr>
          <th class="text-xs">[[sunbird-discussions:matrix.member]]</th><th class="text-xs">[[sunbird-discussions:drift.recorded]]</th>
          <th class="text-xs">[[sunbird-discussions:drift.actual]]</th><th class="text-xs">[[sunbird-discussions:drift.missing]]</th><th class="text-xs">[[sunbird-discussions:drift.extra]]</th>
        </tr></thead>
        <tbody>${forum.members.map(m => `
          <tr component="sunbird/drift/member" data-member="${html.esc(m.key)}">
            <td class="text-break">${memberHtml(m.key, labels)}</td>
            <td><span class="badge text-bg-primary">${html.esc(m.recorded)}</span></td>
            <td>${m.actual.permissions.length ? `<span class="badge text-bg-secondary">${html.esc(m.actual.permissions[m.actual.permissions.length - 1])}</span>` : '&mdash;'}${m.actual.extra.length ? ` <span class="text-xs text-muted">+ ${html.esc(m.actual.extra.join(' '))}</span>` : ''}</td>
            <td class="text-danger text-xs font-monospace">${html.esc(m.missing.join(' '))}</td>
            <td class="text-warning text-xs font-monospace">${html.esc(m.extra.join(' '))}</td>
          </tr>`).join('')}
        </tbody>
      </table>
    </div>`).join('')
  }

  return { init }
})
