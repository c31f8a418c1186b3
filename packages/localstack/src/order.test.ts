import { describe, expect, it } from 'vitest';
import type { Component } from './component.ts';
import { orderComponents, selectComponents } from './order.ts';

function component(name: string, dependsOn: string[] = []): Component {
  return {
    name,
    dependsOn,
    prepare: async () => {},
    processes: () => [],
    healthy: async () => true,
    address: () => name,
  };
}

const names = (list: Component[]) => list.map((c) => c.name);

describe('orderComponents', () => {
  it('puts every component after its dependencies and keeps independent ones in list order', () => {
    const list = [
      component('pdns', ['mariadb']),
      component('postgres'),
      component('mariadb'),
      component('postfix', ['mariadb', 'rspamd']),
      component('rspamd'),
    ];
    const ordered = names(orderComponents(list));
    expect(ordered.indexOf('mariadb')).toBeLessThan(ordered.indexOf('pdns'));
    expect(ordered.indexOf('rspamd')).toBeLessThan(ordered.indexOf('postfix'));
    expect(ordered).toEqual(['mariadb', 'pdns', 'postgres', 'rspamd', 'postfix']);
  });

  it('refuses an unknown dependency', () => {
    expect(() => orderComponents([component('pdns', ['mysql'])])).toThrow(/unknown component mysql/);
  });

  it('refuses a cycle and names it', () => {
    expect(() => orderComponents([component('a', ['b']), component('b', ['a'])])).toThrow(/a → b → a/);
  });

  it('refuses duplicate names', () => {
    expect(() => orderComponents([component('a'), component('a')])).toThrow(/share a name/);
  });
});

describe('selectComponents', () => {
  const list = [
    component('postgres'),
    component('mariadb'),
    component('pdns', ['mariadb']),
    component('etcd'),
  ];

  it('adds the dependencies of the named components', () => {
    expect(names(selectComponents(list, ['pdns']))).toEqual(['mariadb', 'pdns']);
  });

  it('refuses an unknown name', () => {
    expect(() => selectComponents(list, ['bind'])).toThrow(/unknown stack component bind/);
  });
});
