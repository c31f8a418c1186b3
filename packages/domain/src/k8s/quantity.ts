// Kubernetes resource quantities, enough to compare and clamp (CPU and bytes): the one parser of
// the code base (contracts, the API's limits and the reconcile engine use these).
const SUFFIX: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** Value of a quantity in base units (cores or bytes); throws on anything that is not a quantity. */
export function parseQuantity(quantity: string): number {
  const match = QUANTITY.exec(quantity.trim());
  if (!match) throw new Error(`not a Kubernetes quantity: ${JSON.stringify(quantity)}`);
  return Number(match[1]) * (SUFFIX[match[2] ?? ''] ?? 1);
}

/** The value of a quantity in base units rounded up (whole bytes, for limits and quotas). */
export function quantityToNumber(quantity: string): number {
  return Math.ceil(parseQuantity(quantity));
}

/** Base units of a quantity such as "10Gi" or "500M"; null when it is not one (no throw). */
export function quantityBytes(quantity: string): number | null {
  return isQuantity(quantity) ? parseQuantity(quantity) : null;
}

export function isQuantity(value: string): boolean {
  return QUANTITY.test(value.trim());
}

/** The smaller of two quantities, returned as written (so the output stays readable and stable). */
export function minQuantity(a: string, b: string): string {
  return parseQuantity(b) < parseQuantity(a) ? b : a;
}
