import { describe, expect, it } from 'vitest';
import { relayProcesses } from './components/node-gateway.ts';
import { imageKey } from './images.ts';
import { throughNode } from './local-bootstrap.ts';
import {
  importedPackages,
  packageOfSpecifier,
  panelImageRecipe,
  pushArgs,
  webImageRecipe,
} from './platform-images.ts';

describe("the platform's own images", () => {
  it('finds the npm packages a bundle imports, not builtins, relative paths or words in strings', () => {
    const code = [
      'import { a } from "pg";',
      'import x from "@aws-sdk/client-s3/dist";',
      'const f = await import("graphile-worker");',
      'const r = require("node:fs"); require("fs");',
      'import "./chunk-1.js";',
      'const s = "rows from ${s.allowFrom.join(";',
    ].join('\n');
    expect(importedPackages(code)).toEqual(['@aws-sdk/client-s3', 'graphile-worker', 'pg']);
    expect(packageOfSpecifier('node:path')).toBeUndefined();
    expect(packageOfSpecifier('crypto')).toBeUndefined();
  });

  it('runs the panel and the web panel as uid 10001 on Node, with labels and a package list', () => {
    const stage = { dir: '/cache/stage/panel-abc', hash: 'abc', npmPackages: [] };
    const panel = panelImageRecipe(stage, '/cache/node/22.23.3/bin/node', 'ghcr.io/hostplane/panel:0.1.0');
    expect(panel.config.user).toBe('10001:10001');
    expect(panel.config.entrypoint).toEqual(['/usr/local/bin/hostplane']);
    expect(panel.config.labels).toMatchObject({ 'org.opencontainers.image.version': '0.1.0' });
    expect(panel.base.packages).toContain('libstdc++6');
    expect(panel.base.packages.some((p) => /gcc|make|npm|build-essential/.test(p))).toBe(false);
    expect(panel.base.customize).toContain('/usr/share/hostplane/sbom.txt');
    expect(panel.app).toEqual({
      sources: ['/cache/stage/panel-abc'],
      dir: '/opt/hostplane',
      npmList: '/cache/stage/panel-abc/npm-packages.txt',
    });
    const web = webImageRecipe(
      { ...stage, dir: '/cache/stage/web-abc' },
      '/n/node',
      'ghcr.io/hostplane/web:0.1.0',
    );
    expect(web.config.entrypoint).toEqual(['/usr/local/bin/node', '/opt/hostplane/apps/web/start.mjs']);
    expect(web.base.packages).not.toContain('mariadb-client');
    expect(() => panelImageRecipe({ ...stage, dir: "/x'; rm -rf /" }, '/n', 'r:1')).toThrow(/plain/);
  });

  it('keys the Debian + Node base by its own inputs: a new build of the application keeps the base', () => {
    const node = '/cache/node/22.23.3/bin/node';
    const ref = 'ghcr.io/hostplane/panel:0.1.0';
    const one = panelImageRecipe({ dir: '/cache/stage/panel-abc', hash: 'abc', npmPackages: [] }, node, ref);
    const two = panelImageRecipe({ dir: '/cache/stage/panel-def', hash: 'def', npmPackages: [] }, node, ref);
    expect(imageKey(two)).not.toBe(imageKey(one));
    expect(imageKey(two.base)).toBe(imageKey(one.base));
    expect(imageKey(one.base)).toMatch(/^panel-base-[0-9a-f]{12}$/);
    // Another Node (or another version tag of the panel) is another base; the tag is not.
    const otherNode = panelImageRecipe(
      { dir: '/s/panel-abc', hash: 'abc', npmPackages: [] },
      '/n/24/node',
      ref,
    );
    expect(imageKey(otherNode.base)).not.toBe(imageKey(one.base));
    const otherTag = panelImageRecipe({ dir: '/s/panel-abc', hash: 'abc', npmPackages: [] }, node, 'r:0.2.0');
    expect(imageKey(otherTag.base)).toBe(imageKey(one.base));
  });

  it('pushes an archive under the path of its pinned reference', () => {
    expect(pushArgs('/c/panel.tar', 'ghcr.io/hostplane/panel:0.1.0', 'registry.example.com/hp/')).toEqual([
      'copy',
      '--retry-times',
      '3',
      'docker-archive:/c/panel.tar',
      'docker://registry.example.com/hp/hostplane/panel:0.1.0',
    ]);
    expect(
      pushArgs('/c/t.tar', 'docker.io/library/traefik:v3.6.12', 'r.local:5000', ['--dest-tls-verify=false']),
    ).toEqual([
      'copy',
      '--retry-times',
      '3',
      '--dest-tls-verify=false',
      'docker-archive:/c/t.tar',
      'docker://r.local:5000/library/traefik:v3.6.12',
    ]);
  });
});

describe('the node gateway and the local install config', () => {
  it('relays TCP (and UDP for DNS) from the node address to loopback', () => {
    expect(relayProcesses({ name: 'dns', port: 20053, udp: true })).toEqual([
      {
        name: 'gateway-dns',
        command: 'socat',
        args: ['TCP4-LISTEN:20053,bind=10.88.0.1,reuseaddr,fork', 'TCP4:127.0.0.1:20053'],
      },
      {
        name: 'gateway-dns-udp',
        command: 'socat',
        args: ['UDP4-RECVFROM:20053,bind=10.88.0.1,reuseaddr,fork', 'UDP4-SENDTO:127.0.0.1:20053'],
      },
    ]);
  });

  it('turns a stack URL into the node-gateway address pods use', () => {
    expect(throughNode('postgres://u:p@127.0.0.1:25432/hostplane')).toBe(
      'postgres://u:p@10.88.0.1:25432/hostplane',
    );
    expect(throughNode('http://127.0.0.1:28081')).toBe('http://10.88.0.1:28081');
    expect(() => throughNode('http://example.com:1')).toThrow(/loopback/);
  });
});
