"""Baseline peers for scripts/bench: TF-IDF character n-grams + LinearSVC (scikit-learn) and fastText.

Fair setup, the same for both: one classifier per head (intent on every example, product on the examples
that name a product, aspect on those that name an aspect), trained on the same training split as Gem.
Prints one JSON object: predictions for the dev texts (and, with --also, for a second evaluation file) and, with
--repeat, per-message latency runs.

Usage: python_peers.py {svm,fasttext} TRAIN.jsonl DEV.jsonl [--also EXTERNAL.jsonl] [--repeat N] [--warmup N]
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

HEADS = ("intent", "product", "aspect")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def normalise(text):
    # Lower case and one line: the only preprocessing either peer gets (fastText needs one example per line).
    return " ".join(text.lower().split())


class SvmPeer:
    """One character n-gram vectoriser shared by the heads (a message is vectorised once), a LinearSVC per head."""

    def __init__(self, train):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        self.vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1)
        self.vectoriser.fit([normalise(r["text"]) for r in train])
        self.models = {}
        for head in HEADS:
            rows = [r for r in train if r.get(head) is not None]
            model = LinearSVC(C=1.0, random_state=0)
            model.fit(self.vectoriser.transform([normalise(r["text"]) for r in rows]), [r[head] for r in rows])
            self.models[head] = model

    def predict(self, text):
        features = self.vectoriser.transform([normalise(text)])
        return {head: str(model.predict(features)[0]) for head, model in self.models.items()}


class FastTextPeer:
    """fastText supervised models, one per head, with subword n-grams (minn/maxn) for typo tolerance."""

    def __init__(self, train):
        import fasttext

        self.models = {}
        with tempfile.TemporaryDirectory() as tmp:
            for head in HEADS:
                path = os.path.join(tmp, f"{head}.txt")
                with open(path, "w", encoding="utf-8") as f:
                    for r in train:
                        if r.get(head) is not None:
                            f.write(f"__label__{r[head]} {normalise(r['text'])}\n")
                self.models[head] = fasttext.train_supervised(
                    input=path, epoch=50, lr=0.5, wordNgrams=2, minn=2, maxn=5, dim=50, loss="softmax",
                    thread=1, seed=0, verbose=0)

    def predict(self, text):
        line = normalise(text)
        return {head: model.predict(line)[0][0].removeprefix("__label__") for head, model in self.models.items()}


def latency_run(peer, texts, warmup):
    for text in texts[:warmup]:
        peer.predict(text)
    times = []
    for text in texts:
        start = time.perf_counter()
        peer.predict(text)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"median_ms": statistics.median(times), "p95_ms": times[min(len(times) - 1, int(0.95 * len(times)))],
            "messages": len(times)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("system", choices=["svm", "fasttext"])
    parser.add_argument("train")
    parser.add_argument("dev")
    parser.add_argument("--also", help="a second evaluation file: its predictions go to \"also\"")
    parser.add_argument("--repeat", type=int, default=0, help="latency runs over the dev texts (0: none)")
    parser.add_argument("--warmup", type=int, default=100)
    args = parser.parse_args()

    train, dev = read_jsonl(args.train), read_jsonl(args.dev)
    start = time.perf_counter()
    peer = (SvmPeer if args.system == "svm" else FastTextPeer)(train)
    result = {"system": args.system, "train_seconds": time.perf_counter() - start,
              "predictions": [peer.predict(r["text"]) for r in dev]}
    if args.also:
        result["also"] = [peer.predict(r["text"]) for r in read_jsonl(args.also)]
    texts = [r["text"] for r in dev]
    result["latency_runs"] = [latency_run(peer, texts, args.warmup) for _ in range(args.repeat)]
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
