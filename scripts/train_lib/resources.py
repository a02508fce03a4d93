"""Word lists, domain terms, autocorrect pairs and municipality names."""

import hashlib
import os
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

from . import config


class ResourceError(Exception):
    pass


def read_domain_terms(path=None):
    path = path or config.DOMAIN_TERMS
    if not os.path.exists(path):
        raise ResourceError(f"{path} is missing (one normalised domain term per line, # comments)")
    terms = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.split("#", 1)[0].strip()
            if line:
                terms.extend(line.split())
    return terms


def _first_existing(paths, what, package):
    for p in paths:
        if os.path.exists(p):
            return p
    raise ResourceError(f"{what} word list missing ({' or '.join(paths)}): apt-get install {package}")


def word_list_files():
    """The Dutch list and both English lists (residents use British and American spellings)."""
    return [_first_existing(config.DUTCH_WORDS, "Dutch", "wdutch"),
            _first_existing([config.ENGLISH_WORDS[0]], "British English", "wbritish"),
            _first_existing([config.ENGLISH_WORDS[1]], "American English", "wamerican")]


def read_word_lists():
    """Raw entries of the Dutch and English word lists (normalised later by gem-core)."""
    words = []
    for path in word_list_files():
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                line = line.strip()
                if line:
                    words.append(line)
    return words


_WORD = re.compile(r"^[^\W\d_]+$")


def read_acor_pairs():
    """Single-word misspelling -> correction pairs from LibreOffice's autocorrect lists: {lang: sorted pairs}."""
    ns = "{http://openoffice.org/2001/block-list}"
    out = {}
    for lang, path in sorted(config.ACOR.items()):
        if not os.path.exists(path):
            raise ResourceError(f"{path} missing: apt-get install libreoffice-common")
        with zipfile.ZipFile(path) as z:
            root = ET.fromstring(z.read("DocumentList.xml"))
        pairs = set()
        for block in root.iter(ns + "block"):
            wrong, right = block.get(ns + "abbreviated-name"), block.get(ns + "name")
            if not wrong or not right:
                continue
            wrong, right = wrong.lower(), right.lower()
            if wrong != right and _WORD.match(wrong) and _WORD.match(right) and len(right) >= 3:
                pairs.add((wrong, right))
        out[lang] = sorted(pairs)
    return out


def read_gemeenten():
    """Municipality names from the gazetteer (code<TAB>name with a header line)."""
    names = []
    with open(config.GEMEENTEN, encoding="utf-8") as fh:
        for k, line in enumerate(fh):
            cols = line.rstrip("\n").split("\t")
            if k == 0 or len(cols) < 2 or not cols[1].strip():
                continue
            names.append(cols[1].strip())
    return names


def read_gemeente_aliases():
    """Names people type for municipalities (alias<TAB>code with a header line)."""
    names = []
    with open(config.GEMEENTE_ALIASES, encoding="utf-8") as fh:
        for k, line in enumerate(fh):
            cols = line.rstrip("\n").split("\t")
            if k == 0 or len(cols) < 2 or not cols[0].strip():
                continue
            names.append(cols[0].strip())
    return names


def file_sha256(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def external_inputs():
    """Hashes of the system files training depends on (recorded, so a retrain mismatch can be explained)."""
    out = {}
    for p in word_list_files() + [config.ACOR[k] for k in sorted(config.ACOR)]:
        out[p] = file_sha256(p)
    return out


def warn(msg):
    print(f"warning: {msg}", file=sys.stderr)
