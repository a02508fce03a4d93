"""Loading and validating content/nlu/train/*.yml and content/nlu/samples/*.yml (format: content/nlu/README.md).

Only what trains is ever read here (the training split and the exported consented samples); the dev and external
splits are measured elsewhere, and tests/node/nlu-data.test.js keeps them apart.
"""

import glob
import os
import sys
from dataclasses import dataclass
from typing import Optional

from . import config


@dataclass
class Example:
    text: str
    intent: str
    product: Optional[str]
    aspect: Optional[str]
    lang: str
    typo: bool
    source: str  # file name, for messages
    origin: Optional[str] = None  # where a sample came from ("sample:<id>"); None for written examples

    def targets(self):
        return (config.INTENTS.index(self.intent), config.PRODUCTS.index(self.product),
                config.ASPECTS.index(self.aspect), config.LANGS.index(self.lang))


class DataError(Exception):
    pass


def train_files(nlu_dir=None):
    """The files that train, in a fixed order: content/nlu/train/*.yml, then content/nlu/samples/*.yml when
    present (each folder sorted); never the dev or external split."""
    nlu_dir = nlu_dir or config.NLU_DIR
    files = []
    for sub in config.TRAINING_SUBDIRS:
        files += sorted(glob.glob(os.path.join(nlu_dir, sub, "*.yml")))
    for f in files:
        assert os.path.basename(os.path.dirname(f)) in config.TRAINING_SUBDIRS, f
    return files


def _parse_file(path, problems, warn, snapshot):
    import yaml

    name = "/".join([os.path.basename(os.path.dirname(path)), os.path.basename(path)])  # train/x.yml, samples/x.yml
    try:
        if snapshot is not None:
            raw = snapshot[os.path.relpath(path, config.REPO).replace(os.sep, "/")]
        else:
            with open(path, "rb") as fh:
                raw = fh.read()
        doc = yaml.safe_load(raw.decode("utf-8"))
    except Exception as e:  # partial file being written, bad YAML, bad UTF-8
        problems.append(f"{name}: cannot parse ({str(e).splitlines()[0]})")
        return []
    if not isinstance(doc, dict):
        problems.append(f"{name}: not a mapping with `product:`/`intent:` and `examples:`")
        return []
    has_p, has_i = "product" in doc, "intent" in doc
    if has_p == has_i:
        problems.append(f"{name}: needs exactly one of `product:` or `intent:`")
        return []
    if has_p:
        intent, product = "product_vraag", doc["product"]
        if product not in config.PRODUCTS or product is None:
            problems.append(f"{name}: unknown product {product!r}")
            return []
    else:
        intent, product = doc["intent"], None
        if intent not in config.INTENTS:
            problems.append(f"{name}: unknown intent {intent!r}")
            return []
    stem = os.path.splitext(os.path.basename(path))[0]
    if stem != (product or intent):
        warn(f"{name} holds {product or intent}; expected file name {(product or intent)}.yml")
    examples = doc.get("examples")
    if not isinstance(examples, list):
        problems.append(f"{name}: `examples:` must be a list")
        return []
    out = []
    for k, ex in enumerate(examples):
        where = f"{name} example {k + 1}"
        if not isinstance(ex, dict) or not isinstance(ex.get("text"), str) or not ex["text"].strip():
            problems.append(f"{where}: needs a non-empty `text`")
            continue
        unknown = set(ex) - {"text", "aspect", "lang", "typo", "origin"}
        if unknown:
            problems.append(f"{where}: unknown key(s) {sorted(unknown)}")
            continue
        aspect = ex.get("aspect")
        if aspect is not None and (aspect not in config.ASPECTS):
            problems.append(f"{where}: unknown aspect {aspect!r}")
            continue
        if aspect is not None and intent != "product_vraag":
            problems.append(f"{where}: general intents carry no aspect")
            continue
        lang = ex.get("lang", "nl")
        if lang not in config.LANGS:
            problems.append(f"{where}: unknown lang {lang!r}")
            continue
        typo = ex.get("typo", False)
        if typo not in (True, False):
            problems.append(f"{where}: `typo` must be true or false")
            continue
        origin = ex.get("origin")
        if origin is not None and (not isinstance(origin, str) or not origin.strip()):
            problems.append(f"{where}: `origin` must be a non-empty string")
            continue
        out.append(Example(ex["text"].strip(), intent, product, aspect, lang, bool(typo), name, origin))
    if not out:
        problems.append(f"{name}: no usable examples")
    return out


def load_examples(allow_invalid=False, quiet=False, snapshot=None, nlu_dir=None):
    """Examples that train (see train_files). `snapshot` ({repo-relative path: bytes}, from the fingerprint
    inputs) makes the run parse exactly the bytes it fingerprints, even while others are editing the files."""
    def warn(msg):
        if not quiet:
            print(f"warning: {msg}", file=sys.stderr)

    files = train_files(nlu_dir)
    if snapshot is not None:  # in train_files' order (the fingerprint inputs keep it)
        prefixes = tuple(os.path.relpath(os.path.join(config.NLU_DIR, sub), config.REPO).replace(os.sep, "/") + "/"
                         for sub in config.TRAINING_SUBDIRS)
        files = [os.path.join(config.REPO, p) for p in snapshot if p.startswith(prefixes) and p.endswith(".yml")]
    if not files:
        raise DataError(f"no training files in {config.TRAIN_DIR}")
    problems, examples = [], []
    for f in files:
        examples.extend(_parse_file(f, problems, warn, snapshot))
    if problems:
        msg = "\n  ".join(problems)
        if not allow_invalid:
            raise DataError(f"invalid training data (fix it, or pass --allow-invalid to skip):\n  {msg}")
        warn(f"skipping invalid training data:\n  {msg}")

    # Same text with different labels confuses the model: report it (keep the first one).
    seen, unique = {}, []
    for ex in examples:
        key = ex.text.lower()
        if key in seen:
            prev = seen[key]
            if prev.targets() != ex.targets():
                warn(f"{ex.text!r} in {ex.source} conflicts with {prev.source}; keeping the first")
            continue
        seen[key] = ex
        unique.append(ex)

    have = {ex.product or ex.intent for ex in unique}
    missing = [lbl for lbl in config.INTENTS if lbl != "product_vraag" and lbl not in have]
    missing += [p for p in config.PRODUCTS[1:] if p not in have]
    if missing:
        warn(f"no training examples yet for: {' '.join(missing)}")
    return unique, files
