import { sealSecret } from '@hostplane/domain';
import { type Kysely, sql } from 'kysely';
import type { PanelDatabase } from './schema.ts';

/**
 * Seals DKIM private keys stored in clear by releases before sealing (a PEM with no `v1:`/`plain:`
 * mark), and `plain:` ones once a SECRET_KEY exists. Idempotent; run at start-up with the key (a SQL
 * migration cannot: it does not know the key). Answers how many rows it sealed.
 */
export async function sealStoredDkimKeys(db: Kysely<PanelDatabase>, secretKey: string): Promise<number> {
  const rows = await db
    .selectFrom('domains')
    .select(['id', 'dkim_private_key_pem'])
    .where((eb) =>
      eb.or([
        eb('dkim_private_key_pem', 'like', '-----BEGIN %'),
        eb('dkim_private_key_pem', 'like', 'plain:%'),
      ]),
    )
    .execute();
  let sealed = 0;
  for (const row of rows) {
    const current = row.dkim_private_key_pem;
    if (current === null) continue;
    const clear = current.startsWith('plain:') ? current.slice('plain:'.length) : current;
    // Conditional on the value read: a concurrent writer's newer key is never overwritten.
    const result = await db
      .updateTable('domains')
      .set({ dkim_private_key_pem: sealSecret(clear, secretKey) })
      .where('id', '=', row.id)
      .where(sql<boolean>`dkim_private_key_pem = ${current}`)
      .executeTakeFirst();
    sealed += Number(result.numUpdatedRows);
  }
  return sealed;
}
