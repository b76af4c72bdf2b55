'use strict'

/* global define, $ */

define('admin/plugins/sunbird-discussions', ['settings', 'admin/plugins/sunbird-discussions/forums', 'admin/plugins/sunbird-discussions/drift', 'admin/plugins/sunbird-discussions/audit'], function (settings, forums, drift, audit) {
  /*
    The ACP page /admin/plugins/sunbird-discussions (the module NodeBB loads for the template of
    the same name): settings through NodeBB's settings module, and the forum, drift and audit
    sections over the plugin's Write API routes (the api module sends the session's CSRF token).
  */

  function init () {
    const root = $('.acp-page-container')
    const form = $('.sunbird-settings')
    settings.load('sunbird-discussions', form, (err, values) => {
      // a switch never saved shows its default (the server reads it the same way)
      if (!err && (values.exemptNewUserRestrictions === undefined || values.exemptNewUserRestrictions === '')) {
        $('#exemptNewUserRestrictions').prop('checked', true)
      }
    })
    $('#save').on('click', () => settings.save('sunbird-discussions', form))

    forums.init(root)
    const reloadAudit = audit.init(root)
    const checkDrift = drift.init(root, reloadAudit)
    checkDrift()
  }

  return { init }
})
