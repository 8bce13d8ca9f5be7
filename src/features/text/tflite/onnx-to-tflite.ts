// Converts an ONNX text classifier (the hub's export of a RoBERTa-family model, int8 or fp32) into
// a TFLite model for LiteRT.js, on the device, for one fixed input shape.
//
// LiteRT.js cannot resize inputs, so every shape is fixed at conversion: the free dimensions of the
// inputs get the sizes the caller gives (`batch_size: 1, sequence_length: 64`). This module walks
// the graph, inputs to outputs; the work is in convert/:
// - folding.ts: with static shapes all the shape arithmetic of an export (Shape, Gather, Concat,
//   Unsqueeze on shapes, ...) is constant and folded in JS; only tensor work reaches the graph;
// - patterns.ts: quantize_dynamic's linear layers -> hybrid FULLY_CONNECTED, erf GELU -> GELU,
//   LayerNorm written out, as LiteRT has no op for their parts;
// - ops.ts: everything else, op for op (the hub's position and mask arithmetic among it); an op
//   with no mapping stops the conversion with UnsupportedModelError, and the app keeps ONNX
//   Runtime for that model;
// - graph-builder.ts: the TFLite tensors, buffers and operators, and the model at the end;
//   linear.ts: FULLY_CONNECTED and its weight layouts; values.ts, nodes.ts: what they share.
//
// Integers are int32 in the TFLite graph (ONNX's int64 ids and masks fit, and LiteRT's kernels
// want int32), so the model's inputs are int32.
import type { OnnxGraph, OnnxNode } from './onnx-reader';
import type { TfliteModel } from './model-writer';
import { constOf } from './convert/folding';
import { GraphBuilder } from './convert/graph-builder';
import { OpEmitters } from './convert/ops';
import { Patterns } from './convert/patterns';
import { UnsupportedModelError, onnxType, runtimeTypeOf, type Value } from './convert/values';

export { UnsupportedModelError };

export interface ConvertOptions {
  /** A size for each free dimension of the inputs, by its name in the model: `{ batch_size: 1, sequence_length: 64 }`. */
  readonly dims: Readonly<Record<string, number>>;
  readonly description?: string;
}

export interface ConvertedIo {
  readonly name: string;
  readonly shape: readonly number[];
  readonly type: 'float32' | 'int32';
}

export interface ConvertedModel {
  readonly model: TfliteModel;
  readonly inputs: readonly ConvertedIo[];
  readonly outputs: readonly ConvertedIo[];
}

/** Converts a parsed ONNX graph (see onnx-reader.ts) into a TFLite model with fixed input shapes. */
export function convertOnnxToTflite(graph: OnnxGraph, options: ConvertOptions): ConvertedModel {
  return new Converter(graph, options).run();
}

class Converter {
  private readonly builder = new GraphBuilder();
  private readonly ops: OpEmitters;
  private readonly values = new Map<string, Value>();

  constructor(
    private readonly graph: OnnxGraph,
    private readonly options: ConvertOptions,
  ) {
    const uses = new Map<string, number>();
    /** The op types that read each value. */
    const readers = new Map<string, string[]>();
    for (const node of graph.nodes) {
      for (const input of node.inputs) {
        if (!input) continue;
        uses.set(input, (uses.get(input) ?? 0) + 1);
        readers.set(input, [...(readers.get(input) ?? []), node.opType]);
      }
    }
    for (const output of graph.outputs) uses.set(output.name, (uses.get(output.name) ?? 0) + 1);
    this.ops = new OpEmitters(this.builder, new Patterns(this.builder, readers), graph.opset, uses);
  }

  run(): ConvertedModel {
    const builder = this.builder;
    const inputs: ConvertedIo[] = [];
    const inputTensors: number[] = [];
    for (const input of this.graph.inputs) {
      const shape = input.shape.map((d) => {
        if (typeof d === 'number') return d;
        const fixed = this.options.dims[d];
        if (fixed === undefined) throw new UnsupportedModelError(`no size given for the input dimension "${d}"`);
        return fixed;
      });
      const type = runtimeTypeOf(onnxType(input.elemType));
      if (type !== 'float32' && type !== 'int32') throw new UnsupportedModelError(`input ${input.name} is ${type}`);
      const tensor = builder.addTensor(input.name, type, shape);
      this.values.set(input.name, { kind: 'runtime', tensor, type, dims: shape });
      inputs.push({ name: input.name, shape, type });
      inputTensors.push(tensor);
    }
    for (const [name, t] of this.graph.initializers) this.values.set(name, constOf(t));
    for (const node of this.graph.nodes) this.convertNode(node);

    const outputs: ConvertedIo[] = [];
    const outputTensors: number[] = [];
    for (const output of this.graph.outputs) {
      let value = builder.runtime(this.get(output.name), output.name);
      // An output that is also another op's input, or an input itself, gets its own tensor.
      if (outputTensors.includes(value.tensor) || inputTensors.includes(value.tensor)) value = builder.reshape(value, value.dims, output.name);
      if (value.type !== 'float32' && value.type !== 'int32') throw new UnsupportedModelError(`output ${output.name} is ${value.type}`);
      builder.rename(value.tensor, output.name);
      outputs.push({ name: output.name, shape: value.dims, type: value.type });
      outputTensors.push(value.tensor);
    }
    const model = builder.finish(inputTensors, outputTensors, this.options.description ?? 'converted from ONNX by Moodlens');
    return { model, inputs, outputs };
  }

  private get(name: string): Value {
    const v = this.values.get(name);
    if (!v) throw new UnsupportedModelError(`the value "${name}" is used before it is made`);
    return v;
  }

  private convertNode(node: OnnxNode): void {
    if (node.domain !== '' && node.domain !== 'ai.onnx' && !(node.domain === 'com.microsoft' && node.opType === 'Gelu')) {
      throw new UnsupportedModelError(`${node.domain}.${node.opType} (node ${node.name})`);
    }
    const inputs = node.inputs.map((name) => (name === '' ? undefined : this.get(name)));
    const out = this.ops.convert(node, inputs);
    const results = Array.isArray(out) ? out : [out];
    results.forEach((v, i) => {
      const name = node.outputs[i];
      if (name) this.values.set(name, v);
    });
  }
}
