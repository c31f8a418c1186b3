import { z } from 'zod';

/** The gateway's settings (parsed once at start; a bad value fails fast). */
export const sftpGatewaySettings = z.object({
  host: z.string().default('0.0.0.0'),
  port: z.number().int().min(0).max(65_535).default(2222),
  /** Private host keys (OpenSSH or PEM); several key types serve older clients too. */
  hostKeys: z.array(z.string().min(1)).min(1),
  throttle: z
    .object({
      /** Failed logins from one address within the window before that address is refused outright. */
      failuresPerIp: z.number().int().min(1).default(10),
      /** Failed logins of one account within the window before each attempt is delayed (never refused). */
      failuresPerAccount: z.number().int().min(1).default(5),
      windowSeconds: z.number().int().min(1).default(900),
      accountDelayMs: z.number().int().min(0).default(2_000),
      /** Failed attempts on one connection before the gateway drops it. */
      failuresPerConnection: z.number().int().min(1).default(6),
    })
    .prefault({}),
  /** How long a session waits for the customer's SFTP pod to run (just after SFTP was enabled). */
  podWaitMs: z.number().int().min(0).default(60_000),
});

export type SftpGatewaySettings = z.infer<typeof sftpGatewaySettings>;
export type SftpGatewayInput = z.input<typeof sftpGatewaySettings>;
