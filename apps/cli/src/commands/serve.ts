// Placeholder until its issue lands: says so instead of pretending to work.
export async function run(_argv: string[]): Promise<number> {
  console.error('hostplane serve: not implemented yet');
  return 1;
}
