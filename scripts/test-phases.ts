// What `npm test` runs in each of its phases (scripts/test.ts): pure, tested.

/** The projects named with --project / --project=X, and the other arguments. */
export function splitProjects(args: string[]): { projects: string[]; rest: string[] } {
  const projects: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === '--project' && i + 1 < args.length) projects.push(args[++i]!);
    else if (arg.startsWith('--project=')) projects.push(arg.slice('--project='.length));
    else rest.push(arg);
  }
  return { projects, rest };
}

/** What each phase runs (pure, tested): kwok projects first, then the node project on the real node. */
export function testPhases(args: string[]): { kwok?: string[]; node?: string[] } {
  const { projects, rest } = splitProjects(args);
  const wanted = projects.length > 0 ? projects : ['unit', 'integration', 'node'];
  const kwokProjects = wanted.filter((p) => p !== 'node');
  // A path filter may match files of one phase only: the other one then has nothing to run.
  const tail = rest.length > 0 ? ['--passWithNoTests', ...rest] : rest;
  return {
    ...(kwokProjects.length > 0 ? { kwok: [...kwokProjects.flatMap((p) => ['--project', p]), ...tail] } : {}),
    ...(wanted.includes('node') ? { node: ['--project', 'node', ...tail] } : {}),
  };
}
