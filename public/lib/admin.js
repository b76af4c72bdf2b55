'use strict'

/* global define, $, app */

define('admin/plugins/sunbird-discussions', ['settings', 'api', 'alerts', 'admin/plugins/sunbird-discussions/forums', 'admin/plugins/sunbird-discussions/drift', 'admin/plugins/sunbird-discussions/audit', 'admin/plugins/sunbird-discussions/html'], function (settings, api, alerts, forums, drift, audit, html) {
  /*
    The ACP page /admin/plugins/sunbird-discussions (the module NodeBB loads for the template of
    the same name): settings loaded by NodeBB's settings module and saved through the plugin's
    settings route (so the save, and who made it, is in the audit log), and the forum, drift and
    audit sections over the plugin's Write API routes (the api module sends the session's CSRF
    token).
  */

  function init () {
    const root = $('.sunbird-acp')
    const form = $('.sunbird-settings')
    settings.load('sunbird-discussions', form, (err, values) => {
      // a switch never saved shows its default (the server reads it the same way)
      if (!err && (values.exemptNewUserRestrictions === undefined || values.exemptNewUserRestrictions === '')) {
        $('#exemptNewUserRestrictions').prop('checked', true)
      }
    })

    forums.init(root)
    const reloadAudit = audit.init(root)
    const checkDrift = drift.init(root, reloadAudit)
    checkDrift()

    $('#save').on('click', async () => {
      try {
        // the form as NodeBB's settings module reads it (checkboxes as on/off)
        await api.put('/plugins/sunbird/settings', settings.helper.serializeForm(form))
        app.flags = app.flags || {}
        app.flags._unsaved = false
        alerts.alert({ type: 'success', alert_id: 'sunbird-settings-saved', title: '[[admin/admin:changes-saved]]', message: '[[admin/admin:changes-saved-message]]', timeout: 2500 })
        reloadAudit()
      } catch (err) {
        alerts.alert({ type: 'error', alert_id: 'sunbird-settings-not-saved', title: '[[admin/admin:changes-not-saved]]', message: html.esc(err.message), timeout: 5000 })
      }
    })
  }

  return { init }
})
