export * from './desired.ts';
export * from './types.ts';
