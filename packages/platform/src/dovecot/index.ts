import type { RenderedFile } from '../mail-settings.ts';
import { renderDovecotConf } from './dovecot-conf.ts';
import { type DovecotSettingsInput, dovecotSettingsSchema } from './settings.ts';
import { renderDovecotSql } from './sql-conf.ts';

export type { DovecotSettings, DovecotSettingsInput, PasswordScheme } from './settings.ts';

/** dovecot.conf and dovecot-sql.conf.ext. The SQL file's name is the basename of `paths.sqlConfig`. */
export function renderDovecot(input: DovecotSettingsInput): RenderedFile[] {
  const settings = dovecotSettingsSchema.parse(input);
  const sqlName = settings.paths.sqlConfig.split('/').pop() ?? 'dovecot-sql.conf.ext';
  return [
    { name: 'dovecot.conf', content: renderDovecotConf(settings), sensitive: false },
    { name: sqlName, content: renderDovecotSql(settings), sensitive: true },
  ];
}
