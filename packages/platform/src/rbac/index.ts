export * from './backup-rbac.ts';
export * from './panel-rbac.ts';
