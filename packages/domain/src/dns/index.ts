export * from './applied.ts';
export * from './config.ts';
export * from './content.ts';
export * from './defaults.ts';
export * from './desired.ts';
export * from './managed.ts';
export * from './names.ts';
export * from './normalize.ts';
export * from './records.ts';
export * from './txt.ts';
export {
  CUSTOMER_RECORD_TYPES,
  type CustomerRecordType,
  type DnsErrorCode,
  type DnsFieldError,
  type DnsResult,
  type PlatformRrset,
  type Rrset,
} from './types.ts';
export * from './zones.ts';
