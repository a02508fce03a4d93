"""The compact tier's run: training split -> the core's own ids -> k-fold thresholds -> weights -> artefact.

Reads only content/nlu/train (never dev or external). Ids come from `gem-core analyse --models DIR`, the C++
core's own normalisation, spelling correction (the lexicon of DIR/gem-nlu.json) and SentencePiece (DIR/gem.spm):
exactly the ids the browser gives the model.
"""

import glob
import hashlib
import json
import os
import random
import subprocess

import numpy as np

from .. import config, data
from . import artefact
from . import model as M

BIN_FILE = "gem-compact.bin"
PARITY_FIXTURE = os.path.join(config.REPO, "tests", "fixtures", "compact-parity.json")

# Everything that changes the artefact besides the input files. Part of the fingerprint.
HYPER = {
    "seed": 20261202,
    "pair_buckets": 4096,
    "hash_seed": 0x6A656D31,
    # L2 on the weights (summed squares, added to the mean cross-entropy per head). Chosen by
    # `scripts/train-compact --kfold-l2` (5-fold on the TRAINING split), held-out intent / product / aspect:
    # 1e-4: 90.2 / 89.2 / 83.0, 1e-5: 91.2 / 90.0 / 84.1, 3e-6: 91.4 / 90.3 / 84.0, 1e-6: 91.5 / 90.5 / 84.0
    # (a plateau below 1e-5; 3e-6 keeps the weights a little smaller).
    "l2": 3e-6,
    "max_iter": 300,
    # Steps each side of zero in a weight's int8 value (the scale per label is the largest weight / levels).
    # 5-fold held-out on the TRAINING split (2026-12-06), sure share / all heads right where sure / brotli of the
    # file: 127: 47.0% / 94.4% / 124,084 B; 63: 47.2% / 94.3% / 95,476 B; 31: 46.9% / 94.5% / 69,977 B;
    # 15: 43.8% / 94.5% / 46,237 B. 31 is the fewest that keep the share.
    "levels": 31,
    # "Sure" thresholds: per head the lowest max-probability at which the k-fold held-out accuracy of the
    # messages at or above it is >= target_accuracy (training split only).
    "kfold": 5,
    "target_accuracy": 0.97,
    "min_threshold": 0.5,
}

# Sentences for the C++ parity test (written with their ids and scores next to the artefact). Made up here,
# in no split.
PARITY_SENTENCES = ["wat kost een paspoort", "hoi", "ik ben mijn rijbewijs kwijt", "how do I renew my passport",
                    "wanneer wordt het grofvuil opgehaald in utrecht", "bedankt!", "🙂", "xqzv"]


def log(msg):
    print(msg, flush=True)


def script_files():
    here = os.path.dirname(os.path.abspath(__file__))
    lib = os.path.dirname(here)
    return ([os.path.join(config.REPO, "scripts", "train-compact")] + sorted(glob.glob(os.path.join(here, "*.py")))
            + [os.path.join(lib, "data.py"), os.path.join(lib, "config.py")])


def fingerprint_inputs(models_dir):
    """(name, bytes) of every input, in a fixed order; the model files by their name under models/."""
    gazetteer = sorted(glob.glob(os.path.join(config.GAZETTEER_DIR, "*.tsv")))
    out = []
    for p in data.train_files() + gazetteer + script_files():
        with open(p, "rb") as fh:
            out.append((os.path.relpath(p, config.REPO).replace(os.sep, "/"), fh.read()))
    for name in (config.SPM_FILE, config.META_FILE):
        with open(os.path.join(models_dir, name), "rb") as fh:
            out.append(("models/" + name, fh.read()))
    return out


def fingerprint(inputs, hyper=HYPER):
    h = hashlib.sha256()
    for name, blob in inputs:
        for part in (name.encode("utf-8"), blob):
            h.update(str(len(part)).encode("ascii") + b":" + part)
    h.update(json.dumps(hyper, sort_keys=True).encode("utf-8"))
    return h.hexdigest()


def core_ids(gem_core, models_dir, texts):
    """SentencePiece ids of each text from `gem-core analyse`: one process for all texts."""
    lines = "".join(" ".join(t.splitlines()) + "\n" for t in texts).encode("utf-8")
    args = [gem_core, "analyse", "--models", models_dir, "--gazetteer", config.GAZETTEER_DIR]
    proc = subprocess.run(args, input=lines, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"`{' '.join(args)}` failed ({proc.returncode}): {proc.stderr.decode('utf-8', 'replace')}")
    out = [json.loads(x)["ids"] for x in proc.stdout.decode("utf-8").splitlines()]
    if len(out) != len(texts):
        raise RuntimeError(f"`{' '.join(args)}` returned {len(out)} analyses for {len(texts)} texts")
    return out


def vocab_size(models_dir):
    import sentencepiece as spm

    return spm.SentencePieceProcessor(model_file=os.path.join(models_dir, config.SPM_FILE)).get_piece_size()


def folds(n, k, seed):
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [sorted(order[f::k]) for f in range(k)]


def held_out(ids, targets, hyper, k, l2):
    """Probabilities of each training example from the model of the folds it is not in."""
    probs = [np.zeros((len(ids), c), np.float32) for c in M.label_counts()]
    for test in folds(len(ids), k, hyper["seed"]):
        train = sorted(set(range(len(ids))) - set(test))
        q = M.quantize(M.fit([ids[i] for i in train], [targets[i] for i in train], hyper, l2), hyper["levels"])
        for head, p in zip(probs, M.predict(q, [ids[i] for i in test], hyper)):
            head[test] = p
    return probs


def report(probs, targets, thresholds=None):
    t = np.array(targets)
    asked = t[:, 0] == config.PRODUCT_QUESTION
    cols = []
    for k, h in enumerate(config.HEADS):
        sel = asked if config.product_question_only(h) else np.ones(len(t), bool)
        cols.append(f"{h} {100 * (probs[k].argmax(1) == t[:, k])[sel].mean():5.1f}%")
    line = "  ".join(cols)
    if thresholds is not None:
        sure, right = M.sure_mask(probs, thresholds), M.all_right(probs, targets)
        line += (f"  | sure {100 * sure.mean():5.1f}% of messages, all heads right on those "
                 f"{100 * right[sure].mean():5.1f}% (all heads right overall {100 * right.mean():5.1f}%)")
    return line


def prepare(models_dir, gem_core, hyper):
    inputs = fingerprint_inputs(models_dir)
    examples, _ = data.load_examples(snapshot=dict(inputs), quiet=True)
    hyper = {**hyper, "vocab_size": vocab_size(models_dir)}
    ids = core_ids(gem_core, models_dir, [ex.text for ex in examples])
    return inputs, examples, hyper, ids


def choose_l2(models_dir, gem_core, values, k):
    """Print the k-fold held-out accuracy per L2 value (training split only); writes nothing."""
    _, examples, hyper, ids = prepare(models_dir, gem_core, HYPER)
    targets = [ex.targets() for ex in examples]
    for l2 in values:
        log(f"l2 {l2:g}: " + report(held_out(ids, targets, hyper, k, l2), targets))


def run(models_dir, gem_core):
    inputs, examples, hyper, ids = prepare(models_dir, gem_core, HYPER)
    fp = fingerprint(inputs)
    targets = [ex.targets() for ex in examples]
    log(f"compact: {len(examples)} training examples, {hyper['vocab_size']} pieces + {hyper['pair_buckets']} pair buckets")
    probs = held_out(ids, targets, hyper, hyper["kfold"], hyper["l2"])
    thresholds = M.sure_thresholds(probs, targets, hyper["target_accuracy"], hyper["min_threshold"])
    log(f"{hyper['kfold']}-fold held-out (train split): " + report(probs, targets, thresholds))
    log("sure thresholds: " + "  ".join(f"{h} {t:.3f}" for h, t in zip(config.HEADS, thresholds)))

    q = M.quantize(M.fit(ids, targets, hyper, hyper["l2"]), hyper["levels"])
    blob = artefact.write(q, hyper, config.PRODUCT_QUESTION, thresholds, fp)
    path = os.path.join(models_dir, BIN_FILE)
    with open(path + ".tmp", "wb") as fh:
        fh.write(blob)
    os.replace(path + ".tmp", path)

    parity_ids = core_ids(gem_core, models_dir, PARITY_SENTENCES)
    parity = M.predict(q, parity_ids, hyper)
    sure = M.sure_mask(parity, thresholds)
    fixture = {"model_sha256": hashlib.sha256(blob).hexdigest(),
               "examples": [{"text": t, "ids": i, "scores": [p[j].tolist() for p in parity], "sure": bool(sure[j])}
                            for j, (t, i) in enumerate(zip(PARITY_SENTENCES, parity_ids))]}
    if os.path.abspath(models_dir) == os.path.abspath(config.MODELS_DIR):
        examples = ",\n  ".join(json.dumps(ex, ensure_ascii=False) for ex in fixture["examples"])
        with open(PARITY_FIXTURE, "w", encoding="utf-8") as fh:
            fh.write(f'{{"model_sha256": "{fixture["model_sha256"]}",\n "examples": [\n  {examples}\n ]}}\n')
    log(f"wrote {path} ({len(blob) / 1024:.0f} KB)")
    return 0


def check(models_dir):
    """Problems that make models_dir/gem-compact.bin stale (empty: up to date)."""
    path = os.path.join(models_dir, BIN_FILE)
    if not os.path.exists(path):
        return [f"{path} is missing"]
    with open(path, "rb") as fh:
        blob = fh.read()
    header = artefact.read_header(blob)
    if header is None:
        return [f"{path}: not a compact model of format {artefact.FORMAT}"]
    problems = []
    if header["fingerprint"] != fingerprint(fingerprint_inputs(models_dir)):
        problems.append(f"{BIN_FILE}: training data, gazetteer, gem.spm, gem-nlu.json, script or hyperparameters "
                        "changed since it was written")
    if os.path.abspath(models_dir) == os.path.abspath(config.MODELS_DIR):
        try:
            with open(PARITY_FIXTURE, encoding="utf-8") as fh:
                recorded = json.load(fh).get("model_sha256")
        except (OSError, ValueError) as e:
            recorded = f"unreadable ({e})"
        if recorded != hashlib.sha256(blob).hexdigest():
            problems.append(f"{os.path.relpath(PARITY_FIXTURE, config.REPO)} was not written with {BIN_FILE}")
    return problems
