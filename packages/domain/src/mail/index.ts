export * from './sieve.ts';
