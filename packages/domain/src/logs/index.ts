export * from './edge-log.ts';
export * from './site-logs.ts';
