'use strict'

/* global define */

define('admin/plugins/sunbird-discussions/csv', [], function () {
  /*
    CSV (RFC 4180) for the audit export. Every cell is quoted (so commas, quotes and line breaks in
    names stay inside it), and a cell a spreadsheet would run as a formula (one starting with
    = + - @, or a tab or carriage return, which some programs treat the same) is written with a
    leading apostrophe: forum and user names come from anyone who can name one.
  */

  function cell (value) {
    let text = value === undefined || value === null ? '' : String(value)
    if (/^[=+\-@\t\r]/.test(text)) {
      text = "'" + text
    }
    return '"' + text.replace(/"/g, '""') + '"'
  }

  function toCsv (rows) {
    return rows.map(row => row.map(cell).join(',')).join('\r\n') + '\r\n'
  }

  return { cell, toCsv }
})
