import type { Component } from './component.ts';

/** Components sorted so each comes after everything in its dependsOn; throws on unknown names and cycles. */
export function orderComponents(components: readonly Component[]): Component[] {
  const byName = new Map(components.map((c) => [c.name, c]));
  if (byName.size !== components.length) throw new Error('two stack components share a name');
  const ordered: Component[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (component: Component, trail: string[]) => {
    const seen = state.get(component.name);
    if (seen === 'done') return;
    if (seen === 'visiting')
      throw new Error(
        `stack components depend on each other in a cycle: ${[...trail, component.name].join(' → ')}`,
      );
    state.set(component.name, 'visiting');
    for (const dep of component.dependsOn) {
      const target = byName.get(dep);
      if (!target) throw new Error(`stack component ${component.name} depends on unknown component ${dep}`);
      visit(target, [...trail, component.name]);
    }
    state.set(component.name, 'done');
    ordered.push(component);
  };
  for (const component of components) visit(component, []);
  return ordered;
}

/** The named components plus everything they depend on, transitively; throws on an unknown name. */
export function selectComponents(components: readonly Component[], names: readonly string[]): Component[] {
  const byName = new Map(components.map((c) => [c.name, c]));
  const wanted = new Set<string>();
  const add = (name: string) => {
    const component = byName.get(name);
    if (!component)
      throw new Error(`unknown stack component ${name} (known: ${[...byName.keys()].join(', ')})`);
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const dep of component.dependsOn) add(dep);
  };
  for (const name of names) add(name);
  return components.filter((c) => wanted.has(c.name));
}
