export * from './sieve.ts';
export * from './usage.ts';
