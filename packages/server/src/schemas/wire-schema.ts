/**
 * Request schemas with MLflow's proto semantics, and the one decoder that checks them.
 *
 * A schema is a plain JSON Schema object (type, properties, required, items, enum) whose
 * `format` says which proto scalar a field is: `int64`, `int32`, `double`, `experiment-id`
 * (a string that may arrive as a JSON integer) or `proto-enum` (a name, or its proto number).
 * The builders in {@link w} produce such objects and carry the decoded TypeScript type, so a
 * route's `Body`/`Querystring` type comes from the same object Fastify validates with.
 *
 * {@link decodeMessage} implements ref §1.1: unknown fields dropped, `null` and `""` count as
 * missing, int64 as numbers or numeric strings, doubles also as "NaN"/"Infinity"/"-Infinity",
 * enums by name or number, `run_uuid` as an alias of `run_id`; query-string input (every value
 * a string, repeated keys for lists) is read with the same rules. Failures use MLflow's wording
 * from `@lablog/tracking` (`missingValueMessage`, `invalidValueMessage`).
 */
import { invalidValueMessage, missingValueMessage } from '@lablog/tracking';

/** The JSON Schema subset lablog's request schemas use. */
export interface WireSchema {
  readonly type: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly format?: 'int64' | 'int32' | 'double' | 'experiment-id' | 'proto-enum';
  readonly properties?: Readonly<Record<string, WireSchema>>;
  readonly required?: readonly string[];
  readonly items?: WireSchema;
  readonly enum?: readonly string[];
  /** Deprecated field names accepted for another field, e.g. `{ run_uuid: 'run_id' }`. */
  readonly 'x-aliases'?: Readonly<Record<string, string>>;
}

/** A schema that also records (as a phantom type) what it decodes to. */
export type Field<T> = WireSchema & { readonly __decoded?: T };

/** The decoded TypeScript type of a {@link Field}. */
export type Infer<F> = F extends Field<infer T> ? T : never;

type Props = Record<string, Field<unknown>>;
type Simplify<T> = { [K in keyof T]: T[K] };
/** The decoded shape of a message: required fields present, the others optional. */
export type MessageOf<P extends Props, R extends keyof P> = Simplify<
  { [K in R]: Infer<P[K]> } & { [K in Exclude<keyof P, R>]?: Infer<P[K]> }
>;

/** Schema builders, one per proto field kind. */
export const w = {
  string: (): Field<string> => ({ type: 'string' }),
  /** `experiment_id`: a string, or a JSON integer turned into one (`_stringify_all_experiment_ids`). */
  experimentId: (): Field<string> => ({ type: 'string', format: 'experiment-id' }),
  int64: (): Field<number> => ({ type: 'integer', format: 'int64' }),
  int32: (): Field<number> => ({ type: 'integer', format: 'int32' }),
  double: (): Field<number> => ({ type: 'number', format: 'double' }),
  bool: (): Field<boolean> => ({ type: 'boolean' }),
  /** A proto enum: its names in proto-number order (the first is number 1). */
  enum: <E extends string>(names: readonly E[]): Field<E> => ({ type: 'string', format: 'proto-enum', enum: names }),
  array: <T>(items: Field<T>): Field<T[]> => ({ type: 'array', items }),
  message: <P extends Props, R extends keyof P & string = never>(
    properties: P,
    required: readonly R[] = [],
    aliases?: Readonly<Record<string, keyof P & string>>,
  ): Field<MessageOf<P, R>> => {
    const schema: { -readonly [K in keyof WireSchema]: WireSchema[K] } = { type: 'object', properties, required };
    if (aliases) schema['x-aliases'] = aliases;
    return schema;
  },
};

/** One problem found by {@link decodeMessage}, shaped like an Ajv error so Fastify carries it as `error.validation`. */
export interface WireIssue {
  readonly keyword: 'required' | 'type';
  /** JSON pointer of the field, e.g. `/metrics/0/value`. */
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly params: { readonly path: string };
  /** MLflow's wording, ready to send. */
  readonly message: string;
}

/** Marks an object decoded from a JSON body that stands in for a GET's query string. */
export const FROM_JSON_BODY: unique symbol = Symbol.for('@lablog/server:from-json-body');

/** Where the values come from: typed JSON, or a query string (all strings, repeated keys). */
export type WireSource = 'json' | 'query';

class Issue extends Error {
  constructor(readonly issue: WireIssue) {
    super(issue.message);
  }
}

function pointer(path: string): string {
  return path === '' ? '' : '/' + path.replace(/\[(\d+)\]/g, '.$1').split('.').join('/');
}

function missing(path: string): Issue {
  const message = missingValueMessage(path);
  return new Issue({ keyword: 'required', instancePath: pointer(path), schemaPath: '#/required', params: { path }, message });
}

const MAX_SHOWN = 200;

function jsType(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function invalid(path: string, value: unknown, expected: string): Issue {
  let shown: unknown = value;
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  if (text.length > MAX_SHOWN) shown = text.slice(0, MAX_SHOWN) + '…';
  const hint = `Hint: Value was of type '${jsType(value)}', expected ${expected}. See the API docs for more information about request parameters.`;
  const message = invalidValueMessage(path, shown, hint);
  return new Issue({ keyword: 'type', instancePath: pointer(path), schemaPath: '#/type', params: { path }, message });
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

const INT = /^-?\d+$/;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const SPECIAL_DOUBLES: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function decodeInteger(schema: WireSchema, value: unknown, path: string): number {
  let n: number | undefined;
  if (typeof value === 'number' && Number.isInteger(value)) n = value;
  else if (typeof value === 'string' && INT.test(value.trim())) n = Number(value.trim());
  const int32 = schema.format === 'int32';
  if (n === undefined || !Number.isFinite(n) || (int32 && (n < INT32_MIN || n > INT32_MAX))) {
    throw invalid(path, value, int32 ? 'a 32-bit integer' : 'a 64-bit integer');
  }
  return n;
}

function decodeDouble(value: unknown, path: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value in SPECIAL_DOUBLES) return SPECIAL_DOUBLES[value]!;
    const t = value.trim();
    if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  }
  throw invalid(path, value, 'a double');
}

function decodeScalar(schema: WireSchema, value: unknown, path: string): unknown {
  switch (schema.type) {
    case 'string':
      if (schema.format === 'proto-enum') {
        const names = schema.enum ?? [];
        if (typeof value === 'string' && names.includes(value)) return value;
        const n = typeof value === 'number' ? value : typeof value === 'string' && INT.test(value) ? Number(value) : NaN;
        if (Number.isInteger(n) && n >= 1 && n <= names.length) return names[n - 1];
        throw invalid(path, value, `one of ${names.join(', ')}`);
      }
      if (typeof value === 'string') return value;
      if (schema.format === 'experiment-id' && typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
      throw invalid(path, value, 'a string');
    case 'integer':
      return decodeInteger(schema, value, path);
    case 'number':
      return decodeDouble(value, path);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      throw invalid(path, value, 'true or false');
    default:
      throw invalid(path, value, schema.type);
  }
}

function decodeValue(schema: WireSchema, value: unknown, path: string, source: WireSource): unknown {
  if (schema.type === 'array') {
    const items = schema.items!;
    const list = Array.isArray(value) ? value : source === 'query' ? [value] : undefined;
    if (list === undefined) throw invalid(path, value, 'a list');
    const out: unknown[] = [];
    list.forEach((item, i) => {
      const p = `${path}[${i}]`;
      if (isAbsent(item) && items.type !== 'string') throw missing(p);
      out.push(decodeValue(items, item, p, source));
    });
    return out;
  }
  // A scalar repeated in a query string (`?run_id=a&run_id=b`): Flask's `args.get` takes the first.
  const scalar = source === 'query' && Array.isArray(value) ? value[0] : value;
  if (schema.type === 'object') return decodeObject(schema, scalar, path, source);
  return decodeScalar(schema, scalar, path);
}

function decodeObject(schema: WireSchema, value: unknown, path: string, source: WireSource): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(path || 'request', value, 'a JSON object');
  }
  const input = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const required = new Set(schema.required ?? []);
  const aliasOf = new Map<string, string>();
  for (const [alias, target] of Object.entries(schema['x-aliases'] ?? {})) aliasOf.set(target, alias);
  for (const [name, fieldSchema] of Object.entries(schema.properties ?? {})) {
    const p = path === '' ? name : `${path}.${name}`;
    let raw = Object.hasOwn(input, name) ? input[name] : undefined;
    const alias = aliasOf.get(name);
    if (isAbsent(raw) && alias !== undefined && Object.hasOwn(input, alias)) raw = input[alias];
    // "" is a value for an optional plain string (a param logged as ""), and missing otherwise.
    const keepsEmpty = raw === '' && fieldSchema.type === 'string' && fieldSchema.format !== 'proto-enum' && !required.has(name);
    if (isAbsent(raw) && !keepsEmpty) {
      if (required.has(name)) throw missing(p);
      continue;
    }
    out[name] = decodeValue(fieldSchema, raw, p, source);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The compiled fast path.
//
// `decodeObject` above is the reference decoder: it builds every field's path as it goes so
// that a failure can name it. On the hot path (a log-batch of 1000 metrics) nothing fails, so
// each schema is compiled once into closures that hold its field list, required flags and
// aliases, build no path strings, and give up (`BAIL`) at the first thing that is not plainly
// valid. A bail re-runs the reference decoder on the same input, which either reports the
// exact MLflow error with its path or (for anything the fast path declined to handle) returns
// the value. A fast-path result is only returned when it is the value the reference decoder
// would return; wire-schema.test.ts checks the two against each other.
// ---------------------------------------------------------------------------------------------

const BAIL: unique symbol = Symbol('bail');
type Bail = typeof BAIL;
/** A compiled decoder for one schema node: the decoded value, or BAIL. */
type FastDecoder = (value: unknown, source: WireSource) => unknown;

interface CompiledField {
  readonly name: string;
  readonly decode: FastDecoder;
  readonly required: boolean;
  /** `""` is a value here (an optional plain string), not "missing". */
  readonly keepsEmpty: boolean;
  /** The deprecated name also accepted for this field (`run_uuid` for `run_id`). */
  readonly alias: string | undefined;
}

const compiledValues = new WeakMap<WireSchema, FastDecoder>();
const compiledObjects = new WeakMap<WireSchema, (value: unknown, source: WireSource) => Record<string, unknown> | Bail>();

const hasOwn = Object.hasOwn;

function fastInteger(int32: boolean): FastDecoder {
  return (value) => {
    let n: number;
    if (typeof value === 'number') {
      if (!Number.isInteger(value)) return BAIL;
      n = value;
    } else if (typeof value === 'string') {
      const t = value.trim();
      if (!INT.test(t)) return BAIL;
      n = Number(t);
      if (!Number.isFinite(n)) return BAIL;
    } else {
      return BAIL;
    }
    if (int32 && (n < INT32_MIN || n > INT32_MAX)) return BAIL;
    return n;
  };
}

const fastDouble: FastDecoder = (value) => {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value in SPECIAL_DOUBLES) return SPECIAL_DOUBLES[value]!;
    const t = value.trim();
    if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  }
  return BAIL;
};

const fastString: FastDecoder = (value) => (typeof value === 'string' ? value : BAIL);

const fastExperimentId: FastDecoder = (value) =>
  typeof value === 'string' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : BAIL;

const fastBool: FastDecoder = (value) => {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  return BAIL;
};

function fastEnum(names: readonly string[]): FastDecoder {
  return (value) => {
    if (typeof value === 'string' && names.includes(value)) return value;
    const n = typeof value === 'number' ? value : typeof value === 'string' && INT.test(value) ? Number(value) : NaN;
    if (Number.isInteger(n) && n >= 1 && n <= names.length) return names[n - 1];
    return BAIL;
  };
}

function compileScalar(schema: WireSchema): FastDecoder {
  switch (schema.type) {
    case 'string':
      if (schema.format === 'proto-enum') return fastEnum(schema.enum ?? []);
      return schema.format === 'experiment-id' ? fastExperimentId : fastString;
    case 'integer':
      return fastInteger(schema.format === 'int32');
    case 'number':
      return fastDouble;
    case 'boolean':
      return fastBool;
    default:
      return () => BAIL;
  }
}

function compileObject(schema: WireSchema): (value: unknown, source: WireSource) => Record<string, unknown> | Bail {
  const cached = compiledObjects.get(schema);
  if (cached) return cached;
  const required = new Set(schema.required ?? []);
  const aliasOf = new Map<string, string>();
  for (const [alias, target] of Object.entries(schema['x-aliases'] ?? {})) aliasOf.set(target, alias);
  const fields: CompiledField[] = Object.entries(schema.properties ?? {}).map(([name, fieldSchema]) => ({
    name,
    decode: compileValue(fieldSchema),
    required: required.has(name),
    keepsEmpty: fieldSchema.type === 'string' && fieldSchema.format !== 'proto-enum' && !required.has(name),
    alias: aliasOf.get(name),
  }));
  const count = fields.length;
  const decode = (value: unknown, source: WireSource): Record<string, unknown> | Bail => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return BAIL;
    const input = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) {
      const field = fields[i]!;
      const name = field.name;
      let raw = hasOwn(input, name) ? input[name] : undefined;
      if (raw === undefined || raw === null || raw === '') {
        const alias = field.alias;
        if (alias !== undefined && hasOwn(input, alias)) raw = input[alias];
        if (raw === undefined || raw === null || (raw === '' && !field.keepsEmpty)) {
          if (field.required) return BAIL;
          continue;
        }
      }
      const decoded = field.decode(raw, source);
      if (decoded === BAIL) return BAIL;
      out[name] = decoded;
    }
    return out;
  };
  compiledObjects.set(schema, decode);
  return decode;
}

function compileValue(schema: WireSchema): FastDecoder {
  const cached = compiledValues.get(schema);
  if (cached) return cached;
  let decode: FastDecoder;
  if (schema.type === 'array') {
    const itemSchema = schema.items!;
    const item = compileValue(itemSchema);
    const absentIsMissing = itemSchema.type !== 'string';
    decode = (value, source) => {
      const list = Array.isArray(value) ? value : source === 'query' ? [value] : undefined;
      if (list === undefined) return BAIL;
      const n = list.length;
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) {
        const v: unknown = list[i];
        if (absentIsMissing && (v === undefined || v === null || v === '')) return BAIL;
        const decoded = item(v, source);
        if (decoded === BAIL) return BAIL;
        out.push(decoded);
      }
      return out;
    };
  } else {
    const inner = schema.type === 'object' ? compileObject(schema) : compileScalar(schema);
    // A scalar repeated in a query string (`?run_id=a&run_id=b`): Flask's `args.get` takes the first.
    decode = (value, source) => inner(source === 'query' && Array.isArray(value) ? value[0] : value, source);
  }
  compiledValues.set(schema, decode);
  return decode;
}

/**
 * Decodes one request message against its schema, with the reference decoder only (no
 * compiled fast path). For tests that compare the two; routes use {@link decodeMessage}.
 * @internal
 */
export function decodeMessageReference<T>(schema: Field<T>, data: unknown, source: WireSource): { value: T } | { error: WireIssue[] } {
  try {
    return { value: decodeObject(schema, data ?? {}, '', source) as T };
  } catch (e) {
    if (e instanceof Issue) return { error: [e.issue] };
    throw e;
  }
}

/**
 * Compiles a schema for {@link decodeMessage} ahead of the first request (it is otherwise
 * compiled on first use and cached per schema object).
 */
export function compileWireSchema(schema: WireSchema): void {
  compileObject(schema);
}

/**
 * Decodes one request message against its schema.
 *
 * @param data - the parsed JSON body, or Fastify's query object (strings and string arrays).
 *   `null`/`undefined` is the empty message.
 * @returns `{ value }`, a fresh object holding only the schema's fields, or `{ error }` with
 *   the first problem, in MLflow's wording.
 */
export function decodeMessage<T>(schema: Field<T>, data: unknown, source: WireSource): { value: T } | { error: WireIssue[] } {
  const fast = compileObject(schema)(data ?? {}, source);
  if (fast !== BAIL) return { value: fast as T };
  return decodeMessageReference(schema, data, source);
}
