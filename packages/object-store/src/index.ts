export { S3ObjectStore } from './client/s3-client.ts';
export { ObjectStoreError, type ObjectStoreErrorCode } from './errors.ts';
export type { ObjectSource, ObjectStore, StoredObject } from './port.ts';
export {
  type ObjectStoreSettings,
  objectStoreSettingsFromEnv,
  objectStoreSettingsSchema,
} from './settings.ts';
