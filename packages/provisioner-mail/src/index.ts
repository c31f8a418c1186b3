export { DnsDkimPublication } from './client/dns-publication.ts';
export { KubeMaildirJobs, type KubeMaildirJobsOptions } from './client/kube-maildir-jobs.ts';
export { KubeRspamdMaps, RSPAMD_MAPS_CONFIGMAP } from './client/kube-rspamd-maps.ts';
export {
  dkimSecretName,
  FIELD_MANAGER,
  KubeDkimSecrets,
  type KubeDkimSecretsOptions,
  MAIL_NAMESPACE,
} from './client/kube-secrets-client.ts';
export { type MailDbStats, MysqlMailDatabase, type MysqlMailDatabaseOptions } from './client/mysql-client.ts';
export { type MailTargetSettings, mailTargetFromSettings } from './compose.ts';
export { type DkimPlan, planDkimKeys } from './dkim.ts';
export * from './errors.ts';
export { DEFAULT_FORWARD_LIMIT_PER_HOUR, desiredIdentities, identityKeyDomain } from './identity.ts';
export { countMailChanges, type MailPlan, type ObservedMail, planMailChanges } from './plan.ts';
export type {
  DkimKeyStore,
  DkimPublication,
  LocalMailAdapters,
  LocalRspamdFiles,
  MailApplyReport,
  MailDatabase,
  MaildirRemover,
  RspamdMaps,
} from './port.ts';
export * from './schema/index.ts';
export { createMailTarget, type MailTargetDeps, runMailPass } from './target.ts';
