// Converts a TensorFlow.js graph model (model.json + weights) into an ONNX model, for the small
// convolutional networks the face channel uses (@vladmandic/human's blazeface, facemesh and emotion), so
// they run on the one ML runtime the app already ships (onnxruntime-web). Only the ops those
// graphs use are supported; anything else is refused by name.
//
// Layout: TF graphs are NHWC. The ONNX graph keeps its input NHWC (callers feed the same tensors
// as to the TF model), transposes once to NCHW (what ONNX Conv and MaxPool expect), and transposes
// back to NHWC before any Reshape, so reshaped outputs have TF's element order.
import { ATTR, DT, encodeModel, f32Bytes, i64Bytes, tensor, valueInfo } from './onnx-proto.mjs';

const OPSET = 13;
const STRING = 3;

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

/**
 * The weights of a graph model: name -> { dtype, shape, values }. Quantized float weights (stored
 * as float16, or as uint8/uint16 with a scale and a minimum) come back as float32.
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
      out.set(w.name, { dtype: w.dtype, shape: w.shape, values });
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

/**
 * @param {any} modelJson the parsed model.json (format "graph-model")
 * @param {ArrayBuffer | Uint8Array} weightBytes the weights files, concatenated in manifest order
 * @param {{ name: string }} options
 * @returns {Buffer} the ONNX model
 */
export function convertGraphModel(modelJson, weightBytes, { name }) {
  const weights = readWeights(modelJson, weightBytes);
  const tfNodes = modelJson.modelTopology.node;
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
  const intsAttr = (n, values) => ({ name: n, type: ATTR.INTS, ints: values });
  const intAttr = (n, value) => ({ name: n, type: ATTR.INT, i: value });
  const strAttr = (n, value) => ({ name: n, type: STRING, s: Buffer.from(value) });
  const clean = (input) => input.replace(/:0$/u, '');
  const constOf = (input) => weights.get(clean(input));
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
    switch (n.op) {
      case 'Const':
        if (!weights.has(n.name)) throw new Error(`${name}: constant ${n.name} has no weights`);
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
          [act(ins[0]).name, init('W', DT.FLOAT, filter.dims, f32Bytes(filter.values)), init('B', DT.FLOAT, [bias.values.length], f32Bytes(bias.values))],
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
            [act(ins[0]).name, init('DW', DT.FLOAT, filter.dims, f32Bytes(filter.values))],
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
  return encodeModel({
    ir_version: 8,
    producer_name: 'moodlens tfjs-to-onnx',
    opset_import: [{ domain: '', version: OPSET }],
    graph: { name, node: nodes, initializer: initializers, input: inputs, output: outputs.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true })) },
  });
}
