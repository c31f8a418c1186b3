export {
  type RecursorSettingsInput,
  recursorSettingsSchema,
  renderRecursorConf,
  renderRootHints,
} from './recursor.ts';
export {
  ACME_TSIG_KEY_NAME,
  type PdnsSettings,
  type PdnsSettingsInput,
  pdnsSettingsSchema,
  renderAcmeUpdatePolicy,
  renderPdnsConf,
} from './render.ts';
