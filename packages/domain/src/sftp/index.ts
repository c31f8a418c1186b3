export * from './public-key.ts';
export * from './username.ts';
