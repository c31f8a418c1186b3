import type { PaginationQuery } from '@hostplane/contracts';
import { BadRequestError } from '../errors.ts';

/** Cursors are opaque to clients: base64url of the last row's id (keyset pagination on id). */
export function encodeCursor(lastId: number): string {
  return Buffer.from(`i:${lastId}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const match = /^i:(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match)
    throw new BadRequestError('cursor is not one from a previous page', [
      { path: 'cursor', in: 'querystring', message: 'invalid' },
    ]);
  return Number(match[1]);
}

/** `?q=` as an ILIKE pattern: a substring match, with %, _ and \\ taken literally. */
export function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Rows were fetched with limit + 1: the extra row tells whether a next page exists. */
export function toPage<R extends { id: number }, T>(
  rows: R[],
  query: PaginationQuery,
  present: (row: R) => T,
) {
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(present),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null,
  };
}
