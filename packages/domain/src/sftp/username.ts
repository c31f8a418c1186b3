// SFTP login names: one per customer, `c{customerId}` (DESIGN.md §6).

export function sftpUsername(customerId: number): string {
  return `c${customerId}`;
}

/** The customer id of a login name, or null for anything else (no leading zeros, no other forms). */
export function customerIdOfSftpUser(username: string): number | null {
  const match = /^c([1-9][0-9]{0,15})$/.exec(username);
  if (!match) return null;
  const id = Number(match[1]);
  return Number.isSafeInteger(id) ? id : null;
}
