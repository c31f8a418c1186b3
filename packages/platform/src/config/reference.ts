// The configuration reference of docs/install.md, generated from the zod schema (the one source):
// every field of `hostplane bootstrap --config` (the platform config plus its `bootstrap` section) with
// its type, whether it is required, and its default. `reference.test.ts` keeps the document in step.
import { z } from 'zod';
import { bootstrapConfigSchema } from './bootstrap-schema.ts';

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  default?: unknown;
  anyOf?: JsonSchema[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  const?: unknown;
}

function typeOf(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (schema.const !== undefined) return `\`${String(schema.const)}\``;
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' \\| ');
  if (schema.type === 'array') return `list of ${schema.items ? typeOf(schema.items) : 'any'}`;
  const base = Array.isArray(schema.type) ? schema.type.join(' \\| ') : (schema.type ?? 'any');
  const range =
    schema.minimum !== undefined || schema.maximum !== undefined
      ? ` ${schema.minimum ?? ''}–${schema.maximum ?? ''}`
      : '';
  return `${base}${schema.format ? ` (${schema.format})` : ''}${range}`;
}

function defaultOf(schema: JsonSchema): string {
  if (schema.default === undefined) return '';
  const value = schema.default;
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 0) return '';
  const text = JSON.stringify(value);
  return `\`${text.length > 60 ? `${text.slice(0, 57)}…` : text}\``;
}

function rows(schema: JsonSchema, prefix: string, parentRequired: boolean): string[] {
  const out: string[] = [];
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const key = prefix ? `${prefix}.${name}` : name;
    const required = parentRequired && (schema.required ?? []).includes(name) && child.default === undefined;
    const object = child.type === 'object' && child.properties;
    if (object) {
      out.push(`| \`${key}\` | object | ${required ? 'yes' : ''} | |`);
      out.push(...rows(child, key, required));
    } else {
      out.push(`| \`${key}\` | ${typeOf(child)} | ${required ? 'yes' : ''} | ${defaultOf(child)} |`);
    }
  }
  return out;
}

/** Markdown table of every configuration field (deterministic). */
export function configReferenceMarkdown(): string {
  const schema = z.toJSONSchema(bootstrapConfigSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return ['| field | type | required | default |', '|---|---|---|---|', ...rows(schema, '', true)].join('\n');
}

export const REFERENCE_START =
  '<!-- config-reference:start (generated: npm run generate:config-reference) -->';
export const REFERENCE_END = '<!-- config-reference:end -->';

/** The document with its reference section replaced by the current one. */
export function withConfigReference(document: string): string {
  const start = document.indexOf(REFERENCE_START);
  const end = document.indexOf(REFERENCE_END);
  if (start < 0 || end < start) throw new Error('the document has no config-reference markers');
  return `${document.slice(0, start + REFERENCE_START.length)}\n${configReferenceMarkdown()}\n${document.slice(end)}`;
}
