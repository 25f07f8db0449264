/**
 * The part of `onnx.proto` lablog reads and writes, as a protobufjs reflection schema (field
 * numbers from onnx/onnx.proto, IR version 3+). Fields not declared here are skipped when
 * decoding, so reading a large model's inputs and outputs never copies its weights: graph
 * initializers are read as {@link TensorHeader}s (name, dims, type) only.
 */
import protobuf from 'protobufjs/light.js';

const tensorShape = {
  fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } },
  nested: {
    Dimension: {
      oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
      fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 }, denotation: { type: 'string', id: 3 } },
    },
  },
};

const typeProto = {
  oneofs: { value: { oneof: ['tensorType'] } },
  fields: { tensorType: { type: 'TensorTypeProto', id: 1 }, denotation: { type: 'string', id: 6 } },
};

const common = {
  TensorShapeProto: tensorShape,
  TensorTypeProto: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
  TypeProto: typeProto,
  ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 }, docString: { type: 'string', id: 3 } } },
  OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
};

const writeRoot = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        ...common,
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            ints: { rule: 'repeated', type: 'int64', id: 8 },
            type: { type: 'int32', id: 20 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            domain: { type: 'string', id: 7 },
          },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
          },
        },
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
          },
        },
      },
    },
  },
});

const readRoot = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        ...common,
        TensorHeader: {
          fields: { dims: { rule: 'repeated', type: 'int64', id: 1 }, dataType: { type: 'int32', id: 2 }, name: { type: 'string', id: 8 } },
        },
        GraphHeader: {
          fields: {
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorHeader', id: 5 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
          },
        },
        ModelHeader: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            graph: { type: 'GraphHeader', id: 7 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
          },
        },
      },
    },
  },
});

/** One dimension of a tensor shape: a size, a symbolic name, or unknown. */
export interface OnnxDim {
  readonly value?: number;
  readonly param?: string;
}

/** A graph input or output: name, element type (ONNX `TensorProto.DataType`), shape. */
export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: number;
  /** null when the shape is unknown (not even the rank). */
  readonly shape: readonly OnnxDim[] | null;
}

/** What lablog reads from a model: versions, inputs, outputs and initializer headers. */
export interface OnnxModelHeader {
  readonly irVersion: number;
  readonly producerName: string;
  /** Opset version per domain (`''` is the default `ai.onnx` domain). */
  readonly opsets: Readonly<Record<string, number>>;
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly initializers: readonly { readonly name: string; readonly dims: readonly number[]; readonly dataType: number }[];
}

const num = (v: unknown): number => (v === undefined || v === null ? 0 : Number(typeof v === 'object' ? String(v) : v));

interface RawValueInfo {
  name?: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: { dimValue?: unknown; dimParam?: string }[] } } };
}

function valueInfo(v: RawValueInfo): OnnxValueInfo {
  const tt = v.type?.tensorType;
  // Unset fields read as defaults from the prototype; only own properties were on the wire.
  const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
  const shape = tt?.shape
    ? (tt.shape.dim ?? []).map((d): OnnxDim => (has(d, 'dimValue') ? { value: num(d.dimValue) } : has(d, 'dimParam') && d.dimParam ? { param: d.dimParam } : {}))
    : null;
  return { name: v.name ?? '', elemType: tt?.elemType ?? 0, shape };
}

/**
 * Reads the header of a serialized ModelProto (weights are skipped).
 * @throws Error from protobufjs when the bytes are not a ModelProto.
 */
export function readOnnxHeader(bytes: Uint8Array): OnnxModelHeader {
  const msg = readRoot.lookupType('onnx.ModelHeader').decode(bytes) as unknown as {
    irVersion?: unknown;
    producerName?: string;
    opsetImport?: { domain?: string; version?: unknown }[];
    graph?: { initializer?: { name?: string; dims?: unknown[]; dataType?: number }[]; input?: RawValueInfo[]; output?: RawValueInfo[] };
  };
  const opsets: Record<string, number> = {};
  for (const o of msg.opsetImport ?? []) opsets[o.domain ?? ''] = num(o.version);
  return {
    irVersion: num(msg.irVersion),
    producerName: msg.producerName ?? '',
    opsets,
    inputs: (msg.graph?.input ?? []).map(valueInfo),
    outputs: (msg.graph?.output ?? []).map(valueInfo),
    initializers: (msg.graph?.initializer ?? []).map((t) => ({ name: t.name ?? '', dims: (t.dims ?? []).map(num), dataType: t.dataType ?? 0 })),
  };
}

/** Serializes a ModelProto given as a plain object of the fields declared above (camelCase). */
export function encodeOnnxModel(model: Record<string, unknown>): Uint8Array {
  const type = writeRoot.lookupType('onnx.ModelProto');
  const err = type.verify(model);
  if (err) throw new Error(`Invalid ONNX model: ${err}`);
  return type.encode(type.fromObject(model)).finish();
}
