import type { RenderedFile } from '../mail-settings.ts';
import type { DovecotSettings } from './settings.ts';

// Issue 17: learning from the user's own sorting. Moving a message into Junk trains Rspamd's Bayes
// classifier as spam, moving it out of Junk (anywhere but Trash) trains it as ham. Dovecot's IMAPSieve
// (Pigeonhole `imap_sieve`) runs an admin script on the COPY/MOVE; the script pipes the message
// (vnd.dovecot.pipe, programs only from sieve_pipe_bin_dir) to `rspamd-learn`, which hands it to the
// Rspamd controller: `rspamc learn_spam|learn_ham` where rspamc is installed, else the controller's
// HTTP API (`POST /learnspam|/learnham`) with curl.

export const LEARN_PROGRAM = 'rspamd-learn';
export const REPORT_SPAM = 'report-spam.sieve';
export const REPORT_HAM = 'report-ham.sieve';
/** The file names of the learning files inside `spamLearning.dir`. */
export const SPAM_LEARNING_FILES = [LEARN_PROGRAM, REPORT_SPAM, REPORT_HAM] as const;

type Learning = NonNullable<DovecotSettings['spamLearning']>;

/** The plugin settings (inside `plugin { }`) that wire the two scripts to the Junk folder. */
export function spamLearningPluginLines(l: Learning): string[] {
  return [
    '  # Issue 17: moving mail into Junk learns spam, out of Junk learns ham (IMAPSieve + rspamd-learn).',
    '  sieve_plugins = sieve_imapsieve sieve_extprograms',
    // Global extensions reach admin scripts only; the customer's own script is checked without them.
    '  sieve_global_extensions = +vnd.dovecot.pipe +vnd.dovecot.environment',
    `  sieve_pipe_bin_dir = ${l.dir}`,
    '  imapsieve_mailbox1_name = Junk',
    '  imapsieve_mailbox1_causes = COPY',
    `  imapsieve_mailbox1_before = file:${l.dir}/${REPORT_SPAM}`,
    '  imapsieve_mailbox2_name = *',
    '  imapsieve_mailbox2_from = Junk',
    '  imapsieve_mailbox2_causes = COPY',
    `  imapsieve_mailbox2_before = file:${l.dir}/${REPORT_HAM}`,
  ];
}

const reportSpam = `require ["vnd.dovecot.pipe", "copy", "imapsieve"];
# Rendered by @hostplane/platform: a message moved or copied into Junk is learned as spam.
pipe :copy "${LEARN_PROGRAM}" ["spam"];
`;

const reportHam = `require ["vnd.dovecot.pipe", "copy", "imapsieve", "environment", "variables"];
# Rendered by @hostplane/platform: a message moved out of Junk is learned as ham, unless it goes to Trash.
if environment :matches "imap.mailbox" "*" {
  set "mailbox" "\${1}";
}
if string "\${mailbox}" "Trash" {
  stop;
}
pipe :copy "${LEARN_PROGRAM}" ["ham"];
`;

function learnProgram(l: Learning): string {
  const controller = `${l.controller.host}:${l.controller.port}`;
  const password = l.passwordFile === null ? 'password=' : `password=$(cat '${l.passwordFile}')`;
  return `#!/bin/bash
# Rendered by @hostplane/platform. Dovecot's IMAPSieve pipes one message here: rspamd-learn spam|ham.
# rspamc where installed, else curl, else bash's own /dev/tcp (an image with neither still learns).
set -eu
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
case "\${1:-}" in
  spam | ham) kind=$1 ;;
  *) echo "usage: ${LEARN_PROGRAM} spam|ham" >&2; exit 64 ;;
esac
controller=${controller}
${password}
if command -v rspamc >/dev/null 2>&1; then
  exec rspamc --connect "$controller" --timeout 30 \${password:+--password "$password"} "learn_$kind"
fi
if command -v curl >/dev/null 2>&1; then
  exec curl --silent --show-error --fail --max-time 30 \${password:+--header "Password: $password"} \\
    --data-binary @- "http://$controller/learn$kind"
fi
message=$(mktemp)
trap 'rm -f "$message"' EXIT
cat >"$message"
exec 3<>"/dev/tcp/\${controller%:*}/\${controller##*:}"
printf 'POST /learn%s HTTP/1.0\\r\\nHost: %s\\r\\nPassword: %s\\r\\nContent-Length: %s\\r\\n\\r\\n' \\
  "$kind" "$controller" "$password" "$(wc -c <"$message")" >&3
cat "$message" >&3
read -r -t 30 _ status _ <&3
[ "$status" = 200 ]
`;
}

/** The learning program (executable) and the two IMAPSieve scripts; callers place them in
 * `spamLearning.dir` (a folder locally, a ConfigMap volume in the pod). */
export function renderSpamLearningFiles(l: Learning): RenderedFile[] {
  return [
    { name: LEARN_PROGRAM, content: learnProgram(l), sensitive: false, executable: true },
    { name: REPORT_SPAM, content: reportSpam, sensitive: false },
    { name: REPORT_HAM, content: reportHam, sensitive: false },
  ];
}
