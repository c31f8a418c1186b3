export * from './contents.ts';
export * from './desired.ts';
export * from './hooks.ts';
export * from './retry.ts';
export * from './types.ts';
export * from './zones.ts';
