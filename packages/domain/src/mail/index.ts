export * from './dkim.ts';
export * from './sieve.ts';
export * from './spam.ts';
export * from './usage.ts';
