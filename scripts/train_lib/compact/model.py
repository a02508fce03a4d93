"""Training the compact model: one multinomial logistic regression per head over piece and pair counts.

Convex, so L-BFGS on the whole training set finds the same weights every run (one thread, fixed order).
Product and aspect are learnt from product questions only, as the core reads them only there.
"""

import numpy as np

from .. import config
from .features import features


def feature_bags(id_lists, hyper):
    """(flat feature indices, offsets) for torch's EmbeddingBag."""
    flat, offsets = [], []
    for ids in id_lists:
        offsets.append(len(flat))
        flat.extend(features(ids, hyper["vocab_size"], hyper["pair_buckets"], hyper["hash_seed"]))
    return np.array(flat, dtype=np.int64), np.array(offsets, dtype=np.int64)


def label_counts():
    return [len(config.LABELS[h]) for h in config.HEADS]


def fit(id_lists, targets, hyper, l2):
    """Float weights per head: list of (W [features, labels], bias [labels]) in config.HEADS order."""
    import torch

    torch.manual_seed(hyper["seed"])
    torch.set_num_threads(1)
    counts = label_counts()
    n_features = hyper["vocab_size"] + hyper["pair_buckets"]
    flat, offsets = (torch.from_numpy(a) for a in feature_bags(id_lists, hyper))
    y = torch.tensor(np.array(targets), dtype=torch.int64)
    asked = y[:, 0] == config.PRODUCT_QUESTION
    emb = torch.nn.EmbeddingBag(n_features, sum(counts), mode="sum")
    torch.nn.init.zeros_(emb.weight)
    bias = torch.nn.Parameter(torch.zeros(sum(counts)))
    params = [emb.weight, bias]
    opt = torch.optim.LBFGS(params, lr=1, max_iter=hyper["max_iter"], tolerance_grad=1e-6,
                            tolerance_change=1e-9, history_size=20, line_search_fn="strong_wolfe")
    ce = torch.nn.functional.cross_entropy

    def closure():
        opt.zero_grad()
        logits = torch.split(emb(flat, offsets) + bias, counts, dim=1)
        loss = 0
        for k, h in enumerate(config.HEADS):
            sel = asked if config.product_question_only(h) else slice(None)
            loss = loss + ce(logits[k][sel], y[sel, k])
        loss = loss + l2 * emb.weight.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    w = emb.weight.detach().numpy().astype(np.float32)
    b = bias.detach().numpy().astype(np.float32)
    out, at = [], 0
    for c in counts:
        out.append((w[:, at:at + c].copy(), b[at:at + c].copy()))
        at += c
    return out


def quantize(heads, levels):
    """int8 weights with one scale per label (column): list of (int8 W, float32 scale, float32 bias). Each weight
    is a whole number of steps between -levels and levels; fewer levels leave brotli less to store."""
    out = []
    for w, b in heads:
        scale = (np.abs(w).max(axis=0) / levels).astype(np.float32)
        scale[scale == 0] = 1.0
        q = np.clip(np.rint(w / scale), -levels, levels).astype(np.int8)
        out.append((q, scale, b.astype(np.float32)))
    return out


def softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def predict(qheads, id_lists, hyper):
    """Probabilities per head ([examples, labels] float32) with the quantised weights, as the C++ core scores."""
    out = [[] for _ in qheads]
    for ids in id_lists:
        feats = features(ids, hyper["vocab_size"], hyper["pair_buckets"], hyper["hash_seed"])
        for k, (q, scale, b) in enumerate(qheads):
            z = q[feats].astype(np.float32).sum(axis=0) * scale + b
            out[k].append(softmax(z.astype(np.float32)))
    return [np.stack(p).astype(np.float32) for p in out]


def sure_thresholds(held_probs, targets, target_accuracy, min_threshold):
    """Per head, the lowest max-probability threshold at which the held-out accuracy of the messages at or above
    it is still >= target_accuracy (product and aspect over product questions only). Never below min_threshold."""
    targets = np.array(targets)
    asked = targets[:, 0] == config.PRODUCT_QUESTION
    out = []
    for k, h in enumerate(config.HEADS):
        sel = asked if config.product_question_only(h) else np.ones(len(targets), bool)
        p = held_probs[k][sel]
        conf, right = p.max(axis=1), p.argmax(axis=1) == targets[sel, k]
        order = np.argsort(-conf, kind="stable")
        cum = np.cumsum(right[order]) / np.arange(1, len(order) + 1)
        ok = np.nonzero(cum >= target_accuracy)[0]
        t = float(conf[order][ok[-1]]) if len(ok) else 1.0
        out.append(max(min_threshold, t))
    return out


def sure_mask(probs, thresholds):
    """The core's rule (gem::CompactModel::sure): intent and language above their thresholds, and for a product
    question the product and aspect too."""
    ok = (probs[0].max(1) >= thresholds[0]) & (probs[3].max(1) >= thresholds[3])
    pq = probs[0].argmax(1) == config.PRODUCT_QUESTION
    return ok & (~pq | ((probs[1].max(1) >= thresholds[1]) & (probs[2].max(1) >= thresholds[2])))


def all_right(probs, targets):
    """Per message: every head the runtime reads is right (product and aspect only for product questions)."""
    targets = np.array(targets)
    asked = targets[:, 0] == config.PRODUCT_QUESTION
    right = np.ones(len(targets), bool)
    for k, h in enumerate(config.HEADS):
        hit = probs[k].argmax(1) == targets[:, k]
        right &= hit | (~asked if config.product_question_only(h) else False)
    return right
