export { type AuthOutcome, authenticate, type Credential } from './authenticate.ts';
export { type RunningSftpGateway, type SftpGatewayDeps, startSftpGateway } from './server.ts';
export { type SftpGatewayInput, type SftpGatewaySettings, sftpGatewaySettings } from './settings.ts';
