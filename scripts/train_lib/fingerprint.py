"""Fingerprint of everything that determines the artefacts, and the `--check` verification (no torch)."""

import glob
import hashlib
import json
import os

from . import config
from .data import train_files


def _script_files():
    here = os.path.dirname(os.path.abspath(__file__))
    return [os.path.join(config.REPO, "scripts", "train")] + sorted(glob.glob(os.path.join(here, "*.py")))


def fingerprint_inputs():
    """(repo-relative path, bytes) of every input file, in a fixed order."""
    gazetteer = sorted(glob.glob(os.path.join(config.GAZETTEER_DIR, "*.tsv")))
    paths = train_files() + [config.DOMAIN_TERMS] + gazetteer + _script_files()
    out = []
    for p in paths:
        with open(p, "rb") as fh:
            out.append((os.path.relpath(p, config.REPO).replace(os.sep, "/"), fh.read()))
    return out


def fingerprint(hyper=None, inputs=None):
    """sha256 over every input file (path and bytes) and the hyperparameters. Pass `inputs` (from
    fingerprint_inputs()) to fingerprint exactly the bytes a training run read."""
    h = hashlib.sha256()
    for name, data in (fingerprint_inputs() if inputs is None else inputs):
        for part in (name.encode("utf-8"), data):
            h.update(str(len(part)).encode("ascii") + b":")
            h.update(part)
    params = json.dumps(hyper or config.HYPER, sort_keys=True, separators=(",", ":")).encode("utf-8")
    h.update(b"hyperparameters:" + str(len(params)).encode("ascii") + b":" + params)
    return h.hexdigest()


def normalized_digest(texts):
    """Digest of what gem-core made of the training texts: detects a changed normaliser or corrector."""
    return hashlib.sha256("".join(t + "\n" for t in texts).encode("utf-8")).hexdigest()


def check_normalizer(meta, gem_core):
    """Re-normalise the training texts with the committed lexicon; a problem string or None."""
    from . import data, normalize

    examples, _ = data.load_examples(allow_invalid=True, quiet=True)
    texts = normalize.normalize_lines(gem_core, [ex.text for ex in examples], meta.get("lexicon", []))
    if normalized_digest(texts) != meta.get("training", {}).get("normalized_sha256"):
        return "gem-core normalize now gives different text for the training data (normaliser or corrector changed)"
    return None


def sha256_file(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def check(models_dir, gem_core=None):
    """Problems that make the committed models stale (empty list: up to date). With `gem_core`, also verify
    that the current normaliser still produces the text the model was trained on."""
    meta_path = os.path.join(models_dir, config.META_FILE)
    if not os.path.exists(meta_path):
        return [f"{meta_path} is missing"]
    with open(meta_path, encoding="utf-8") as fh:
        meta = json.load(fh)
    problems = []
    if meta.get("format") != 1:
        problems.append(f"{config.META_FILE}: unsupported format {meta.get('format')!r}")
    labels = {h: list(config.LABELS[h]) for h in config.HEADS}
    if meta.get("labels") != labels:
        problems.append(f"{config.META_FILE}: labels differ from scripts/train_lib/config.py")
    want = meta.get("training", {}).get("fingerprint")
    have = fingerprint()
    if want != have:
        problems.append(f"training data, domain terms, gazetteer, script or hyperparameters changed "
                        f"(fingerprint {have[:12]}, models built from {str(want)[:12]})")
    for name in (config.SPM_FILE, config.ONNX_FILE):
        path = os.path.join(models_dir, name)
        recorded = meta.get("artefacts", {}).get(name)
        if not os.path.exists(path):
            problems.append(f"{path} is missing")
        elif sha256_file(path) != recorded:
            problems.append(f"{name} does not match the sha256 recorded in {config.META_FILE}")
    if gem_core and not problems:
        problem = check_normalizer(meta, gem_core)
        if problem:
            problems.append(problem)
    return problems
