// A plain, slow reference executor for TF.js graph models in NHWC, written from TensorFlow's op
// semantics and independent of the ONNX converter: tests compare the converted ONNX model's
// outputs (run by onnxruntime) with this one's on the same input.
import { readWeights } from '../../scripts/lib/tfjs-to-onnx.mjs';

const str = (node, key) => (node.attr?.[key]?.s ? Buffer.from(node.attr[key].s, 'base64').toString('utf8') : undefined);
const ints = (node, key) => (node.attr?.[key]?.list?.i ?? []).map(Number);

/** TF's SAME/VALID output size and the padding before. */
function padding(mode, size, k, s, d = 1) {
  const ke = (k - 1) * d + 1;
  if (mode === 'VALID') return { out: Math.ceil((size - ke + 1) / s), before: 0 };
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + ke - size, 0);
  return { out, before: Math.floor(total / 2) };
}

/** The nodes `outputs` depend on, not looking past `input`. */
function needed(nodes, outputs, input) {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const seen = new Set();
  const stack = [...outputs];
  while (stack.length > 0) {
    const name = stack.pop();
    if (seen.has(name)) continue;
    seen.add(name);
    if (name !== input) for (const i of byName.get(name).input ?? []) stack.push(i.replace(/^\^/u, '').replace(/:\d+$/u, ''));
  }
  return seen;
}

/**
 * Runs `modelJson` on one NHWC input { shape, data }; returns { name -> { shape, data } } of the
 * Identity outputs, or with `cut`, of the nodes `cut.outputs`, feeding the input as node `cut.input`.
 */
export function runReference(modelJson, weightBytes, input, cut) {
  const weights = readWeights(modelJson, weightBytes);
  const t = new Map();
  const byName = new Map(modelJson.modelTopology.node.map((n) => [n.name, n]));
  const inline = (name) => {
    const v = byName.get(name)?.attr?.value?.tensor;
    return v?.floatVal ? { shape: [], data: Float32Array.from(v.floatVal.map(Number)) } : v?.intVal ? { shape: [], data: Int32Array.from(v.intVal.map(Number)) } : undefined;
  };
  const get = (name) => t.get(name.replace(/:0$/u, '')) ?? (() => {
    const w = weights.get(name.replace(/:0$/u, ''));
    return w ? { shape: w.shape, data: w.values } : inline(name.replace(/:0$/u, ''));
  })();
  const outputs = {};
  const wanted = cut ? needed(modelJson.modelTopology.node, cut.outputs, cut.input) : null;
  for (const n of modelJson.modelTopology.node) {
    if (wanted && !wanted.has(n.name)) continue;
    const ins = (n.input ?? []).filter((i) => !i.startsWith('^'));
    if (cut && n.name === cut.input) {
      t.set(n.name, input);
      continue;
    }
    switch (n.op) {
      case 'Const':
        break;
      case 'Placeholder':
        t.set(n.name, input);
        break;
      case '_FusedConv2D':
      case 'DepthwiseConv2dNative': {
        const x = get(ins[0]);
        const f = get(ins[1]);
        const [, H, W, C] = x.shape;
        const [kh, kw] = f.shape;
        const [, sh, sw] = ints(n, 'strides');
        const depthwise = n.op === 'DepthwiseConv2dNative';
        const M = depthwise ? f.shape[3] : 0;
        const O = depthwise ? C * M : f.shape[3];
        const ph = padding(str(n, 'padding'), H, kh, sh);
        const pw = padding(str(n, 'padding'), W, kw, sw);
        const out = new Float32Array(ph.out * pw.out * O);
        const bias = n.op === '_FusedConv2D' ? get(ins[2]).data : null;
        const relu = n.op === '_FusedConv2D' && (n.attr.fused_ops.list.s ?? []).map((s) => Buffer.from(s, 'base64').toString()).includes('Relu');
        for (let oy = 0; oy < ph.out; oy++) {
          for (let ox = 0; ox < pw.out; ox++) {
            for (let o = 0; o < O; o++) {
              let sum = bias ? bias[o] : 0;
              for (let ky = 0; ky < kh; ky++) {
                const iy = oy * sh + ky - ph.before;
                if (iy < 0 || iy >= H) continue;
                for (let kx = 0; kx < kw; kx++) {
                  const ix = ox * sw + kx - pw.before;
                  if (ix < 0 || ix >= W) continue;
                  if (depthwise) {
                    const c = Math.floor(o / M);
                    sum += x.data[(iy * W + ix) * C + c] * f.data[((ky * kw + kx) * C + c) * M + (o % M)];
                  } else {
                    for (let c = 0; c < C; c++) sum += x.data[(iy * W + ix) * C + c] * f.data[((ky * kw + kx) * C + c) * O + o];
                  }
                }
              }
              out[(oy * pw.out + ox) * O + o] = relu ? Math.max(0, sum) : sum;
            }
          }
        }
        t.set(n.name, { shape: [1, ph.out, pw.out, O], data: out });
        break;
      }
      case 'AddV2': {
        const a = get(ins[0]);
        const b = get(ins[1]);
        const big = a.data.length >= b.data.length ? a : b;
        const small = big === a ? b : a;
        t.set(n.name, { shape: big.shape, data: big.data.map((v, i) => v + small.data[i % small.data.length]) });
        break;
      }
      case 'Relu': {
        const a = get(ins[0]);
        t.set(n.name, { shape: a.shape, data: a.data.map((v) => Math.max(0, v)) });
        break;
      }
      case 'Neg': {
        const a = get(ins[0]);
        t.set(n.name, { shape: a.shape, data: a.data.map((v) => -v) });
        break;
      }
      case 'ConcatV2': {
        // Along the last axis (channels), the only one these graphs concatenate on.
        const parts = ins.slice(0, -1).map(get);
        const [, H, W] = parts[0].shape;
        const C = parts.reduce((a, p) => a + p.shape[3], 0);
        const out = new Float32Array(H * W * C);
        for (let i = 0; i < H * W; i++) {
          let at = i * C;
          for (const p of parts) {
            const c = p.shape[3];
            out.set(p.data.subarray(i * c, (i + 1) * c), at);
            at += c;
          }
        }
        t.set(n.name, { shape: [1, H, W, C], data: out });
        break;
      }
      case 'MaxPool': {
        const x = get(ins[0]);
        const [, H, W, C] = x.shape;
        const [, kh, kw] = ints(n, 'ksize');
        const [, sh, sw] = ints(n, 'strides');
        const ph = padding(str(n, 'padding'), H, kh, sh);
        const pw = padding(str(n, 'padding'), W, kw, sw);
        const out = new Float32Array(ph.out * pw.out * C).fill(-Infinity);
        for (let oy = 0; oy < ph.out; oy++)
          for (let ox = 0; ox < pw.out; ox++)
            for (let ky = 0; ky < kh; ky++)
              for (let kx = 0; kx < kw; kx++) {
                const iy = oy * sh + ky - ph.before;
                const ix = ox * sw + kx - pw.before;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                for (let c = 0; c < C; c++) out[(oy * pw.out + ox) * C + c] = Math.max(out[(oy * pw.out + ox) * C + c], x.data[(iy * W + ix) * C + c]);
              }
        t.set(n.name, { shape: [1, ph.out, pw.out, C], data: out });
        break;
      }
      case 'Pad': {
        const x = get(ins[0]);
        const p = get(ins[1]).data;
        const [, H, W, C] = x.shape;
        const [H2, W2, C2] = [H + p[2] + p[3], W + p[4] + p[5], C + p[6] + p[7]];
        const out = new Float32Array(H2 * W2 * C2);
        for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) for (let c = 0; c < C; c++) out[((y + p[2]) * W2 + xx + p[4]) * C2 + c + p[6]] = x.data[(y * W + xx) * C + c];
        t.set(n.name, { shape: [1, H2, W2, C2], data: out });
        break;
      }
      case 'Reshape': {
        const x = get(ins[0]);
        const shape = [...get(ins[1]).data];
        const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
        t.set(n.name, { shape: shape.map((d) => (d === -1 ? x.data.length / known : d)), data: x.data });
        break;
      }
      case 'Mean': {
        const x = get(ins[0]);
        const [, H, W, C] = x.shape;
        const out = new Float32Array(C);
        for (let i = 0; i < H * W; i++) for (let c = 0; c < C; c++) out[c] += x.data[i * C + c] / (H * W);
        t.set(n.name, { shape: [1, C], data: out });
        break;
      }
      case 'Softmax': {
        const x = get(ins[0]);
        const max = Math.max(...x.data);
        const e = x.data.map((v) => Math.exp(v - max));
        const sum = e.reduce((a, b) => a + b, 0);
        t.set(n.name, { shape: x.shape, data: e.map((v) => v / sum) });
        break;
      }
      case 'Identity':
        outputs[n.name] = get(ins[0]);
        t.set(n.name, outputs[n.name]);
        break;
      default:
        throw new Error(`reference: op ${n.op} not implemented`);
    }
  }
  if (cut) for (const name of cut.outputs) outputs[name] = t.get(name);
  return outputs;
}
