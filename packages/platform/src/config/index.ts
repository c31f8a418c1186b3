export * from './bootstrap-schema.ts';
export * from './schema.ts';
