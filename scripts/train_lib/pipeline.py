"""The whole training run: data -> lexicon -> normalisation -> SentencePiece -> classifier -> artefacts."""

import json
import os
import random
import time

from . import augment, config, data, fingerprint, normalize, resources


def log(msg):
    print(msg, flush=True)


def build_lexicon(examples, norm_texts, domain_terms, dict_words, acor_wrong):
    """Training words the corrector may correct TO: dictionary words of 4+ letters seen in a non-typo
    example and not a known misspelling, plus every domain term. Typos never get in."""
    trusted = set()  # words of examples not marked `typo: true` (a typo can also be a dictionary word: "trouwe")
    for ex, text in zip(examples, norm_texts):
        if not ex.typo:
            trusted.update(text.split())
    words = {w for w in trusted
             if len(w) >= config.LEXICON_MIN_LEN and not w.isdigit() and w in dict_words and w not in acor_wrong}
    return sorted(words | set(domain_terms))


def encoder(sp, hyper):
    def encode(text, sample):
        if sample:
            ids = sp.encode(text, out_type=int, enable_sampling=True, alpha=hyper["spm"]["sampling_alpha"],
                            nbest_size=hyper["spm"]["sampling_nbest"])
        else:
            ids = sp.encode(text, out_type=int)
        return ids[:config.MAX_TOKENS] or [sp.unk_id()]
    return encode


def train_spm(corpus, hyper):
    import io
    import sentencepiece as spm

    s = hyper["spm"]
    buf = io.BytesIO()
    spm.set_random_generator_seed(hyper["seed"])  # the Python API's equivalent of spm_train --random_seed
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus), model_writer=buf, model_type=s["model_type"], vocab_size=s["vocab_size"],
        hard_vocab_limit=s["hard_vocab_limit"], character_coverage=s["character_coverage"],
        normalization_rule_name="identity", add_dummy_prefix=True, remove_extra_whitespaces=True,
        unk_id=0, bos_id=-1, eos_id=-1, pad_id=-1, num_threads=1,
        seed_sentencepiece_size=s["seed_sentencepiece_size"], max_sentencepiece_length=s["max_sentencepiece_length"],
        input_sentence_size=0, shuffle_input_sentence=False, minloglevel=2)
    return buf.getvalue()


def accuracy_report(examples, probs, title):
    import numpy as np

    targets = np.array([ex.targets() for ex in examples])
    lines = [title]
    subsets = [("all", np.ones(len(examples), bool)), ("typo", np.array([ex.typo for ex in examples])),
               ("en", np.array([ex.lang == "en" for ex in examples]))]
    for name, sel in subsets:
        if not sel.any():
            continue
        asked = targets[:, 0] == config.PRODUCT_QUESTION
        cols, right = [], []
        for k, h in enumerate(config.HEADS):
            scored = sel & asked if config.product_question_only(h) else sel
            hit = probs[k].argmax(1) == targets[:, k]
            cols.append(f"{h} {100 * hit[scored].mean():5.1f}%")
            right.append(hit | ~scored)
        full = np.all(right, axis=0)[sel]
        lines.append(f"  {name:4s} (n={int(sel.sum()):4d}): " + "  ".join(cols)
                     + f"  | all heads {100 * full.mean():5.1f}%")
    return "\n".join(lines)


_JOB = None


def _run_job(arg):
    return _JOB(arg)


def parallel_map(fn, args):
    """fn over args, each call in a fresh forked process, up to one per CPU. Fresh matters: SentencePiece's
    sampling generator is seeded once per process and cannot be re-seeded, so a call must never inherit another
    call's generator; this makes the result independent of the number of CPUs. fn is inherited through fork,
    so it may be a closure."""
    import multiprocessing

    global _JOB
    args = list(args)
    workers = max(1, min(len(args), os.cpu_count() or 1))
    _JOB = fn
    try:
        with multiprocessing.get_context("fork").Pool(workers, maxtasksperchild=1) as pool:
            return pool.map(_run_job, args, chunksize=1)
    finally:
        _JOB = None


def confusions(examples, probs, top=15):
    """The most frequent held-out mistakes per head, with one example each: where to write training data."""
    import collections

    lines = []
    for k, h in enumerate(config.HEADS[:3]):
        count, sample = collections.Counter(), {}
        for ex, p in zip(examples, probs[k]):
            gold = ex.targets()
            if config.product_question_only(h) and gold[0] != config.PRODUCT_QUESTION:
                continue
            want, got = config.LABELS[h][gold[k]], config.LABELS[h][int(p.argmax())]
            if want != got:
                count[(want, got)] += 1
                sample.setdefault((want, got), ex.text)
        lines.append(f"held-out {h} confusions (expected -> answered: count, e.g.):")
        lines += [f"  {a} -> {b}: {c}  e.g. {sample[(a, b)]!r}" for (a, b), c in count.most_common(top)]
    return "\n".join(lines)


def run(out_dir, gem_core, allow_invalid=False, kfold=0, hyper=None, quiet=False):
    hyper = hyper or config.HYPER
    say = (lambda m: None) if quiet else log
    t0 = time.time()
    seed = hyper["seed"]

    # Read every fingerprinted input once: the run trains on exactly the bytes its fingerprint covers.
    inputs = fingerprint.fingerprint_inputs()
    fp = fingerprint.fingerprint(hyper, inputs)
    examples, files = data.load_examples(allow_invalid=allow_invalid, snapshot=dict(inputs))
    samples = sum(ex.origin is not None for ex in examples)
    say(f"training examples: {len(examples)} ({samples} consented samples) from {len(files)} files "
        f"in content/nlu/{{{','.join(config.TRAINING_SUBDIRS)}}}")
    domain_terms = resources.read_domain_terms()
    dict_entries = resources.read_word_lists()
    acor_pairs = resources.read_acor_pairs()
    gemeenten = resources.read_gemeenten()

    # Step 1a: normalise training texts, domain terms, word lists and misspellings (no lexicon yet): one call.
    raw = [ex.text for ex in examples]
    acor_wrong_raw = sorted({w for pairs in acor_pairs.values() for w, _ in pairs})
    batch = raw + domain_terms + dict_entries + acor_wrong_raw
    out = normalize.normalize_lines(gem_core, batch)
    n, d, w = len(raw), len(domain_terms), len(dict_entries)
    norm_texts, norm_terms = out[:n], out[n:n + d]
    for term, nt in zip(domain_terms, norm_terms):
        if nt != term:
            resources.warn(f"domain term {term!r} normalises to {nt!r}: write it normalised in domain-terms.txt")
    terms = sorted({x for t in norm_terms for x in t.split()})
    dict_words = {x for line in out[n + d:n + d + w] for x in line.split()}
    acor_wrong = {x for x in out[n + d + w:]} - {""}
    lexicon = build_lexicon(examples, norm_texts, terms, dict_words, acor_wrong)
    say(f"lexicon: {len(lexicon)} words ({len(terms)} domain terms)")

    # Augmentation on raw text, then step 1b for originals and variants together (with the lexicon).
    common = {e.lower() for e in dict_entries if e == e.lower()}
    rng = random.Random(seed)
    aug = augment.Augmenter(hyper["augment"], acor_pairs, gemeenten, resources.read_gemeente_aliases(),
                            {augment.fold(c) for c in common}, rng)
    k = hyper["augment"]["variants"]
    variants_raw = [aug.variants(ex.text, ex.lang, k) for ex in examples]
    flat = raw + [v for vs in variants_raw for v in vs]
    corrected = normalize.normalize_lines(gem_core, flat, lexicon)
    orig = corrected[:n]
    variants = [corrected[n + i * k:n + (i + 1) * k] for i in range(n)]
    changed = sum(a != b for a, b in zip(norm_texts, orig))
    say(f"normalised {len(flat)} texts ({n} originals + {n * k} variants); "
        f"spelling correction changed {changed} originals  [{time.time() - t0:.1f}s]")

    # Step 3: SentencePiece on the normalised(+corrected) originals and variants, fixed order.
    corpus = [t for t in orig + [v for vs in variants for v in vs] if t]
    spm_bytes = train_spm(corpus, hyper)
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=spm_bytes)
    vocab = sp.get_piece_size()
    say(f"sentencepiece: {vocab} pieces, {len(spm_bytes)} bytes  [{time.time() - t0:.1f}s]")

    # Step 4: classifier.
    import torch

    from . import model as M

    M.seed_everything(seed)
    spm.set_random_generator_seed(seed)
    encode = encoder(sp, hyper)
    pick_rng = random.Random(seed + 1)
    p_orig = hyper["augment"]["p_original"]

    def epoch_data_for(indices):
        def epoch_data(epoch):
            seqs = []
            for i in indices:
                text = orig[i] if pick_rng.random() < p_orig else pick_rng.choice(variants[i])
                seqs.append(encode(text, sample=True))
            return seqs
        return epoch_data

    mh = hyper["model"]

    def member_seed(member):
        return seed + 7919 * member

    def new_net(member):
        return M.Net(vocab, mh["dim"], mh["conv"], mh["hidden"], mh["dropout"],
                     mh["pair_buckets"], mh["pair_dim"], M.member_pair_hash(vocab, member, member_seed(member)))

    def fit(*training_sets):
        """One ensemble per set of example indices. Members differ only in their seed (initialisation, sampling,
        augmentation order, pair hash); every generator is re-seeded per member, so all members of all sets train in
        parallel processes with the same result as one after the other."""
        members = hyper["train"]["ensemble"]

        def fit_member(job):
            indices, member = training_sets[job // members], job % members
            member_hyper = {**hyper, "seed": member_seed(member)}
            M.seed_everything(member_hyper["seed"])
            spm.set_random_generator_seed(member_hyper["seed"])
            pick_rng.seed(member_hyper["seed"] + 1)
            say(f"ensemble member {member + 1}/{members}" + (f", set {job // members + 1}" if len(training_sets) > 1 else ""))
            net = M.train(new_net(member), epoch_data_for(indices), [examples[i].targets() for i in indices], member_hyper,
                          log=say if job == 0 else (lambda m: None))  # one member's progress is enough to read
            return {k: v.numpy() for k, v in net.state_dict().items()}

        states = parallel_map(fit_member, range(len(training_sets) * members))
        nets = []
        for job, state in enumerate(states):
            net = new_net(job % members)
            net.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
            nets.append(net.eval())
        return [nets[s * members:(s + 1) * members] for s in range(len(training_sets))]

    clean = [encode(t, sample=False) for t in orig]
    if kfold > 1:
        say(f"{kfold}-fold estimate on TRAIN (lexicon and SentencePiece from all of train: slightly optimistic)")
        folds = list(range(n))
        random.Random(seed + 2).shuffle(folds)
        import numpy as np

        held, held_noisy = [None] * n, [None] * n
        tests = [sorted(folds[f::kfold]) for f in range(kfold)]
        fold_nets = fit(*[sorted(set(range(n)) - set(test)) for test in tests])
        for test, nets in zip(tests, fold_nets):
            probs = M.predict(nets, [clean[i] for i in test])
            noisy = M.predict(nets, [encode(variants[i][0], sample=False) for i in test])
            for j, i in enumerate(test):
                held[i] = [p[j] for p in probs]
                held_noisy[i] = [p[j] for p in noisy]
        for title, h in ((f"{kfold}-fold held-out accuracy (train split only):", held),
                         ("same, on one augmented variant of each held-out example:", held_noisy)):
            probs = [np.stack([x[k] for x in h]) for k in range(len(config.HEADS))]
            say(accuracy_report(examples, probs, title))
        say(confusions(examples, [np.stack([x[k] for x in held]) for k in range(len(config.HEADS))]))
        say(f"k-fold estimate done in {time.time() - t0:.1f}s (no artefacts written)")
        return examples, held  # per example, the held-out probabilities per head (scripts/calibrate-unsure)

    say(f"training classifier  [{time.time() - t0:.1f}s]")
    nets, = fit(list(range(n)))
    onnx_bytes = M.export_onnx(nets, hyper["onnx_opset"], hyper["onnx_weights"])
    probs = M.predict(nets, clean)
    report = accuracy_report(examples, probs, "training-set accuracy (clean text, deterministic tokenisation):")

    # Step 5: artefacts and metadata.
    os.makedirs(out_dir, exist_ok=True)
    import hashlib

    meta = {
        "format": 1,
        "labels": {h: list(config.LABELS[h]) for h in config.HEADS},
        "max_tokens": config.MAX_TOKENS,
        "lexicon": lexicon,
        "training": {
            "fingerprint": fp,
            "seed": seed,
            "examples": n,
            "commands": "scripts/train",
            "normalized_sha256": fingerprint.normalized_digest(orig),
            "tokenizer": {"call": "EncodeAsIds(normalized)", "unk_id": sp.unk_id(), "bos": False, "eos": False,
                          "empty_input_ids": [sp.unk_id()], "truncate_to": config.MAX_TOKENS,
                          "vocab_size": vocab, "model_pad_id": vocab},
            "inputs": resources.external_inputs(),
        },
        "artefacts": {
            config.SPM_FILE: hashlib.sha256(spm_bytes).hexdigest(),
            config.ONNX_FILE: hashlib.sha256(onnx_bytes).hexdigest(),
        },
    }
    files_out = {config.SPM_FILE: spm_bytes, config.ONNX_FILE: onnx_bytes,
                 config.META_FILE: (json.dumps(meta, ensure_ascii=False, indent=1) + "\n").encode("utf-8")}
    for name, blob in files_out.items():
        tmp = os.path.join(out_dir, f".{name}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, os.path.join(out_dir, name))
    elapsed = time.time() - t0
    say(report)
    if fingerprint.fingerprint(hyper) != fp:
        resources.warn("training data, domain terms, gazetteer or script changed during this run: "
                       "scripts/train --check will call these models stale; run scripts/train again")
    say(f"wrote {out_dir}/: " + ", ".join(f"{k} {len(v) / 1024:.0f} KB" for k, v in files_out.items())
        + f"  (total {sum(len(v) for v in files_out.values()) / 1024:.0f} KB)  in {elapsed:.1f}s")
    return {"nets": nets, "sp": sp, "encode": encode, "examples": examples, "orig": orig, "probs": probs,
            "elapsed": elapsed}
