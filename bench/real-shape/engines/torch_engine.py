"""PyTorch eager fp32, the original Python stack: RobertaForSequenceClassification's forward pass
written out in plain torch (no `transformers` package here), with random weights of the same
shapes. Token ids come from the controller (the JS tokenizer), so this times the model only.
The linear layers run through oneDNN (torch.utils.mkldnn): pip's PyTorch does its matrix products
with MKL, Debian's build has no MKL and its BLAS path is 2-3x slower, which would flatter us.
Speaks JSON lines on stdin/stdout:
  {"id", "cmd": "load", "shape": {...}, "threads"}  -> {"id", "ms", "torch"}
  {"id", "cmd": "run", "ids": [[...], ...]}         -> {"id", "ms"}
"""
import json
import math
import sys
import time

import torch
import torch.utils.mkldnn
from torch import nn
import torch.nn.functional as F


class Layer(nn.Module):
    def __init__(self, hidden, heads, ffn):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attn_out = nn.Linear(hidden, hidden)
        self.attn_norm = nn.LayerNorm(hidden, eps=1e-5)
        self.up = nn.Linear(hidden, ffn)
        self.down = nn.Linear(ffn, hidden)
        self.out_norm = nn.LayerNorm(hidden, eps=1e-5)

    def split(self, x):
        b, s, h = x.shape
        return x.view(b, s, self.heads, h // self.heads).transpose(1, 2)

    def forward(self, h, mask):
        q, k, v = self.split(self.query(h)), self.split(self.key(h)), self.split(self.value(h))
        scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]) + mask
        context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(h.shape)
        h = self.attn_norm(self.attn_out(context) + h)
        return self.out_norm(self.down(F.gelu(self.up(h))) + h)


class Model(nn.Module):
    def __init__(self, s):
        super().__init__()
        hidden = s["hidden"]
        self.words = nn.Embedding(s["vocab"], hidden)
        self.positions = nn.Embedding(s["positions"], hidden)
        self.token_type = nn.Parameter(torch.zeros(hidden))
        self.norm = nn.LayerNorm(hidden, eps=1e-5)
        self.layers = nn.ModuleList(Layer(hidden, s["heads"], s["ffn"]) for _ in range(s["layers"]))
        self.dense = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, s["labels"])
        # As BERT-style models are initialised: normal(0, 0.02) weights, zero biases, LayerNorm
        # gains of 1 (random gains near zero would make every activation a slow denormal).
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, ids, mask):
        positions = torch.cumsum(mask, 1) * mask + 1
        h = self.norm(self.words(ids) + self.positions(positions) + self.token_type)
        additive = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            h = layer(h, additive)
        return self.out(torch.tanh(self.dense(h[:, 0]))).softmax(-1)


model = None
for line in sys.stdin:
    msg = json.loads(line)
    try:
        if msg["cmd"] == "load":
            torch.set_num_threads(msg["threads"])
            t0 = time.perf_counter()
            model = torch.utils.mkldnn.to_mkldnn(Model(msg["shape"]).eval())
            reply = {"ms": (time.perf_counter() - t0) * 1000, "torch": torch.__version__}
        elif msg["cmd"] == "run":
            t0 = time.perf_counter()
            with torch.inference_mode():
                ids = torch.tensor(msg["ids"], dtype=torch.long)
                model(ids, torch.ones_like(ids))
            reply = {"ms": (time.perf_counter() - t0) * 1000}
        else:
            raise ValueError("unknown command " + msg["cmd"])
    except Exception as err:  # reported to the controller, which stops
        reply = {"error": repr(err)}
    reply["id"] = msg["id"]
    print(json.dumps(reply), flush=True)
