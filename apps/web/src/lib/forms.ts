/** Helpers that turn FormData into the API's bodies (the API validates; these only shape). */

export function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value.trim() : '';
}

export function optionalText(form: FormData, name: string): string | undefined {
  const value = text(form, name);
  return value === '' ? undefined : value;
}

export function checked(form: FormData, name: string): boolean {
  return form.get(name) === 'on';
}

/** A number field; an empty or non-numeric value is sent as given so the API names the field. */
export function numberOf(form: FormData, name: string): number {
  const value = text(form, name);
  return value === '' ? Number.NaN : Number(value);
}

/** Free text split on commas, spaces and new lines (domain lists, alias destinations). */
export function list(form: FormData, name: string): string[] {
  return text(form, name)
    .split(/[\s,]+/)
    .filter((item) => item !== '');
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString().replace('T', ' ').slice(0, 16);
}

/** Where to go after sign-in: only a path of this panel, never another site a link could name. */
export function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}
