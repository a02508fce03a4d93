"""Step 1: normalisation and spelling correction, done by the C++ core (exactly what runs in the browser).

`gem-core normalize [--lexicon FILE] --gazetteer DIR` reads UTF-8 lines on stdin and writes one normalised line
per input line (words that are municipality or country names are never spelling-corrected, hence the
gazetteer). All texts go through one process call.
"""

import os
import shutil
import subprocess


class NormalizerError(Exception):
    pass


def resolve_gem_core(path):
    from . import config

    path = path or os.environ.get("GEM_CORE") or config.DEFAULT_GEM_CORE
    if os.sep not in path:
        found = shutil.which(path)
        path = found or path
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise NormalizerError(f"gem-core not found at {path}: {config.GEM_CORE_BUILD_HINT}")
    return os.path.abspath(path)


def _clean(line):
    # One input line must stay one line: a stray newline would shift every following output.
    return line.replace("\r", " ").replace("\n", " ").replace("\u2028", " ").replace("\u2029", " ") \
        .replace("\x85", " ").replace("\x0b", " ").replace("\x0c", " ")


def normalize_lines(gem_core, lines, lexicon=None):
    """Normalise `lines` (and correct them towards `lexicon`, a list of words, if given)."""
    from . import config

    lines = [_clean(x) for x in lines]
    args = [gem_core, "normalize", "--gazetteer", config.GAZETTEER_DIR]
    tmp = None
    try:
        if lexicon is not None:
            import tempfile

            fd, tmp = tempfile.mkstemp(prefix="gem-lexicon-", suffix=".txt")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write("".join(w + "\n" for w in lexicon))
            args += ["--lexicon", tmp]
        data = "".join(x + "\n" for x in lines).encode("utf-8")
        try:
            proc = subprocess.run(args, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        except OSError as e:
            raise NormalizerError(f"cannot run {gem_core}: {e}") from e
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip()
            raise NormalizerError(f"`{' '.join(args)}` failed with exit code {proc.returncode}: {err}")
        out = proc.stdout.decode("utf-8").split("\n")
        if out and out[-1] == "":
            out.pop()
        if len(out) != len(lines):
            raise NormalizerError(
                f"`{' '.join(args)}` returned {len(out)} lines for {len(lines)} input lines")
        return [" ".join(x.split()) for x in out]
    finally:
        if tmp:
            os.unlink(tmp)
