'use strict'

/* global define, config */

define('admin/plugins/sunbird-discussions/forums', ['api', 'alerts', 'translator', 'slugify', 'admin/plugins/sunbird-discussions/html'], function (api, alerts, translator, slugify, html) {
  /* The "Contexts and forums" section: search, then each forum's tree with its ladder matrix. */

  const maxNameHits = 10

  function init (root) {
    const container = root.find('[component="sunbird/forums"]')
    root.find('[component="sunbird/search/context"]').on('submit', async (ev) => {
      ev.preventDefault()
      const type = root.find('#sunbird-search-type').val().trim()
      const identifier = root.find('#sunbird-search-identifier').val().trim()
      await run(container, async () => {
        const { forums } = await api.get(`/plugins/sunbird/contexts/${encodeURIComponent(type)}/${encodeURIComponent(identifier)}/forums`, {})
        return { forums, count: forums.length, truncated: false }
      })
    })
    root.find('[component="sunbird/search/name"]').on('submit', async (ev) => {
      ev.preventDefault()
      const name = root.find('#sunbird-search-name').val().trim()
      await run(container, async () => {
        const found = await api.get('/plugins/sunbird/search', { name, limit: maxNameHits })
        const forums = []
        for (const hit of found.hits) {
          const { forum } = await api.get(`/plugins/sunbird/forums/${hit.identifier}`, {})
          forums.push(forum)
        }
        return { forums, count: found.count, truncated: found.truncated }
      })
    })
  }

  /** The usernames of every user the trees name (the API names users by Sunbird id), 200 a call. */
  async function usernames (forums) {
    const ids = [...new Set(flatten(forums).flatMap(({ forum }) => forum.users.map(u => u.identifier)))]
    const names = {}
    for (let i = 0; i < ids.length; i += 200) {
      const { users } = await api.get('/plugins/sunbird/people', { identifiers: ids.slice(i, i + 200).join(',') })
      users.forEach((u) => {
        if (u.username) names[u.identifier] = u.username
      })
    }
    return names
  }

  async function run (container, search) {
    container.html('<p class="text-muted"><i class="fa fa-spinner fa-spin"></i></p>')
    try {
      const found = await search()
      container.html(await translator.translate(render({ ...found, names: await usernames(found.forums) })))
    } catch (err) {
      container.html('')
      alerts.error(err)
    }
  }

  /** Forum trees -> one list, each forum with its depth, parents before children. */
  function flatten (forums, depth = 0, out = []) {
    for (const forum of forums) {
      out.push({ forum, depth })
      flatten(forum.children || [], depth + 1, out)
    }
    return out
  }

  function render ({ forums, count, truncated, names }) {
    if (!forums.length) {
      return '<p class="text-muted" component="sunbird/forums/none">[[sunbird-discussions:search.none]]</p>'
    }
    const head = `<p class="text-sm mb-2">[[sunbird-discussions:search.count, ${count}]]${truncated ? ' <span class="text-warning">[[sunbird-discussions:search.truncated]]</span>' : ''}</p>`
    return head + flatten(forums).map(({ forum, depth }) => forumCard(forum, depth, names || {})).join('')
  }

  function forumCard (forum, depth, names) {
    const rel = config.relative_path
    const groups = forum.groups.map(group => `
      <tr data-member="g:${html.esc(group.identifier)}">
        <td><a href="${rel}/groups/${html.esc(slugify(group.identifier))}" target="_blank">${html.esc(group.identifier)}</a>
          <span class="badge text-bg-light">${group.auto ? '[[sunbird-discussions:matrix.auto-group]]' : '[[sunbird-discussions:matrix.group]]'}</span></td>
        <td class="text-center" component="sunbird/member-count">${Number(group.memberCount)}</td>
        ${html.cells(group.permissions, group.extra).map(html.cellHtml).join('')}
      </tr>`)
    const users = forum.users.map(user => `
      <tr data-member="u:${html.esc(user.identifier)}">
        <td class="text-break" component="sunbird/member">${names[user.identifier] ? `<strong>${html.esc(names[user.identifier])}</strong> <span class="text-muted font-monospace text-xs">${html.esc(user.identifier)}</span>` : html.esc(user.identifier)} <span class="badge text-bg-light">[[sunbird-discussions:matrix.user]]</span></td>
        <td class="text-center">1</td>
        ${html.cells(user.permissions, user.extra).map(html.cellHtml).join('')}
      </tr>`)
    const rows = groups.concat(users)
    return `
    <div class="card mb-2" component="sunbird/forum" data-forum-id="${html.esc(forum.identifier)}" style="margin-left: ${depth * 1.5}rem;">
      <div class="card-header d-flex flex-wrap gap-2 align-items-center py-1">
        <strong>${depth ? '<i class="fa fa-level-up fa-rotate-90 text-muted"></i> ' : ''}<a href="${rel}/category/${html.esc(forum.identifier)}" target="_blank">${html.esc(forum.name)}</a></strong>
        <span class="badge text-bg-secondary">#${html.esc(forum.identifier)}</span>
        <span class="text-xs text-muted">[[sunbird-discussions:forum.context]] ${html.esc(forum.context.type)}:${html.esc(forum.context.identifier)}</span>
        <span class="badge ${forum.public ? 'text-bg-warning' : 'text-bg-light'}">${forum.public ? '[[sunbird-discussions:forum.public]]' : '[[sunbird-discussions:forum.private]]'}</span>
        <a class="ms-auto text-xs" href="${rel}/admin/manage/privileges/${html.esc(forum.identifier)}">[[sunbird-discussions:forum.privileges]]</a>
      </div>
      <div class="card-body p-0">
        ${rows.length
  ? `
        <table class="table table-sm mb-0 align-middle" component="sunbird/matrix">
          <thead><tr><th class="text-xs">[[sunbird-discussions:matrix.member]]</th><th class="text-center text-xs">[[sunbird-discussions:matrix.members]]</th>${html.levelHeaders()}</tr></thead>
          <tbody>${rows.join('')}</tbody>
        </table>`
  : '<p class="text-muted text-sm m-2">[[sunbird-discussions:matrix.none]]</p>'}
      </div>
    </div>`
  }

  return { init, flatten }
})
