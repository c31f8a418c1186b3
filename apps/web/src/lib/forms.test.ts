import { describe, expect, it } from 'vitest';
import { checked, formatDate, list, numberOf, optionalText, safeNext, text } from './forms.ts';

function formOf(entries: Record<string, string>): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(entries)) form.set(key, value);
  return form;
}

describe('form helpers', () => {
  it('trims text and drops empty optional values', () => {
    const form = formOf({ name: '  blog  ', empty: '   ' });
    expect(text(form, 'name')).toBe('blog');
    expect(text(form, 'missing')).toBe('');
    expect(optionalText(form, 'empty')).toBeUndefined();
  });

  it.each([
    ['example.com, www.example.com', ['example.com', 'www.example.com']],
    ['a.test\nb.test  c.test', ['a.test', 'b.test', 'c.test']],
    ['', []],
  ])('splits %j into a list', (input, expected) => {
    expect(list(formOf({ domains: input }), 'domains')).toEqual(expected);
  });

  it('sends numbers as typed, so the API names a bad one', () => {
    expect(numberOf(formOf({ n: '3' }), 'n')).toBe(3);
    expect(numberOf(formOf({ n: 'three' }), 'n')).toBeNaN();
    expect(numberOf(formOf({ n: '' }), 'n')).toBeNaN();
  });

  it('reads checkboxes', () => {
    expect(checked(formOf({ www: 'on' }), 'www')).toBe(true);
    expect(checked(formOf({}), 'www')).toBe(false);
  });

  it('formats timestamps in UTC to the minute', () => {
    expect(formatDate('2026-11-26T07:45:12.000Z')).toBe('2026-11-26 07:45');
    expect(formatDate(null)).toBe('—');
  });
});

describe('safeNext', () => {
  it.each([
    ['/customers/1001', '/customers/1001'],
    [null, '/'],
    ['https://evil.example/', '/'],
    ['//evil.example/', '/'],
    ['/\\evil.example', '/'],
  ])('%j → %j', (input, expected) => {
    expect(safeNext(input)).toBe(expected);
  });
});
