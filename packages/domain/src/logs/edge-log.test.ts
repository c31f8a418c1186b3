import { describe, expect, it } from 'vitest';
import { edgeLogLine } from './edge-log.ts';

const entry = (over: Record<string, unknown>) =>
  JSON.stringify({
    ClientHost: '203.0.113.5',
    DownstreamContentSize: 13,
    DownstreamStatus: 200,
    Duration: 13_318_129,
    RequestHost: 'shop.example',
    RequestMethod: 'GET',
    RequestPath: '/hello.txt?x=1',
    RequestProtocol: 'HTTP/1.1',
    RouterName: 'cust-42-web-http-shop-example@kubernetes',
    StartUTC: '2026-11-28T01:02:45.381222854Z',
    ...over,
  });

describe('edgeLogLine', () => {
  it("gives the site's request as one line at its start time", () => {
    expect(edgeLogLine(entry({}), 42, ['shop.example'])).toEqual({
      time: '2026-11-28T01:02:45.381222854Z',
      message: '203.0.113.5 shop.example "GET /hello.txt?x=1 HTTP/1.1" 200 13 13ms',
    });
  });

  it("never gives another customer's entry, even for the same host", () => {
    expect(
      edgeLogLine(entry({ RouterName: 'cust-421-web-http@kubernetes' }), 42, ['shop.example']),
    ).toBeNull();
    expect(edgeLogLine(entry({ RouterName: 'cust-4-web@kubernetes' }), 42, ['shop.example'])).toBeNull();
    expect(
      edgeLogLine(entry({ RouterName: 'panel-system-panel@kubernetes' }), 42, ['shop.example']),
    ).toBeNull();
  });

  it("leaves out the customer's other sites' hosts; matches a wildcard one label deep, case-insensitively", () => {
    expect(edgeLogLine(entry({ RequestHost: 'blog.example' }), 42, ['shop.example'])).toBeNull();
    expect(edgeLogLine(entry({ RequestHost: 'A.Shop.Example' }), 42, ['*.shop.example'])?.message).toContain(
      'a.shop.example',
    );
    expect(edgeLogLine(entry({ RequestHost: 'a.b.shop.example' }), 42, ['*.shop.example'])).toBeNull();
    expect(edgeLogLine(entry({ RequestHost: 'shop.example' }), 42, ['*.shop.example'])).toBeNull();
  });

  it('ignores what is not an entry', () => {
    expect(edgeLogLine('not json', 42, ['shop.example'])).toBeNull();
    expect(edgeLogLine('{"broken"', 42, ['shop.example'])).toBeNull();
    expect(edgeLogLine(entry({ StartUTC: undefined }), 42, ['shop.example'])).toBeNull();
  });
});
