import type { Component } from '../component.ts';
import { dovecot } from './dovecot.ts';
import { postfix } from './postfix.ts';
import { redis } from './redis.ts';
import { rspamd } from './rspamd.ts';
import { webmail } from './webmail.ts';

/** The mail part of the local stack, in start order; dovecot and postfix need the `mariadb` component. */
export const mailComponents: Component[] = [redis, rspamd, dovecot, postfix, webmail];
