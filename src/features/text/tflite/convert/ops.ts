// The per-op emitters: each ONNX op a RoBERTa-family export uses is folded when its inputs are
// constant (folding.ts), handed on when it is a step of a pattern (patterns.ts), or written as the
// TFLite op or ops it maps to. An op with no mapping stops the conversion with
// UnsupportedModelError. Integers are int32 in the TFLite graph.
import type { OnnxNode } from '../onnx-reader';
import { BuiltinOp, type BuiltinOpCode, type OperatorOptions, type Quantization } from '../model-writer';
import {
  broadcastDims,
  castConst,
  concatConst,
  constOf,
  constantOfShape,
  dequantizeConst,
  expandConst,
  foldElementwise,
  foldUnary,
  gatherConst,
  makeConst,
  rangeConst,
  reshapeDims,
  sliceConst,
  transposeConst,
} from './folding';
import { TFLITE_TYPE, type GraphBuilder } from './graph-builder';
import { fullyConnected, transposedWeight } from './linear';
import { attr, constInput, intAttr, intsAttr } from './nodes';
import type { Patterns } from './patterns';
import { UnsupportedModelError, isPending, normAxis, onnxType, runtimeTypeOf, scalarOf, size, type Const, type Runtime, type RuntimeType, type Value } from './values';

export class OpEmitters {
  constructor(
    private readonly graph: GraphBuilder,
    private readonly patterns: Patterns,
    private readonly opset: number,
    /** How many nodes (and graph outputs) read each value. */
    private readonly uses: ReadonlyMap<string, number>,
  ) {}

  /** The value (or values) of one node's outputs, given its inputs. */
  convert(node: OnnxNode, inputs: ReadonlyArray<Value | undefined>): Value | Value[] {
    const [a, b] = inputs;
    const allConst = inputs.every((v) => v === undefined || v.kind === 'const');
    const name = node.outputs[0] ?? node.name;
    const need = (v: Value | undefined, what = 'input'): Value => {
      if (!v) throw new UnsupportedModelError(`${node.opType} ${node.name}: no ${what}`);
      return v;
    };
    const rt = (v: Value | undefined) => this.graph.runtime(need(v), `${node.opType} ${node.name}`);

    switch (node.opType) {
      case 'Identity':
      case 'Dropout':
        return need(a);
      case 'Constant':
        return this.constantNode(node);
      case 'Shape': {
        const v = need(a);
        if (isPending(v)) throw new UnsupportedModelError(`Shape of a partial pattern (${node.name})`);
        const rank = v.dims.length;
        const start = normAxis(intAttr(node, 'start', 0), rank);
        const end = normAxis(intAttr(node, 'end', rank), rank);
        const dims = v.dims.slice(start, end);
        return makeConst('int', [dims.length], dims);
      }
      case 'Cast':
        return this.cast(node, need(a), name);
      case 'Unsqueeze':
      case 'Squeeze':
      case 'Reshape':
      case 'Flatten':
        return this.reshapeNode(node, inputs, name);
      case 'Transpose': {
        const v = need(a);
        if (!isPending(v)) {
          const perm = intsAttr(node, 'perm') ?? v.dims.map((_, i) => v.dims.length - 1 - i);
          if (v.kind === 'const') return transposeConst(v, perm);
          return this.graph.emit(BuiltinOp.TRANSPOSE, [v.tensor, this.graph.int32Tensor(perm)], { name, type: v.type, dims: perm.map((p) => v.dims[p] ?? 1) }, { kind: 'transpose' });
        }
        return rt(v);
      }
      case 'Concat':
        return this.concat(node, inputs, name);
      case 'Gather':
        return this.gather(node, need(a), need(b, 'indices'), name);
      case 'Slice':
        return this.slice(node, inputs, name);
      case 'Range':
        return rangeConst(inputs.map((v) => constInput(node, v, 'start, limit or delta')));
      case 'ConstantOfShape': {
        const shape = constInput(node, a, 'shape');
        const value = attr(node, 'value');
        const fill = value && typeof value === 'object' && 'bytes' in value ? constOf(value) : makeConst('float32', [1], [0]);
        return constantOfShape(shape, fill);
      }
      case 'Expand': {
        const shape = Array.from(constInput(node, b, 'shape').data);
        const v = need(a);
        if (v.kind === 'const') return expandConst(v, shape);
        const x = rt(v);
        const dims = broadcastDims(x.dims, shape);
        if (dims.every((d, i) => d === x.dims[i]) && dims.length === x.dims.length) return x;
        return this.graph.emit(BuiltinOp.BROADCAST_TO, [x.tensor, this.graph.int32Tensor(dims)], { name, type: x.type, dims }, { kind: 'broadcast-to' }, 2);
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div':
      case 'Pow':
      case 'Equal':
      case 'Max':
      case 'Min':
      case 'Where':
        return this.elementwise(node, inputs, allConst, name);
      case 'Erf':
        return this.patterns.erf(node, need(a));
      case 'Gelu':
        return this.patterns.gelu(this.graph.runtime(need(a), `Gelu ${node.name}`));
      case 'Sqrt':
      case 'Tanh':
      case 'Exp':
      case 'Neg':
      case 'Not':
        return this.unary(node, need(a), name);
      case 'ReduceMean':
      case 'ReduceSum':
        return this.reduce(node, inputs, name);
      case 'LayerNormalization':
        return this.patterns.layerNorm(node, inputs, name);
      case 'Softmax': {
        const x = rt(a);
        const rank = x.dims.length;
        if (normAxis(intAttr(node, 'axis', this.opset >= 13 ? -1 : 1), rank) !== rank - 1) {
          throw new UnsupportedModelError(`Softmax ${node.name} over a dimension other than the last`);
        }
        return this.graph.emit(BuiltinOp.SOFTMAX, [x.tensor], { name, type: 'float32', dims: x.dims }, { kind: 'softmax', beta: 1 });
      }
      case 'CumSum': {
        const x = rt(a);
        const axis = normAxis(scalarOf(constInput(node, b, 'axis')) ?? 0, x.dims.length);
        return this.graph.emit(BuiltinOp.CUMSUM, [x.tensor, this.graph.int32Tensor([axis], [])], { name, type: x.type, dims: x.dims }, {
          kind: 'cumsum',
          exclusive: intAttr(node, 'exclusive', 0) === 1,
          reverse: intAttr(node, 'reverse', 0) === 1,
        });
      }
      case 'MatMul':
        return this.matmul(node, need(a), need(b), name);
      case 'Gemm':
        return this.gemm(node, inputs, name);
      case 'DequantizeLinear':
        return this.dequantize(node, inputs, name);
      case 'DynamicQuantizeLinear':
        return this.patterns.dynamicQuantize(rt(a));
      case 'MatMulInteger':
        return this.patterns.matmulInteger(node, inputs);
      default:
        throw new UnsupportedModelError(`the ONNX op ${node.opType} (node ${node.name})`);
    }
  }

  private constantNode(node: OnnxNode): Const {
    const value = attr(node, 'value');
    if (value && typeof value === 'object' && 'bytes' in value) return constOf(value);
    const f = attr(node, 'value_float');
    if (typeof f === 'number') return makeConst('float32', [], [f]);
    const i = attr(node, 'value_int');
    if (typeof i === 'number') return makeConst('int', [], [i]);
    const ints = attr(node, 'value_ints');
    if (Array.isArray(ints)) return makeConst('int', [ints.length], ints as readonly number[]);
    const floats = attr(node, 'value_floats');
    if (Array.isArray(floats)) return makeConst('float32', [floats.length], floats as readonly number[]);
    throw new UnsupportedModelError(`Constant ${node.name} of a kind not converted`);
  }

  private cast(node: OnnxNode, v: Value, name: string): Value {
    const to = intAttr(node, 'to', 1);
    const type = onnxType(to);
    if (v.kind === 'const') return castConst(v, type);
    if (isPending(v)) return this.patterns.cast(node, v, type);
    const target = runtimeTypeOf(type);
    if (target === v.type) return v;
    return this.graph.emit(BuiltinOp.CAST, [v.tensor], { name, type: target, dims: v.dims }, { kind: 'cast', inDataType: TFLITE_TYPE[v.type], outDataType: TFLITE_TYPE[target] });
  }

  private reshapeNode(node: OnnxNode, inputs: ReadonlyArray<Value | undefined>, name: string): Value {
    const v = inputs[0];
    if (!v || isPending(v)) throw new UnsupportedModelError(`${node.opType} ${node.name} of a partial pattern`);
    const rank = v.dims.length;
    let dims: number[];
    if (node.opType === 'Reshape') {
      dims = reshapeDims(v.dims, Array.from(constInput(node, inputs[1], 'shape').data), intAttr(node, 'allowzero', 0) === 1);
    } else if (node.opType === 'Flatten') {
      const axis = normAxis(intAttr(node, 'axis', 1), rank);
      dims = [size(v.dims.slice(0, axis)), size(v.dims.slice(axis))];
    } else {
      const axesInput = inputs[1];
      const axes = axesInput ? Array.from(constInput(node, axesInput, 'axes').data) : (intsAttr(node, 'axes') ?? []);
      if (node.opType === 'Unsqueeze') {
        const outRank = rank + axes.length;
        const at = new Set(axes.map((x) => normAxis(x, outRank)));
        const rest = [...v.dims];
        dims = Array.from({ length: outRank }, (_, i) => (at.has(i) ? 1 : (rest.shift() ?? 1)));
      } else {
        const at = new Set(axes.length ? axes.map((x) => normAxis(x, rank)) : v.dims.flatMap((d, i) => (d === 1 ? [i] : [])));
        dims = v.dims.filter((_, i) => !at.has(i));
      }
    }
    if (size(dims) !== size(v.dims)) throw new UnsupportedModelError(`${node.opType} ${node.name}: [${v.dims}] cannot become [${dims}]`);
    if (v.kind === 'const') return { ...v, dims };
    return this.graph.reshape(v, dims, name);
  }

  private concat(node: OnnxNode, inputs: ReadonlyArray<Value | undefined>, name: string): Value {
    const parts = inputs.filter((v): v is Value => v !== undefined && (v.kind !== 'const' || size(v.dims) > 0 || v.dims.length > 1));
    const first = parts[0];
    if (!first || isPending(first)) throw new UnsupportedModelError(`Concat ${node.name}`);
    const rank = first.dims.length;
    const axis = normAxis(intAttr(node, 'axis', 0), rank);
    const dims = [...first.dims];
    dims[axis] = parts.reduce((n, p) => n + (isPending(p) ? 0 : (p.dims[axis] ?? 0)), 0);
    if (parts.every((p): p is Const => p.kind === 'const')) return concatConst(parts, axis, dims);
    const tensors = parts.map((p) => this.graph.runtime(p, `Concat ${node.name}`));
    const type = tensors.find((t) => this.graph.producerOf(t.tensor) !== undefined || t.type === 'float32')?.type ?? tensors[0]!.type;
    return this.graph.emit(BuiltinOp.CONCATENATION, tensors.map((t) => (t.type === type ? t.tensor : this.graph.castTensor(t, type))), { name, type, dims }, { kind: 'concatenation', axis });
  }

  private gather(node: OnnxNode, data: Value, indices: Value, name: string): Value {
    if (isPending(data) || isPending(indices)) throw new UnsupportedModelError(`Gather ${node.name} of a partial pattern`);
    const axis = normAxis(intAttr(node, 'axis', 0), data.dims.length);
    if (data.kind === 'const' && indices.kind === 'const') return gatherConst(data, indices, axis);
    const dims = [...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)];
    const n = data.dims[axis] ?? 1;
    const indexTensor =
      indices.kind === 'const'
        ? this.graph.constTensor(makeConst('int', indices.dims, Array.from(indices.data, (i) => (i < 0 ? i + n : i))), 'int32')
        : indices.type === 'int32'
          ? indices.tensor
          : this.graph.castTensor(indices, 'int32');
    const params = this.graph.runtime(data, `Gather ${node.name}`);
    return this.graph.emit(BuiltinOp.GATHER, [params.tensor, indexTensor], { name, type: params.type, dims }, { kind: 'gather', axis });
  }

  private slice(node: OnnxNode, inputs: ReadonlyArray<Value | undefined>, name: string): Value {
    const v = inputs[0];
    if (!v || isPending(v)) throw new UnsupportedModelError(`Slice ${node.name}`);
    const rank = v.dims.length;
    const list = (i: number, attrName: string) => {
      const input = inputs[i];
      if (input) return Array.from(constInput(node, input, attrName).data);
      return intsAttr(node, attrName) ? [...(intsAttr(node, attrName) ?? [])] : undefined;
    };
    const starts = list(1, 'starts') ?? [];
    const ends = list(2, 'ends') ?? [];
    const axes = (list(3, 'axes') ?? starts.map((_, i) => i)).map((x) => normAxis(x, rank));
    const steps = list(4, 'steps') ?? starts.map(() => 1);
    const begin = v.dims.map(() => 0);
    const end = [...v.dims];
    const stride = v.dims.map(() => 1);
    axes.forEach((axis, i) => {
      const dim = v.dims[axis] ?? 1;
      const step = steps[i] ?? 1;
      if (step !== 1) throw new UnsupportedModelError(`Slice ${node.name} with step ${step}`);
      const clamp = (x: number) => Math.max(0, Math.min(dim, x < 0 ? x + dim : x));
      begin[axis] = clamp(starts[i] ?? 0);
      end[axis] = clamp(ends[i] ?? dim);
      stride[axis] = step;
    });
    const dims = v.dims.map((_, i) => Math.max(0, (end[i] ?? 0) - (begin[i] ?? 0)));
    if (v.kind === 'const') return sliceConst(v, begin, dims);
    const graph = this.graph;
    return graph.emit(BuiltinOp.STRIDED_SLICE, [v.tensor, graph.int32Tensor(begin), graph.int32Tensor(end), graph.int32Tensor(stride)], { name, type: v.type, dims }, { kind: 'strided-slice' });
  }

  private elementwise(node: OnnxNode, inputs: ReadonlyArray<Value | undefined>, allConst: boolean, name: string): Value {
    const [a, b] = inputs;
    if (!a || !b) throw new UnsupportedModelError(`${node.opType} ${node.name}: missing input`);
    const op = node.opType;
    const graph = this.graph;
    if (allConst) {
      const folded = foldElementwise(op, inputs as Const[]);
      if (!folded) throw new UnsupportedModelError(`${op} ${node.name} of constants`);
      return folded;
    }
    const pattern = this.patterns.step(op, a, b, node.outputs[0] ?? '');
    if (pattern) return pattern;

    if (op === 'Where') {
      const [cond, x, y] = inputs.map((v) => graph.runtime(need(v), `Where ${node.name}`));
      if (!cond || !x || !y) throw new UnsupportedModelError(`Where ${node.name}`);
      const type = x.type === 'float32' || y.type === 'float32' ? 'float32' : x.type;
      const dims = broadcastDims(broadcastDims(cond.dims, x.dims), y.dims);
      const operand = (v: Value, r: Runtime) => (v.kind === 'const' ? graph.constTensor(v, type) : r.type === type ? r.tensor : graph.castTensor(r, type));
      return graph.emit(BuiltinOp.SELECT_V2, [cond.tensor, operand(inputs[1]!, x), operand(inputs[2]!, y)], { name, type, dims }, { kind: 'select-v2' });
    }
    // One side runtime: the constant takes its type.
    const runtimeSide = a.kind === 'runtime' ? a : b.kind === 'runtime' ? b : null;
    if (!runtimeSide) throw new UnsupportedModelError(`${op} ${node.name} of partial patterns`);
    const type = runtimeSide.type;
    const operand = (v: Value) => (v.kind === 'const' ? graph.constTensor(v, type) : graph.runtime(v, `${op} ${node.name}`).tensor);
    const x = a.kind === 'const' ? null : graph.runtime(a, op);
    const y = b.kind === 'const' ? null : graph.runtime(b, op);
    if (x && y && x.type !== y.type) throw new UnsupportedModelError(`${op} ${node.name} of ${x.type} and ${y.type}`);
    const dims = broadcastDims(isPending(a) ? [] : a.dims, isPending(b) ? [] : b.dims);

    if (op === 'Add' && x && b.kind === 'const') {
      // The bias of a FULLY_CONNECTED just written: fused into it.
      const fc = graph.producerOf(x.tensor);
      const out = x.dims[x.dims.length - 1];
      if (fc?.op === BuiltinOp.FULLY_CONNECTED && fc.inputs[2] === -1 && this.usesOf(node.inputs[0]) === 1 && b.dims.length === 1 && b.dims[0] === out) {
        fc.inputs[2] = graph.constTensor(b, 'float32');
        return x;
      }
    }
    if (op === 'Pow' && x && b.kind === 'const') {
      const e = scalarOf(b);
      if (e === 2) return graph.emit(BuiltinOp.MUL, [x.tensor, x.tensor], { name, type, dims }, { kind: 'mul' });
      if (e === 0.5) return graph.emit(BuiltinOp.SQRT, [x.tensor], { name, type, dims });
      if (e === 1) return x;
    }
    const codes: Record<string, [BuiltinOpCode, OperatorOptions | undefined, RuntimeType]> = {
      Add: [BuiltinOp.ADD, { kind: 'add' }, type],
      Sub: [BuiltinOp.SUB, { kind: 'sub' }, type],
      Mul: [BuiltinOp.MUL, { kind: 'mul' }, type],
      Div: [BuiltinOp.DIV, { kind: 'div' }, type],
      Pow: [BuiltinOp.POW, { kind: 'pow' }, type],
      Equal: [BuiltinOp.EQUAL, { kind: 'equal' }, 'bool'],
      Max: [BuiltinOp.MAXIMUM, { kind: 'maximum-minimum' }, type],
      Min: [BuiltinOp.MINIMUM, { kind: 'maximum-minimum' }, type],
    };
    const mapped = codes[op];
    if (!mapped) throw new UnsupportedModelError(`${op} ${node.name}`);
    const [code, options, outType] = mapped;
    // SUB and DIV of more than 4 dimensions with broadcasting need newer kernels; none here.
    const result = graph.emit(code, [operand(a), operand(b)], { name, type: outType, dims }, options, op === 'Sub' && type === 'int32' ? 3 : 1);
    this.patterns.noteHalf(op, a, b, x, y, result);
    return result;

    function need(v: Value | undefined): Value {
      if (!v) throw new UnsupportedModelError(`${op} ${node.name}: missing input`);
      return v;
    }
  }

  private usesOf(name: string | undefined): number {
    return name ? (this.uses.get(name) ?? 0) : 0;
  }

  private unary(node: OnnxNode, v: Value, name: string): Value {
    const op = node.opType;
    if (v.kind === 'const') {
      const folded = foldUnary(op, v);
      if (!folded) throw new UnsupportedModelError(`${op} ${node.name} of a constant`);
      return folded;
    }
    const x = this.graph.runtime(v, op);
    const codes: Record<string, [BuiltinOpCode, OperatorOptions | undefined]> = {
      Sqrt: [BuiltinOp.SQRT, undefined],
      Tanh: [BuiltinOp.TANH, undefined],
      Exp: [BuiltinOp.EXP, { kind: 'exp' }],
      Neg: [BuiltinOp.NEG, { kind: 'neg' }],
      Not: [BuiltinOp.LOGICAL_NOT, { kind: 'logical-not' }],
    };
    const mapped = codes[op];
    if (!mapped) throw new UnsupportedModelError(`${op} ${node.name}`);
    const [code, options] = mapped;
    return this.graph.emit(code, [x.tensor], { name, type: x.type, dims: x.dims }, options);
  }

  private reduce(node: OnnxNode, inputs: ReadonlyArray<Value | undefined>, name: string): Value {
    const x = this.graph.runtime(inputs[0] ?? makeConst('float32', [], [0]), `${node.opType} ${node.name}`);
    const rank = x.dims.length;
    const axesInput = inputs[1];
    let axes = axesInput ? Array.from(constInput(node, axesInput, 'axes').data) : (intsAttr(node, 'axes') ?? []);
    if (axes.length === 0) {
      if (intAttr(node, 'noop_with_empty_axes', 0) === 1) return x;
      axes = x.dims.map((_, i) => i);
    }
    axes = axes.map((a) => normAxis(a, rank));
    const keepDims = intAttr(node, 'keepdims', 1) === 1;
    const dims = keepDims ? x.dims.map((d, i) => (axes.includes(i) ? 1 : d)) : x.dims.filter((_, i) => !axes.includes(i));
    const op = node.opType === 'ReduceMean' ? BuiltinOp.MEAN : BuiltinOp.SUM;
    return this.graph.emit(op, [x.tensor, this.graph.int32Tensor(axes)], { name, type: x.type, dims }, { kind: 'reducer', keepDims });
  }

  /** MatMul: two activations -> BATCH_MATMUL; an activation and constant weights -> float FULLY_CONNECTED. */
  private matmul(node: OnnxNode, a: Value, b: Value, name: string): Value {
    if (b.kind === 'const' && b.dims.length === 2 && a.kind !== 'const') {
      const x = this.graph.runtime(a, `MatMul ${node.name}`);
      const [inDim = 0, outDim = 0] = b.dims;
      const weight = transposedWeight(b);
      return fullyConnected(this.graph, x, this.graph.constTensor(weight, 'float32'), outDim, name, inDim);
    }
    const x = this.graph.runtime(a, `MatMul ${node.name}`);
    const y = this.graph.runtime(b, `MatMul ${node.name}`);
    if (x.dims.length < 2 || y.dims.length < 2) throw new UnsupportedModelError(`MatMul ${node.name} of a vector`);
    const batch = broadcastDims(x.dims.slice(0, -2), y.dims.slice(0, -2));
    const dims = [...batch, x.dims[x.dims.length - 2] ?? 1, y.dims[y.dims.length - 1] ?? 1];
    return this.graph.emit(BuiltinOp.BATCH_MATMUL, [x.tensor, y.tensor], { name, type: 'float32', dims }, { kind: 'batch-matmul', adjX: false, adjY: false });
  }

  private gemm(node: OnnxNode, inputs: ReadonlyArray<Value | undefined>, name: string): Value {
    const [a, b, c] = inputs;
    const alpha = attr(node, 'alpha') ?? 1;
    const beta = attr(node, 'beta') ?? 1;
    if (!a || b?.kind !== 'const' || intAttr(node, 'transA', 0) !== 0 || alpha !== 1 || beta !== 1) throw new UnsupportedModelError(`Gemm ${node.name} of a kind not converted`);
    const x = this.graph.runtime(a, `Gemm ${node.name}`);
    const weight = intAttr(node, 'transB', 0) === 1 ? { ...b, type: 'float32' as const } : transposedWeight(b);
    const [outDim = 0, inDim = 0] = weight.dims;
    const y = fullyConnected(this.graph, x, this.graph.constTensor(weight, 'float32'), outDim, name, inDim);
    if (c) {
      const fc = this.graph.producerOf(y.tensor);
      if (fc && c.kind === 'const' && size(c.dims) === outDim) fc.inputs[2] = this.graph.constTensor({ ...c, dims: [outDim] }, 'float32');
      else return this.graph.emit(BuiltinOp.ADD, [y.tensor, this.graph.operand(c, 'float32', `${node.opType} ${node.name}`)], { name: `${name}/bias`, type: 'float32', dims: y.dims }, { kind: 'add' });
    }
    return y;
  }

  private dequantize(node: OnnxNode, inputs: ReadonlyArray<Value | undefined>, name: string): Value {
    const [q, scaleV, zeroV] = inputs;
    const scale = constInput(node, scaleV, 'scale');
    const zero = zeroV ? constInput(node, zeroV, 'zero point') : null;
    const axisAttr = intAttr(node, 'axis', 1);
    if (q?.kind === 'const') return dequantizeConst(q, scale, zero, normAxis(axisAttr, q.dims.length));
    const x = this.graph.runtime(q ?? makeConst('float32', [], [0]), `DequantizeLinear ${node.name}`);
    if (x.type !== 'uint8' && x.type !== 'int8') throw new UnsupportedModelError(`DequantizeLinear ${node.name} of ${x.type}`);
    const quantization: Quantization = {
      scale: Array.from(scale.data),
      zeroPoint: zero ? Array.from(zero.data) : Array.from(scale.data, () => 0),
      axis: size(scale.dims) > 1 ? normAxis(axisAttr, x.dims.length) : 0,
    };
    // The 8-bit tensor carries its quantization; a gathered table carries it too.
    this.graph.quantize(x.tensor, quantization);
    const from = this.graph.producerOf(x.tensor);
    if (from?.op === BuiltinOp.GATHER && size(scale.dims) === 1) {
      const table = from.inputs[0];
      if (table !== undefined && table >= 0) this.graph.quantize(table, quantization);
    }
    return this.graph.emit(BuiltinOp.DEQUANTIZE, [x.tensor], { name, type: 'float32', dims: x.dims }, undefined, x.type === 'int8' ? 2 : 1);
  }
}
