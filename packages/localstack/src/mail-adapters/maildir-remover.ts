// Local stack: a deleted mailbox's maildir goes with `rm -rf`, only below the stack's mail root.
// In the cluster the maildirs live on Dovecot's volume: a Job in mail-system would do the same (gap).
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { type MaildirRemover, MailInvalidError } from '@hostplane/provisioner-mail';
import { mailPathsOf } from '../mail-paths.ts';

export class LocalMaildirRemover implements MaildirRemover {
  private readonly mailRoot: string;

  /** `mailRoot`: `<stateDir>/mail/vhosts` of the local stack. */
  constructor(mailRoot: string) {
    this.mailRoot = path.resolve(mailRoot);
  }

  static ofStack(stateDir: string): LocalMaildirRemover {
    return new LocalMaildirRemover(mailPathsOf(stateDir).mailRoot);
  }

  async remove(maildir: string): Promise<{ removed: boolean; path: string }> {
    const target = path.resolve(this.mailRoot, maildir);
    // `{domain}/{local}/` from our own rows; anything resolving outside (or to) the root is refused.
    if (
      !target.startsWith(`${this.mailRoot}${path.sep}`) ||
      path.relative(this.mailRoot, target).split(path.sep).length < 2
    ) {
      throw new MailInvalidError(`maildir ${maildir} is not a mailbox folder inside ${this.mailRoot}`);
    }
    const exists = await stat(target).then(
      () => true,
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return false;
        throw err;
      },
    );
    if (exists) await rm(target, { recursive: true, force: true });
    return { removed: exists, path: target };
  }
}
