// Linear layers as FULLY_CONNECTED: the op itself, and the weights laid out as it wants them,
// [out, in], float or (for the hybrid kernel) int8. The layouts are kept per source tensor:
// converting the same graph for another length (worker/litert-runtime.ts) reuses them instead of
// transposing the weights again.
import { BuiltinOp } from '../model-writer';
import { transposeConst } from './folding';
import type { GraphBuilder } from './graph-builder';
import { UnsupportedModelError, size, type Const, type Runtime } from './values';

interface HybridWeights {
  readonly data: Int8Array;
  readonly scale: number[];
}

const transposedWeights = new WeakMap<Const, Const>();
const hybridWeightsOf = new WeakMap<Const, { readonly zero: Const | null; readonly scale: Const; readonly weights: HybridWeights }>();

/** A 2-D weight matrix [in, out] as float [out, in], the layout FULLY_CONNECTED wants. */
export function transposedWeight(c: Const): Const {
  let t = transposedWeights.get(c);
  if (!t) transposedWeights.set(c, (t = transposeConst({ ...c, type: 'float32' }, [1, 0])));
  return t;
}

/**
 * MatMulInteger's weights [in, out] as a hybrid FULLY_CONNECTED wants them: [out, in], int8 with a
 * zero point of 0. Symmetric int8 weights are copied as they are; anything else (uint8, zero
 * points) is dequantized and quantized again, symmetric per output channel.
 */
function hybridWeights(weight: Const, weightZero: Const | null, weightScale: Const): HybridWeights {
  const known = hybridWeightsOf.get(weight);
  if (known && known.zero === weightZero && known.scale === weightScale) return known.weights;
  const [inDim = 0, outDim = 0] = weight.dims;
  const scales = weightScale.data;
  const perColumn = size(weightScale.dims) > 1;
  const zeros = weightZero?.data;
  const symmetric = weight.type === 'int8' && (!zeros || zeros.every((z) => z === 0));
  const data = new Int8Array(inDim * outDim);
  let scale: number[];
  if (symmetric) {
    const w = weight.data;
    for (let i = 0; i < inDim; i++) for (let o = 0; o < outDim; o++) data[o * inDim + i] = w[i * outDim + o] ?? 0;
    scale = perColumn ? Array.from(scales) : [scales[0] ?? 1];
  } else {
    scale = new Array<number>(outDim).fill(0);
    const real = (i: number, o: number) => ((weight.data[i * outDim + o] ?? 0) - (zeros?.[zeros.length > 1 ? o : 0] ?? 0)) * (scales[perColumn ? o : 0] ?? 1);
    for (let o = 0; o < outDim; o++) {
      let max = 0;
      for (let i = 0; i < inDim; i++) max = Math.max(max, Math.abs(real(i, o)));
      const s = max / 127 || 1;
      scale[o] = s;
      for (let i = 0; i < inDim; i++) data[o * inDim + i] = Math.round(real(i, o) / s);
    }
  }
  const weights = { data, scale };
  hybridWeightsOf.set(weight, { zero: weightZero, scale: weightScale, weights });
  return weights;
}

/** x·W as FULLY_CONNECTED with the weight tensor [out, in]; `hybrid`: int8 weights, float x quantized per row in the kernel. */
export function fullyConnected(graph: GraphBuilder, x: Runtime, weight: number, outDim: number, name: string, inDim: number, hybrid = false): Runtime {
  if (x.dims[x.dims.length - 1] !== inDim) throw new UnsupportedModelError(`a linear layer of ${inDim} inputs given [${x.dims}]`);
  const dims = [...x.dims.slice(0, -1), outDim];
  return graph.emit(
    BuiltinOp.FULLY_CONNECTED,
    [x.tensor, weight, -1],
    { name, type: 'float32', dims },
    { kind: 'fully-connected', keepNumDims: x.dims.length !== 2, ...(hybrid ? { asymmetricQuantizeInputs: true } : {}) },
    hybrid ? 7 : 5,
  );
}

/** The linear layer x·W of MatMulInteger's weights as a hybrid FULLY_CONNECTED (weights laid out by hybridWeights). */
export function hybridLinear(graph: GraphBuilder, x: Runtime, weight: Const, weightZero: Const | null, weightScale: Const): Runtime {
  const [inDim = 0, outDim = 0] = weight.dims;
  const { data, scale } = hybridWeights(weight, weightZero, weightScale);
  const tensor = graph.addTensor(`weights_${graph.tensorCount}`, 'int8', [outDim, inDim], new Uint8Array(data.buffer), {
    scale,
    zeroPoint: scale.map(() => 0),
    axis: 0,
  });
  return fullyConnected(graph, x, tensor, outDim, `linear_${graph.tensorCount}`, inDim, true);
}
