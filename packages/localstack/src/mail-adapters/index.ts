// The mail room's adapters for the local stack (`@hostplane/localstack/mail-adapters`): Rspamd's key
// files and maps, and the maildir remover, below the stack's state folder. `hostplane serve` wires
// them into the Mail target when it runs on the local stack (HOSTPLANE_STACK_DIR); in the cluster the
// target uses provisioner-mail's Kubernetes adapters. A subpath of its own so that `serve` loads
// these few files, not the stack's components.
import type { LocalMailAdapters } from '@hostplane/provisioner-mail';
import { LocalMaildirRemover } from './maildir-remover.ts';
import { RspamdDkimFiles, rspamdFilesOfStack } from './rspamd-files.ts';

export { LocalMaildirRemover } from './maildir-remover.ts';
export { RspamdDkimFiles, type RspamdFilesOptions, rspamdFilesOfStack } from './rspamd-files.ts';

/** The local stack's mail adapters under `stateDir`. */
export function localMailAdapters(stateDir: string): LocalMailAdapters {
  return {
    rspamd: new RspamdDkimFiles(rspamdFilesOfStack(stateDir)),
    maildirs: LocalMaildirRemover.ofStack(stateDir),
  };
}
