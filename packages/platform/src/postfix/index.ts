import type { RenderedFile } from '../mail-settings.ts';
import { renderMainCf } from './main-cf.ts';
import { renderMasterCf } from './master-cf.ts';
import { renderMysqlMaps } from './mysql-maps.ts';
import { type PostfixSettingsInput, postfixSettingsSchema } from './settings.ts';

export {
  MAP_FILES,
  POSTFIX_MYNETWORKS,
  type PostfixSettings,
  type PostfixSettingsInput,
} from './settings.ts';

/** Postfix's configuration directory (main.cf, master.cf, mysql map files) from validated settings. */
export function renderPostfix(input: PostfixSettingsInput): RenderedFile[] {
  const settings = postfixSettingsSchema.parse(input);
  return [
    { name: 'main.cf', content: renderMainCf(settings), sensitive: false },
    { name: 'master.cf', content: renderMasterCf(settings), sensitive: false },
    ...renderMysqlMaps(settings),
  ];
}
