export {
  type RecursorSettingsInput,
  recursorSettingsSchema,
  renderRecursorConf,
  renderRootHints,
} from './recursor.ts';
export { type PdnsSettings, type PdnsSettingsInput, pdnsSettingsSchema, renderPdnsConf } from './render.ts';
