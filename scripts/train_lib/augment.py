"""Augmentation of raw training texts (before normalisation, like a resident's typing).

- typo edits: deletion, duplication, transposition, keyboard-neighbour substitution, ij<->y
  (plus the Dutch classics ei<->ij and a final d/t/dt mix-up);
- LibreOffice's autocorrect pairs (Dutch, English) in reverse: a correct word becomes a known misspelling;
- municipality swap: a sentence that mentions a municipality (or a name people use for one) gets another one.
"""

import re
import unicodedata

KEYBOARD_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def _neighbours():
    pos = {}
    for r, row in enumerate(KEYBOARD_ROWS):
        for c, ch in enumerate(row):
            pos[ch] = (r, c)
    out = {}
    for ch, (r, c) in pos.items():
        near = []
        for other, (r2, c2) in pos.items():
            # Staggered rows: the keys left/right on the same row and the two touching keys above/below.
            if other != ch and ((r2 == r and abs(c2 - c) == 1) or (r2 == r - 1 and c2 in (c, c + 1))
                                or (r2 == r + 1 and c2 in (c - 1, c))):
                near.append(other)
        out[ch] = "".join(sorted(near))
    return out


NEIGHBOURS = _neighbours()
_WORD = re.compile(r"[A-Za-z]{3,}")


def _fold_char(ch):
    base = unicodedata.normalize("NFKD", ch)[:1] or ch
    return base.lower() if len(base.lower()) == 1 else ch


def fold(text):
    """Lower case and accents stripped, one output character per input character (spans stay valid)."""
    return "".join(_fold_char(ch) for ch in text)


def typo_edit(word, rng):
    """One random spelling error in `word` (lower-case ASCII letters)."""
    ops = ["delete", "duplicate", "transpose", "neighbour", "neighbour"]
    if "ij" in word or "y" in word:
        ops += ["ij_y", "ij_y"]
    if "ei" in word or "ij" in word:
        ops.append("ei_ij")
    if word[-1] in "dt":
        ops.append("dt")
    op = rng.choice(ops)
    n = len(word)
    i = rng.randrange(n)
    if op == "delete" and n > 3:
        return word[:i] + word[i + 1:]
    if op == "duplicate":
        return word[:i + 1] + word[i] + word[i + 1:]
    if op == "transpose" and n > 1:
        i = rng.randrange(n - 1)
        if word[i] != word[i + 1]:
            return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if op == "neighbour" and word[i] in NEIGHBOURS:
        return word[:i] + rng.choice(NEIGHBOURS[word[i]]) + word[i + 1:]
    if op == "ij_y":
        spots = [m.start() for m in re.finditer("ij|y", word)]
        j = rng.choice(spots)
        return word[:j] + ("y" + word[j + 2:] if word.startswith("ij", j) else "ij" + word[j + 1:])
    if op == "ei_ij":
        spots = [m.start() for m in re.finditer("ei|ij", word)]
        j = rng.choice(spots)
        return word[:j] + ("ij" if word.startswith("ei", j) else "ei") + word[j + 2:]
    if op == "dt":
        stem = word[:-2] if word.endswith("dt") else word[:-1]
        choices = [s for s in ("d", "t", "dt") if stem + s != word]
        return stem + rng.choice(choices)
    # The chosen operation did not apply: fall back to a deletion (always possible for 3+ letters).
    return word[:i] + word[i + 1:] if n > 3 else word + word[-1]


class Augmenter:
    def __init__(self, hyper, acor_pairs, gemeenten, aliases, common_words, rng):
        self.h = hyper
        self.rng = rng
        self.misspellings = {}  # lang -> correct word -> known misspellings
        for lang, pairs in acor_pairs.items():
            for wrong, right in pairs:
                self.misspellings.setdefault(lang, {}).setdefault(right, []).append(wrong)
        # Municipality names that are also ordinary words ("Best", "Goes", "Leiden") are only recognised with a
        # capital or after "in", "gemeente", ...; the others case- and accent-insensitively anywhere.
        self.targets = sorted(set(gemeenten)) + sorted(set(aliases))  # residents also type "den haag", "dordt"
        cue = "|".join(f"(?<=\\b{w} )" for w in ("in", "gemeente", "te", "uit", "naar", "bij", "van", "municipality",
                                                    "from", "to", "of"))
        self.patterns = []
        self._found = {}
        for name in sorted(set(gemeenten) | set(aliases), key=lambda s: (-len(s), s)):
            folded = re.escape(fold(name))
            end = r"(?![\w'-])"
            if fold(name) in common_words:
                self.patterns.append((re.compile(r"(?<![\w'-])" + re.escape(name) + end), False))
                self.patterns.append((re.compile(f"(?:{cue})" + folded + end), True))
            else:
                self.patterns.append((re.compile(r"(?<![\w'-])" + folded + end), True))

    def find_gemeente(self, text):
        if text not in self._found:
            self._found[text] = self._find(text)
        return self._found[text]

    def _find(self, text):
        folded = fold(text)
        for pat, on_folded in self.patterns:
            m = pat.search(folded if on_folded else text)
            if m:
                return m.start(), m.end()
        return None

    def swap_gemeente(self, text):
        span = self.find_gemeente(text)
        if not span:
            return text
        old = text[span[0]:span[1]]
        new = self.rng.choice(self.targets)
        if old == old.lower():
            new = new.lower()
        return text[:span[0]] + new + text[span[1]:]

    def acor(self, text, lang):
        table = self.misspellings.get(lang, {})

        def repl(m):
            w = m.group(0)
            alts = table.get(w.lower())
            if alts and self.rng.random() < self.h["p_acor_word"]:
                return self.rng.choice(alts)
            return w
        return re.sub(r"[^\W\d_]+", repl, text)

    def typos(self, text, n):
        """`n` edits, each in a different word (one-word messages get at most one)."""
        spots = [m.span() for m in _WORD.finditer(text)]
        for a, b in sorted(self.rng.sample(spots, min(n, len(spots))), reverse=True):
            text = text[:a] + typo_edit(text[a:b].lower(), self.rng) + text[b:]
        return text

    def variant(self, text, lang):
        if self.rng.random() < self.h["p_swap_gemeente"]:
            text = self.swap_gemeente(text)
        text = self.acor(text, lang)
        return self.typos(text, self.rng.choice(self.h["typo_edits"]))

    def variants(self, text, lang, k):
        return [self.variant(text, lang) for _ in range(k)]
