export * from './desired.ts';
export * from './dkim.ts';
export * from './rows.ts';
export * from './sieve.ts';
export * from './spam.ts';
export * from './usage.ts';
