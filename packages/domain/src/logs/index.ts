export * from './site-logs.ts';
