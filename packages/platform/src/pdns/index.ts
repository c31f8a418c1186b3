export { type PdnsSettings, type PdnsSettingsInput, pdnsSettingsSchema, renderPdnsConf } from './render.ts';
