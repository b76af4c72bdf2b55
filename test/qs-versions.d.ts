// The qs releases NodeBB pins (4.11.2: 6.15.1, 4.15.1: 6.15.3), installed as aliases; qs's own API.
declare module 'qs-6.15.1' {
  import qs = require('qs')
  export = qs
}
declare module 'qs-6.15.3' {
  import qs = require('qs')
  export = qs
}
