import type { RenderedFile } from '../mail-settings.ts';
import { renderDovecotConf } from './dovecot-conf.ts';
import { type DovecotSettingsInput, dovecotSettingsSchema } from './settings.ts';
import { renderSpamLearningFiles } from './spam-learning.ts';
import { renderDovecotSieveDict, renderDovecotSql } from './sql-conf.ts';

export { PANEL_SIEVE_SCRIPTS } from './dovecot-conf.ts';
export type { DovecotSettings, DovecotSettingsInput, PasswordScheme } from './settings.ts';
export { LEARN_PROGRAM, SPAM_LEARNING_FILES } from './spam-learning.ts';

/** dovecot.conf, dovecot-sql.conf.ext and, with Sieve, the dict's SQL file. The SQL file's name is the basename of `paths.sqlConfig`. */
export function renderDovecot(input: DovecotSettingsInput): RenderedFile[] {
  const settings = dovecotSettingsSchema.parse(input);
  const sqlName = settings.paths.sqlConfig.split('/').pop() ?? 'dovecot-sql.conf.ext';
  const files: RenderedFile[] = [
    { name: 'dovecot.conf', content: renderDovecotConf(settings), sensitive: false },
    { name: sqlName, content: renderDovecotSql(settings), sensitive: true },
  ];
  if (settings.doveadm) {
    files.push({
      name: 'dovecot-doveadm.conf.ext',
      content: `doveadm_api_key = ${settings.doveadm.apiKey}\n`,
      sensitive: true,
    });
  }
  if (settings.sieve) {
    const dictName = settings.sieve.dictConfig.split('/').pop() ?? 'dovecot-dict-sieve.conf.ext';
    files.push({ name: dictName, content: renderDovecotSieveDict(settings), sensitive: true });
  }
  // Named by their basename (SPAM_LEARNING_FILES): callers place them in `spamLearning.dir`.
  if (settings.spamLearning) files.push(...renderSpamLearningFiles(settings.spamLearning));
  return files;
}
