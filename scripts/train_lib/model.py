"""The classifier: SentencePiece ids -> embeddings of pieces and of hashed piece pairs -> mean+max pooling ->
4 softmax heads. Pairs ("hoe lang", "wat kost") carry what a bag of pieces loses: the aspect of a question is
mostly in word order. The pairs are hashed inside the graph, so the runtime still sends only piece ids; each member
of the ensemble hashes them its own way (member_pair_hash)."""

import io
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import config


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed % (2 ** 32))
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)


class Net(nn.Module):
    """Returns logits per head. Id `vocab_size` is padding (masked out); the runtime never sends it."""

    def __init__(self, vocab_size, dim, conv, hidden, dropout, pair_buckets=0, pair_dim=0, pair_hash=None):
        super().__init__()
        self.pad_id = vocab_size
        # The pair hash's two multipliers (member_pair_hash): constants in the exported graph.
        self.pair_hash = pair_hash or (vocab_size + 2, 1)
        self.emb = nn.Embedding(vocab_size + 1, dim, padding_idx=vocab_size)
        self.conv = nn.Conv1d(dim, dim, 3, padding=1) if conv else None
        feat = 2 * dim * (2 if conv else 1)
        self.pair_buckets = pair_buckets
        if pair_buckets:
            self.pair_emb = nn.Embedding(pair_buckets, pair_dim)
            feat += 2 * pair_dim
        self.drop = nn.Dropout(dropout)
        self.hidden = nn.Linear(feat, hidden)
        self.heads = nn.ModuleList([nn.Linear(hidden, len(config.LABELS[h])) for h in config.HEADS])

    @staticmethod
    def _pool(x, mask, count):
        mean = (x * mask).sum(dim=1) / count
        mx = (x + (mask - 1.0) * 1e4).max(dim=1).values
        return [mean, mx]

    def _pairs(self, ids):
        """Pairs of neighbouring ids, with a start mark before the first and the end (pad id) after the last,
        so a one-piece message still has two pairs. A pair starting on padding is masked out."""
        start = torch.full_like(ids[:, :1], self.pad_id + 1)
        end = torch.full_like(ids[:, :1], self.pad_id)
        ext = torch.cat([start, ids, end], dim=1)
        first, second = ext[:, :-1], ext[:, 1:]
        key = torch.remainder(first * self.pair_hash[0] + second * self.pair_hash[1], self.pair_buckets)
        mask = (first != self.pad_id).unsqueeze(-1).to(torch.float32)
        return self._pool(self.pair_emb(key), mask, mask.sum(dim=1))

    def forward(self, ids):
        mask = (ids != self.pad_id).unsqueeze(-1).to(torch.float32)  # [B, T, 1]
        count = mask.sum(dim=1).clamp(min=1.0)
        x = self.emb(ids)  # padding rows are zero, like the conv's own zero padding
        feats = self._pool(x, mask, count)
        if self.pair_buckets:
            feats += self._pairs(ids)
        if self.conv is not None:
            c = F.relu(self.conv(x.transpose(1, 2))).transpose(1, 2)
            feats += self._pool(c, mask, count)
        h = F.relu(self.hidden(self.drop(torch.cat(feats, dim=-1))))
        h = self.drop(h)
        return [head(h) for head in self.heads]


def member_pair_hash(vocab_size, member, member_seed):
    """Each ensemble member hashes piece pairs its own way, so that pairs sharing a bucket in one member do not in
    the others, and the average smooths the collisions out. Member 0 keeps the plain hash (first * (V + 2) +
    second); the others take odd multipliers drawn from their seed."""
    if member == 0:
        return (vocab_size + 2, 1)
    rng = random.Random(member_seed)
    return (rng.randrange(1001, 99999, 2), rng.randrange(1, 9999, 2))


class Exported(nn.Module):
    """What goes into the ONNX file: probabilities (softmax inside), averaged over the ensemble's members."""

    def __init__(self, nets):
        super().__init__()
        self.nets = nn.ModuleList(nets)

    def forward(self, ids):
        members = [[F.softmax(z, dim=-1) for z in net(ids)] for net in self.nets]
        return tuple(torch.stack([m[k] for m in members]).mean(dim=0) for k in range(len(config.HEADS)))


def pad_batch(seqs, pad_id):
    n = max(len(s) for s in seqs)
    out = torch.full((len(seqs), n), pad_id, dtype=torch.int64)
    for i, s in enumerate(seqs):
        out[i, :len(s)] = torch.tensor(s, dtype=torch.int64)
    return out


def head_loss(k, logits, y):
    """Other intents do not train the product-question heads: they would pull them towards "none" for reasons
    that never matter at runtime."""
    if not config.product_question_only(config.HEADS[k]):
        return F.cross_entropy(logits, y[:, k])
    asked = (y[:, 0] == config.PRODUCT_QUESTION).to(torch.float32)
    return (F.cross_entropy(logits, y[:, k], reduction="none") * asked).sum() / asked.sum().clamp(min=1.0)


def train(net, epoch_data, targets, hyper, log=print):
    """`epoch_data(epoch)` returns the id sequences for that epoch (augmented, sampled), aligned with targets."""
    th = hyper["train"]
    unk_p = hyper["model"]["token_dropout"]
    gen = torch.Generator().manual_seed(hyper["seed"])
    opt = torch.optim.AdamW(net.parameters(), lr=th["lr"], weight_decay=th["weight_decay"])
    n = len(targets)
    steps = th["epochs"] * ((n + th["batch_size"] - 1) // th["batch_size"])
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=th["lr"], total_steps=steps, pct_start=0.1,
                                                anneal_strategy="linear")
    y_all = torch.tensor(targets, dtype=torch.int64)
    weights = [th["head_weights"][h] for h in config.HEADS]
    for epoch in range(th["epochs"]):
        net.train()
        seqs = epoch_data(epoch)
        order = torch.randperm(n, generator=gen).tolist()
        total = 0.0
        for b in range(0, n, th["batch_size"]):
            idx = order[b:b + th["batch_size"]]
            ids = pad_batch([seqs[i] for i in idx], net.pad_id)
            if unk_p > 0:
                drop = (torch.rand(ids.shape, generator=gen) < unk_p) & (ids != net.pad_id)
                ids = ids.masked_fill(drop, 0)
            y = y_all[idx]
            logits = net(ids)
            loss = sum(w * head_loss(k, z, y) for k, (w, z) in enumerate(zip(weights, logits)))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        if epoch == 0 or (epoch + 1) % 5 == 0 or epoch + 1 == th["epochs"]:
            log(f"  epoch {epoch + 1:3d}/{th['epochs']}  loss {total / n:.4f}")
    net.eval()
    return net


@torch.no_grad()
def predict(nets, seqs, batch=256):
    exported = Exported(nets).eval()
    outs = [[] for _ in config.HEADS]
    for b in range(0, len(seqs), batch):
        probs = exported(pad_batch(seqs[b:b + batch], nets[0].pad_id))
        for k, p in enumerate(probs):
            outs[k].append(p)
    return [torch.cat(o).numpy() for o in outs]


def store_compact(model, weights):
    """Store float weight matrices compactly, each followed by nodes that restore float32 weights: "float16"
    halves the download, "int8" (one float16 scale per row, symmetric) quarters it. ONNX Runtime folds these nodes
    once when the session loads, so inference still runs in float32 at the same speed."""
    import onnx
    from onnx import helper, numpy_helper

    if weights not in ("float16", "int8"):
        raise ValueError(f"onnx_weights: expected float32, float16 or int8, got {weights!r}")
    restore = []
    for init in list(model.graph.initializer):  # a snapshot: int8 appends scales
        if init.data_type != onnx.TensorProto.FLOAT or len(init.dims) != 2:
            continue  # biases and scalars are a few hundred bytes: not worth a node each
        name, w = init.name, numpy_helper.to_array(init)
        if weights == "float16":
            init.CopyFrom(numpy_helper.from_array(w.astype(np.float16), name + "_f16"))
            restore.append(helper.make_node("Cast", [name + "_f16"], [name], to=onnx.TensorProto.FLOAT))
        else:
            # The scales are stored as float16 (as float32 they alone were about 97 KB brotli, as float16 40 KB), and
            # the weights are rounded against the float16 scale the runtime will multiply by.
            scale = np.abs(w).max(axis=1, keepdims=True) / 127.0
            scale[scale == 0] = 1.0
            scale16 = scale.astype(np.float16)
            if not np.all(np.isfinite(scale16)) or np.any(scale16 < np.finfo(np.float16).tiny):
                raise ValueError(f"{name}: a row scale is outside float16's normal range")
            q = np.clip(np.rint(w / scale16.astype(np.float32)), -127, 127).astype(np.int8)
            init.CopyFrom(numpy_helper.from_array(q, name + "_q"))
            model.graph.initializer.append(numpy_helper.from_array(scale16, name + "_scale16"))
            restore.append(helper.make_node("Cast", [name + "_q"], [name + "_deq"], to=onnx.TensorProto.FLOAT))
            restore.append(helper.make_node("Cast", [name + "_scale16"], [name + "_scale"], to=onnx.TensorProto.FLOAT))
            restore.append(helper.make_node("Mul", [name + "_deq", name + "_scale"], [name]))
    nodes = restore + list(model.graph.node)
    del model.graph.node[:]
    model.graph.node.extend(nodes)


def export_onnx(nets, opset, weights="float32"):
    """Serialised ONNX bytes; byte-identical for identical weights."""
    import onnx

    buf = io.BytesIO()
    dummy = torch.zeros((1, 5), dtype=torch.int64)
    torch.onnx.export(
        Exported(nets).eval(), (dummy,), buf, opset_version=opset, input_names=["ids"], output_names=list(config.HEADS),
        dynamic_axes={"ids": {0: "batch", 1: "tokens"}, **{h: {0: "batch"} for h in config.HEADS}},
        do_constant_folding=True, export_params=True)
    model = onnx.load_from_string(buf.getvalue())
    if weights != "float32":
        store_compact(model, weights)
    model.producer_name = "gem scripts/train"
    model.producer_version = "1"
    model.doc_string = ""
    for node in model.graph.node:
        node.doc_string = ""
    onnx.checker.check_model(model)
    return model.SerializeToString(deterministic=True)
