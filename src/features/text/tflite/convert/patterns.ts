// The patterns that become single TFLite ops, because LiteRT has no op for their parts:
// - onnxruntime's dynamic quantization, DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul by
//   (input scale x weight scale) [-> Add bias], is a "hybrid" FULLY_CONNECTED: float input, int8
//   weights [out, in], the input quantized per row inside the kernel (XNNPACK's relaxed-SIMD path);
// - erf GELU, x * 0.5 * (1 + erf(x / sqrt 2)) in any of its exported orders, is GELU;
// - LayerNormalization is written out as MEAN / SQUARED_DIFFERENCE / RSQRT / MUL / ADD.
// The steps before the last of the first two are Pending values, written to the graph by none.
import type { OnnxNode } from '../onnx-reader';
import { BuiltinOp } from '../model-writer';
import { makeConst } from './folding';
import type { GraphBuilder } from './graph-builder';
import { hybridLinear } from './linear';
import { attr, constInput, intAttr } from './nodes';
import { UnsupportedModelError, normAxis, scalarOf, type ConstType, type Pending, type Runtime, type Value } from './values';

const near = (a: number | null, b: number) => a !== null && Math.abs(a - b) <= 1e-4 * Math.abs(b);

export class Patterns {
  /** Tensors that are MUL(x, 0.5), by tensor: x (half of GELU's product, exported first). */
  private readonly halves = new Map<number, Runtime>();

  constructor(
    private readonly graph: GraphBuilder,
    /** The op types that read each value. */
    private readonly readers: ReadonlyMap<string, readonly string[]>,
  ) {}

  // ---- the quantized linear layer --------------------------------------------------------------

  /** DynamicQuantizeLinear: x quantized, its scale and its zero point, all waiting for MatMulInteger. */
  dynamicQuantize(x: Runtime): Pending[] {
    return [0, 1, 2].map((part) => ({ kind: 'dynamic-quantized', part: part as 0 | 1 | 2, x }));
  }

  matmulInteger(node: OnnxNode, inputs: ReadonlyArray<Value | undefined>): Value {
    const [a, b, aZero, bZero] = inputs;
    if (a?.kind !== 'dynamic-quantized' || a.part !== 0) throw new UnsupportedModelError(`MatMulInteger ${node.name} whose input is not dynamically quantized`);
    if (aZero && !(aZero.kind === 'dynamic-quantized' && aZero.part === 2 && aZero.x === a.x)) throw new UnsupportedModelError(`MatMulInteger ${node.name}: its input zero point is not its input's`);
    const weight = constInput(node, b, 'weight');
    if (weight.dims.length !== 2 || (weight.type !== 'int8' && weight.type !== 'uint8')) throw new UnsupportedModelError(`MatMulInteger ${node.name}: weights [${weight.dims}] ${weight.type}`);
    const weightZero = bZero ? constInput(node, bZero, 'weight zero point') : null;
    return { kind: 'integer-matmul', x: a.x, weight, weightZero, float: false };
  }

  /** Cast of a pattern's step: only MatMulInteger's int32 product, to float on its way to the scale. */
  cast(node: OnnxNode, v: Pending, type: ConstType): Value {
    if (v.kind === 'integer-matmul' && type === 'float32') return { ...v, float: true };
    throw new UnsupportedModelError(`Cast ${node.name} of a partial ${v.kind} pattern`);
  }

  // ---- the steps of both, in elementwise ops ---------------------------------------------------

  /** An elementwise op as a step of the quantized linear layer or of erf GELU; null when it is neither. */
  step(op: string, a: Value, b: Value, output: string): Value | null {
    const pair = <T extends Value>(test: (v: Value) => v is T): [T, Value] | null => (test(a) ? [a, b] : test(b) ? [b, a] : null);
    const ofKind = (kind: Pending['kind']) => (v: Value): v is Pending => v.kind === kind;

    if (op === 'Mul') {
      // input scale x weight scale
      const scale = pair((v): v is Pending & { kind: 'dynamic-quantized' } => v.kind === 'dynamic-quantized' && v.part === 1);
      if (scale && scale[1].kind === 'const') return { kind: 'input-scale', x: scale[0].x, weightScale: scale[1] };
      // the int32 product, as float, times that scale: the linear layer
      const product = pair((v): v is Pending & { kind: 'integer-matmul' } => v.kind === 'integer-matmul' && v.float);
      if (product && product[1].kind === 'input-scale' && product[1].x === product[0].x) {
        return hybridLinear(this.graph, product[0].x, product[0].weight, product[0].weightZero, product[1].weightScale);
      }
    }
    // x / sqrt 2 (or x * 1/sqrt 2) read only by an Erf: GELU's first step.
    const toErf = this.readers.get(output)?.every((r) => r === 'Erf') ?? false;
    if (toErf && op === 'Div' && a.kind === 'runtime' && a.type === 'float32' && b.kind === 'const' && near(scalarOf(b), Math.SQRT2)) {
      return { kind: 'gelu', stage: 'scaled', x: a };
    }
    if (toErf && op === 'Mul') {
      const scaled = pair((v): v is Runtime => v.kind === 'runtime');
      if (scaled && scaled[0].type === 'float32' && scaled[1].kind === 'const' && near(scalarOf(scaled[1]), Math.SQRT1_2)) return { kind: 'gelu', stage: 'scaled', x: scaled[0] };
    }
    const gelu = pair(ofKind('gelu')) as [Pending & { kind: 'gelu' }, Value] | null;
    if (!gelu) return null;
    const [g, other] = gelu;
    const constant = other.kind === 'const' ? scalarOf(other) : null;
    if (op === 'Add' && g.stage === 'erf' && constant === 1) return { ...g, stage: 'erf+1' };
    if (op === 'Mul' && g.stage === 'erf+1' && other === g.x) return { ...g, stage: 'x(erf+1)' };
    if (op === 'Mul' && g.stage === 'erf+1' && constant === 0.5) return { ...g, stage: '(erf+1)/2' };
    const x = g.x;
    if (op === 'Mul' && g.stage === 'x(erf+1)' && constant === 0.5) return this.gelu(x);
    if (op === 'Mul' && g.stage === '(erf+1)/2' && other === x) return this.gelu(x);
    if (op === 'Mul' && g.stage === 'erf+1' && other.kind === 'runtime' && this.halves.get(other.tensor) === x) return this.gelu(x);
    throw new UnsupportedModelError(`an erf that is not part of GELU (${op} after ${g.stage})`);
  }

  /** Remembers a MUL(x, 0.5) just written: GELU's product may use it as its half, exported first. */
  noteHalf(op: string, a: Value, b: Value, x: Runtime | null, y: Runtime | null, result: Runtime): void {
    if (op === 'Mul' && x && b.kind === 'const' && scalarOf(b) === 0.5) this.halves.set(result.tensor, x);
    if (op === 'Mul' && y && a.kind === 'const' && scalarOf(a) === 0.5) this.halves.set(result.tensor, y);
  }

  // ---- erf GELU --------------------------------------------------------------------------------

  /** Erf: only as GELU's second step. */
  erf(node: OnnxNode, v: Value): Value {
    if (v.kind === 'gelu' && v.stage === 'scaled') return { ...v, stage: 'erf' };
    throw new UnsupportedModelError(`Erf ${node.name} outside GELU`);
  }

  gelu(x: Runtime): Runtime {
    return this.graph.emit(BuiltinOp.GELU, [x.tensor], { name: `${this.graph.nameOf(x.tensor) ?? 'x'}_gelu`, type: 'float32', dims: x.dims }, { kind: 'gelu', approximate: false });
  }

  // ---- LayerNorm -------------------------------------------------------------------------------

  layerNorm(node: OnnxNode, inputs: ReadonlyArray<Value | undefined>, name: string): Value {
    const graph = this.graph;
    const x = graph.runtime(inputs[0] ?? makeConst('float32', [], [0]), `LayerNormalization ${node.name}`);
    const rank = x.dims.length;
    if (normAxis(intAttr(node, 'axis', -1), rank) !== rank - 1) throw new UnsupportedModelError(`LayerNormalization ${node.name} over more than the last dimension`);
    const epsilonAttr = attr(node, 'epsilon');
    const epsilon = typeof epsilonAttr === 'number' ? epsilonAttr : 1e-5;
    const axis = graph.int32Tensor([rank - 1]);
    const statDims = x.dims.map((d, i) => (i === rank - 1 ? 1 : d));
    const f = (suffix: string, dims = x.dims) => ({ name: `${name}/${suffix}`, type: 'float32' as const, dims });
    const mean = graph.emit(BuiltinOp.MEAN, [x.tensor, axis], f('mean', statDims), { kind: 'reducer', keepDims: true });
    const squares = graph.emit(BuiltinOp.SQUARED_DIFFERENCE, [x.tensor, mean.tensor], f('squares'), { kind: 'squared-difference' });
    const variance = graph.emit(BuiltinOp.MEAN, [squares.tensor, axis], f('variance', statDims), { kind: 'reducer', keepDims: true });
    const shifted = graph.emit(BuiltinOp.ADD, [variance.tensor, graph.constTensor(makeConst('float32', [], [epsilon]))], f('shifted', statDims), { kind: 'add' });
    const inverse = graph.emit(BuiltinOp.RSQRT, [shifted.tensor], f('inverse', statDims));
    const centered = graph.emit(BuiltinOp.SUB, [x.tensor, mean.tensor], f('centered'), { kind: 'sub' });
    let y = graph.emit(BuiltinOp.MUL, [centered.tensor, inverse.tensor], f('normalized'), { kind: 'mul' });
    const scale = inputs[1];
    const bias = inputs[2];
    const context = `${node.opType} ${node.name}`;
    if (scale) y = graph.emit(BuiltinOp.MUL, [y.tensor, graph.operand(scale, 'float32', context)], f('scaled'), { kind: 'mul' });
    if (bias) y = graph.emit(BuiltinOp.ADD, [y.tensor, graph.operand(bias, 'float32', context)], { name, type: 'float32', dims: x.dims }, { kind: 'add' });
    return y;
  }
}
