export {
  ROUNDCUBE_KEY_ENV,
  type RoundcubeSettingsInput,
  renderRoundcubeConfig,
  roundcubeSettingsSchema,
} from './roundcube.ts';
