import { describe, expect, it } from 'vitest';
import { isQuantity, minQuantity, parseQuantity, quantityBytes, quantityToNumber } from './quantity.ts';

describe('Kubernetes quantities (the one parser)', () => {
  it.each([
    ['500m', 0.5],
    ['2', 2],
    ['1.5Ki', 1536],
    ['4Gi', 4 * 2 ** 30],
    ['10G', 1e10],
    ['1Ei', 2 ** 60],
  ])('parses %s as %s', (q, value) => {
    expect(parseQuantity(q)).toBe(value);
    expect(isQuantity(q)).toBe(true);
  });

  it('rounds up to whole base units for limits', () => {
    expect(quantityToNumber('500m')).toBe(1);
    expect(quantityToNumber('1.5Ki')).toBe(1536);
    expect(quantityToNumber('0.1Ki')).toBe(103);
  });

  it('answers null for what is not a quantity, and throws only where asked to', () => {
    expect(quantityBytes('abc')).toBeNull();
    expect(quantityBytes('1Xi')).toBeNull();
    expect(quantityBytes('10Gi')).toBe(10 * 2 ** 30);
    expect(() => parseQuantity('1Xi')).toThrow(/not a Kubernetes quantity/);
    expect(() => quantityToNumber('')).toThrow();
  });

  it('keeps the smaller quantity as written', () => {
    expect(minQuantity('1Gi', '512Mi')).toBe('512Mi');
    expect(minQuantity('2', '2000m')).toBe('2');
  });
});
