export * from './enqueue.ts';
export * from './target.ts';
