// Test support for the version-pin tests (not exported by the package): the smallest valid bootstrap
// config, and the folders whose files the pins are compared against.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBootstrapConfig } from '../config/bootstrap-schema.ts';

export const platformDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const repoRoot = path.resolve(platformDir, '../..');

const SECRET_NAMES = [
  'pdnsApiKey',
  'pdnsDbPassword',
  'mailDbRootPassword',
  'mailDbPassword',
  'mailDbReadonlyPassword',
  'postgresPassword',
  'panelSecretKey',
  'grafanaAdminPassword',
];

export const pinTestConfig = parseBootstrapConfig({
  bootstrap: {
    hosts: { panel: 'panel.example.net', mail: 'mail.example.net' },
    acme: { email: 'hostmaster@example.net' },
    backup: { bucket: 'backups', accessKeyId: 'a', secretAccessKey: 's' },
    secrets: Object.fromEntries(SECRET_NAMES.map((k) => [k, `secret-${k}-0123456789`])),
  },
});
