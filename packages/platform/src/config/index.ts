export * from './bootstrap-schema.ts';
export * from './reference.ts';
export * from './schema.ts';
