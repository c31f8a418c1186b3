import {
  ensureGoProgram,
  veleroAwsPluginProgram,
  veleroProgram,
  versitygwProgram,
} from '@hostplane/localstack';

const which = process.argv[2];
const p = { versitygw: versitygwProgram, velero: veleroProgram, plugin: veleroAwsPluginProgram }[
  which as 'velero'
];
const b = await ensureGoProgram(p, (l) => console.log(l));
console.log(JSON.stringify(b));
