"""Fixed contracts and hyperparameters of the NLU training (no heavy imports: `--check` uses this)."""

import os

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

NLU_DIR = os.path.join(REPO, "content", "nlu")
TRAIN_DIR = os.path.join(NLU_DIR, "train")
# What trains the model: the training split, then the exported consented samples (`scripts/gem samples export`),
# both in the same file format. Never dev/ or external/ (content/nlu/README.md).
TRAINING_SUBDIRS = ("train", "samples")
DOMAIN_TERMS = os.path.join(REPO, "content", "nlu", "domain-terms.txt")
GAZETTEER_DIR = os.path.join(REPO, "content", "gazetteer")  # gem-core normalize reads it: names are never corrected
GEMEENTEN = os.path.join(GAZETTEER_DIR, "gemeenten.tsv")
GEMEENTE_ALIASES = os.path.join(GAZETTEER_DIR, "gemeente-aliases.tsv")
MODELS_DIR = os.path.join(REPO, "models")
DEFAULT_GEM_CORE = os.path.join(REPO, "build", "native", "core", "gem-core")
GEM_CORE_BUILD_HINT = (
    "build it with: cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release && "
    "cmake --build build/native --target gem-core  (or point GEM_CORE / --gem-core at the binary)")

SPM_FILE = "gem.spm"
ONNX_FILE = "gem-intent.onnx"
META_FILE = "gem-nlu.json"

# System word lists and autocorrect pairs (Debian packages wdutch, wbritish/wamerican, libreoffice-common).
DUTCH_WORDS = ["/usr/share/dict/dutch"]
ENGLISH_WORDS = ["/usr/share/dict/british-english", "/usr/share/dict/american-english"]
# LibreOffice autocorrect lists: ~1,600 entries for nl-NL, but only ~90 are single-word misspellings (the rest are
# emoji and symbol shortcuts), so the English list (~770 misspellings) is used for English examples too.
ACOR = {"nl": "/usr/lib/libreoffice/share/autocorr/acor_nl-NL.dat",
        "en": "/usr/lib/libreoffice/share/autocorr/acor_en-GB.dat"}

# Label order is a contract with the C++ core and the widget: never reorder, only append.
INTENTS = ["product_vraag", "begroeting", "afscheid", "bedankt", "bevestigen", "ontkennen", "medewerker",
           "klacht", "hulp", "bot_vraag", "buiten_bereik"]
PRODUCTS = [None, "reisdocument", "paspoort", "identiteitskaart", "rijbewijs", "verhuizing", "emigratie",
            "uittreksel_brp", "geboorteaangifte", "huwelijk", "overlijden", "akte_burgerlijke_stand", "vog",
            "naturalisatie", "bijstand", "schuldhulpverlening", "kwijtschelding", "gemeentelijke_belastingen",
            "hondenbelasting", "parkeervergunning", "gehandicaptenparkeerkaart", "grofvuil", "afval",
            "omgevingsvergunning", "melding_openbare_ruimte", "evenementenvergunning", "contact"]
ASPECTS = [None, "informatie", "aanvragen", "kosten", "wanneer", "benodigdheden", "voorwaarden", "geldigheid",
           "afspraak", "kwijt", "status", "stopzetten"]
LANGS = ["nl", "en"]
HEADS = ["intent", "product", "aspect", "lang"]
LABELS = {"intent": INTENTS, "product": PRODUCTS, "aspect": ASPECTS, "lang": LANGS}
PRODUCT_QUESTION = INTENTS.index("product_vraag")


def product_question_only(head):
    """Product and aspect are read only for product questions, at runtime and so in training and scoring."""
    return head in ("product", "aspect")

MAX_TOKENS = 64          # the C++ core truncates the SentencePiece ids to this many
LEXICON_MIN_LEN = 4      # training words shorter than this never enter the lexicon (domain terms always do)

# Everything that changes the artefacts. Part of the fingerprint: edit here, then run scripts/train.
# Chosen by k-fold cross-validation on the TRAINING split (scripts/train --kfold K); the notes give the numbers.
HYPER = {
    "seed": 20240611,
    "spm": {
        "model_type": "unigram",
        "vocab_size": 1500,          # 1000/1500/2000/2500/3000 measured: 1500 best for product, equal elsewhere
        "hard_vocab_limit": False,
        "character_coverage": 1.0,
        "seed_sentencepiece_size": 200000,
        "max_sentencepiece_length": 16,
        "sampling_alpha": 0.5,       # subword sampling in training; 0.1-0.2 was too noisy to learn in 40-60 epochs
        "sampling_nbest": -1,
    },
    "augment": {
        "variants": 8,               # augmented copies per example (plus the original)
        "p_original": 0.25,          # chance an epoch shows the original text instead of a variant
        "p_swap_gemeente": 0.7,      # chance a variant swaps the municipality a sentence mentions
        "p_acor_word": 0.25,         # chance per word with a known misspelling to use it
        "typo_edits": [0, 1, 1, 1, 2, 2, 3],  # edits per variant (each in a different word), picked uniformly
    },
    "model": {
        "dim": 128,
        "conv": False,               # a width-3 conv over the embeddings lost ~8 points (all heads, held out)
        "hidden": 256,
        "dropout": 0.2,
        "token_dropout": 0.05,       # training only: share of ids replaced by <unk>
        # Hashed pairs of neighbouring pieces. 3-fold on train, one member: aspect 83.5 -> 85.1, product
        # 91.6 -> 92.1, intent 90.5 -> 91.0 (and +1.9 aspect on typo variants).
        "pair_buckets": 4096,
        "pair_dim": 32,
    },
    "train": {
        # 3-fold on train, one member: 60 / 90 / 120 epochs give aspect 84.6 / 84.2 / 84.5, product
        # 91.6 / 91.7 / 92.0: a plateau (differences are within retrain noise).
        "epochs": 90,
        # Members averaged in the ONNX graph. 3-fold on train: 1 / 3 / 5 members give aspect 84.2 / 86.0 / 86.8,
        # product 91.7 / 93.7 / 94.0. Five members in int8 are smaller than three in float16.
        # A smaller model (2 members, dim 96, 2048x32 buckets, hidden 192, 60 epochs: 533 KB brotli) lost about
        # one point on every dev head (README "Training"): not adopted until a k-fold search finds one that holds.
        # Each member hashes its piece pairs with its own multipliers (model.member_pair_hash), so the members'
        # bucket collisions differ: 3-fold on train, 5 members, intent / product / aspect 92.7 / 93.5 / 85.6 with
        # one hash for all, 92.7 / 94.0 / 86.0 with a hash per member (2026-12-05).
        "ensemble": 5,
        "batch_size": 32,
        "lr": 0.01,
        "weight_decay": 0.0001,
        # Aspect weight 1.0 / 1.5 / 2.0, 3-fold on train with pairs, one member: aspect 84.6 / 85.1 / 84.7,
        # product 92.2 / 92.1 / 91.2.
        "head_weights": {"intent": 1.0, "product": 1.0, "aspect": 1.5, "lang": 0.5},
    },
    "onnx_opset": 13,
    "onnx_weights": "int8",       # float32 | float16 | int8: how weights are stored (see model.store_compact)
}
