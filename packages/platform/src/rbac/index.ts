export * from './panel-rbac.ts';
