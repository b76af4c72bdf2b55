/** The plugin's bodies are checked with the shared validator (its one home is shared/). */
export { validate } from '../shared/validate'
