"""Page 6, part A: which words can a position see? Forward, backward and bidirectional RNNs.

A sentence becomes a sequence of fixed random word vectors x_1 .. x_T. A bidirectional layer runs two
cells with their own weights, one left to right and one right to left (like ``torch.nn.RNN(...,
bidirectional=True)``), and represents position t by [h_t ; g_t]:

    h_t = cell (x_t, h_{t-1})     reads x_1 .. x_t       dh_t/dx_k = 0 for k > t
    g_t = cell'(x_t, g_{t+1})     reads x_t .. x_T       dg_t/dx_k = 0 for k < t

The influence of word k on position t is ||d state_t / d x_k||_F. Stacking rows adds squared
Frobenius norms, so the bidirectional map is exactly sqrt(forward^2 + backward^2).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np

from ..chains import influence_norms
from ..stacked import StackedRNN

DEFAULT_SENTENCE = "the movie was terribly exciting !"
DEFAULT_FOCUS_WORD = "terribly"
EMBED_DIM = 8          # size of each word vector x_k
MAX_WORDS = 24         # longest sentence the page takes
MAX_WORD_CHARS = 24    # longer words are shortened to this many characters, ending in "…"
MAX_CJK_WORD = 4       # a run of more Chinese/Japanese characters than this is split into single characters

EQUATIONS = [
    r"\overrightarrow{h}_t = \mathrm{cell}\big(x_t,\ \overrightarrow{h}_{t-1}\big),\qquad"
    r"\overleftarrow{h}_t = \mathrm{cell}'\big(x_t,\ \overleftarrow{h}_{t+1}\big),\qquad "
    r"h_t = \big[\overrightarrow{h}_t;\ \overleftarrow{h}_t\big]",
    r"\frac{\partial \overrightarrow{h}_t}{\partial x_k} = "
    r"\frac{\partial \overrightarrow{h}_t}{\partial \overrightarrow{h}_{t-1}}\cdots"
    r"\frac{\partial \overrightarrow{h}_{k+1}}{\partial \overrightarrow{h}_{k}}"
    r"\frac{\partial \overrightarrow{h}_k}{\partial x_k}\ (k \le t),\qquad"
    r"\frac{\partial \overrightarrow{h}_t}{\partial x_k} = 0\ (k > t)",
    r"\Big\|\frac{\partial h_t}{\partial x_k}\Big\|_F^2 = "
    r"\Big\|\frac{\partial \overrightarrow{h}_t}{\partial x_k}\Big\|_F^2"
    r" + \Big\|\frac{\partial \overleftarrow{h}_t}{\partial x_k}\Big\|_F^2",
]

# Han ideographs (with extensions and compatibility forms), hiragana and katakana: scripts written without spaces
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_OR_NOT = re.compile(f"[{_CJK}]+|[^{_CJK}]+")
_WORD = re.compile(r"\S+")
# control characters separate words; lone surrogates (not encodable as UTF-8) and bidirectional
# embedding/override/isolate marks (they would reorder the text around a word on screen) are dropped
_CLEAN = {c: " " for c in [*range(0x20), *range(0x7F, 0xA0)]}
_CLEAN.update({c: None for c in [*range(0xD800, 0xE000), 0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F),
                                 *range(0x2066, 0x206A)]})


def _visible(word: str) -> bool:
    """True if the word has a letter, digit, punctuation mark or symbol (emoji are symbols)."""
    return any(unicodedata.category(ch)[0] in "LNPS" for ch in word)


def _pieces(token: str):
    """Split one whitespace-free token: long runs of CJK characters into single characters."""
    if not re.search(f"[{_CJK}]", token):
        yield token
        return
    for run in _CJK_OR_NOT.findall(token):
        if len(run) > MAX_CJK_WORD and re.match(f"[{_CJK}]", run):
            yield from run                                   # 这部电影非常精彩 -> 这 部 电 影 ...
        else:
            yield run                                        # 电影, or the "！" after it


def tokenize(sentence: str, max_words: int = MAX_WORDS) -> list[str]:
    """Words of a sentence, for the page: never raises, at most ``max_words`` words.

    Splits on any whitespace (control characters count as whitespace), so "exciting !" gives the
    word "!". Text written without spaces is handled too: a run of more than ``MAX_CJK_WORD`` Chinese
    or Japanese characters becomes one word per character ("这部电影非常精彩" -> 8 words) while short
    runs are kept as words ("电影 非常 精彩" -> 3 words); punctuation between CJK characters is its own
    word. The text is NFC-normalised; lone surrogates and bidirectional control marks are removed;
    words without any visible character are dropped and words longer than ``MAX_WORD_CHARS`` are
    shortened with "…". Markup such as "<b>" is kept as text: the page must show words as plain text.

    Returns
    -------
    list of str, possibly empty (empty or all-whitespace input, ``max_words <= 0``, ``None``).
    """
    if sentence is None or max_words is None or int(max_words) <= 0:
        return []
    text = unicodedata.normalize("NFC", str(sentence).translate(_CLEAN))
    words: list[str] = []
    for match in _WORD.finditer(text):                       # lazy: a huge input costs only its prefix
        for word in _pieces(match.group()):
            if not _visible(word):
                continue
            if len(word) > MAX_WORD_CHARS:
                word = word[:MAX_WORD_CHARS - 1] + "…"
            words.append(word)
            if len(words) >= int(max_words):
                return words
    return words


def _word_entropy(word: str) -> int:
    """A stable 64-bit integer for a word (blake2b of its UTF-8 bytes; Python's hash() is salted per run)."""
    digest = hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def embed(words, dim: int = EMBED_DIM, seed: int = 0) -> np.ndarray:
    """(T, dim) word vectors: each distinct word gets a fixed N(0, 1) vector (torch.nn.Embedding's init).

    The vector depends only on the word and the seed (a generator seeded with [hash(word), seed]), so
    the same word gets the same vector at every position, in every sentence and in every run.
    """
    dim = int(dim)
    key = int(seed) % 2 ** 64                                # SeedSequence wants non-negative integers
    cache: dict[str, np.ndarray] = {}
    out = np.zeros((len(words), dim))
    for k, word in enumerate(words):
        if word not in cache:
            cache[word] = np.random.default_rng([_word_entropy(word), key]).normal(size=dim)
        out[k] = cache[word]
    return out


def model(cell: str = "rnn", hidden: int = 16, seed: int = 0) -> StackedRNN:
    """One bidirectional layer: ``cells[(0, 0)]`` reads left to right, ``cells[(0, 1)]`` right to left."""
    return StackedRNN(cell, EMBED_DIM, hidden, num_layers=1, bidirectional=True, seed=seed)


def _influence(cell, trace, hidden: int) -> np.ndarray:
    """(T, T) ||dh_t/dx_k||_F in the cell's own time order (zero above the diagonal); h rows only."""
    return influence_norms(cell.state_jacobians(trace), cell.input_jacobians(trace), rows=slice(0, hidden))


def default_focus(words) -> int:
    """Index of "terribly" (any case) if present, else the middle word (0 for an empty list)."""
    folded = [w.casefold() for w in words]
    return folded.index(DEFAULT_FOCUS_WORD) if DEFAULT_FOCUS_WORD in folded else len(words) // 2


def right_shares(both: np.ndarray) -> np.ndarray:
    """(T,) for every focus position t: the share of its squared influence that comes from words to its right,
    sum_{k>t} both[t, k]^2 / sum_k both[t, k]^2 (0 where the row is exactly 0). ``both`` is the (T, T)
    bidirectional map; row t of it (and of the forward and backward maps) is everything the page shows about
    focus word t, so the maps and these shares are the whole family over the focus."""
    sq = np.asarray(both, dtype=float) ** 2
    out = np.zeros(sq.shape[0])
    for t in range(sq.shape[0]):
        total = float(np.sum(sq[t]))
        out[t] = float(np.sum(sq[t, t + 1:]) / total) if total > 0 else 0.0
    return out


def by_distance(forward: np.ndarray, backward: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How influence fades with distance, over every position: for d = 0 .. T-1 the mean over t of
    log10 ||dh_t/dx_{t-d}|| (forward: the word d steps to the left) and of log10 ||dg_t/dx_{t+d}|| (backward: d
    steps to the right), a geometric mean of the maps' diagonals. -inf where a diagonal has an exact zero.

    Returns (d (T,), forward (T,), backward (T,))."""
    T = np.shape(forward)[0]
    with np.errstate(divide="ignore"):
        fwd = np.array([np.mean(np.log10(np.diagonal(forward, -d))) for d in range(T)])
        bwd = np.array([np.mean(np.log10(np.diagonal(backward, d))) for d in range(T)])
    return np.arange(T), fwd, bwd


def run(sentence: str = DEFAULT_SENTENCE, cell: str = "rnn", hidden: int = 16, seed: int = 0,
        focus: int | None = None) -> dict:
    """Influence of every word on every position, for the forward, backward and bidirectional states.

    Parameters
    ----------
    sentence : any text; see :func:`tokenize` (at most ``MAX_WORDS`` words)
    cell : "rnn" (tanh) | "lstm" | "gru" (also "relu"); both directions use this cell, with their own weights
    hidden : units per direction, H
    seed : draws the word vectors and the weights (PyTorch's default initialisation)
    focus : index of the word to inspect; default :func:`default_focus`; clamped into 0 .. T-1

    Returns
    -------
    dict with
      words : list of T str;  position (T,) 0 .. T-1;  x (T, EMBED_DIM) word vectors
      forward (T, T) : [t, k] = ||dh_t/dx_k||_F, forward cell; exactly 0 above the diagonal (k > t)
      backward (T, T) : same for the backward cell's state at position t; exactly 0 below the diagonal
      bidirectional (T, T) : norm for the state [forward_t; backward_t] = sqrt(forward^2 + backward^2)
      focus : int (None if T = 0)
      focus_bars : dict "forward", "backward", "bidirectional" -> (T,), row ``focus`` of each map:
        how much each word k moves the focus word's representation
      right_share : float, share of the focus word's squared bidirectional influence that comes from
        words to its right (0 for a forward-only reader); 0.0 if T = 0
      empty : bool, True when the sentence has no words (T = 0: all arrays empty)
    For the LSTM only the h rows of its [h; c] state are used (the layer's output is h).
    """
    words = tokenize(sentence)
    T = len(words)
    x = embed(words, EMBED_DIM, seed)
    if T == 0:
        none = np.zeros((0, 0))
        return {"words": [], "position": np.arange(0), "x": x, "forward": none, "backward": none.copy(),
                "bidirectional": none.copy(), "focus": None,
                "focus_bars": {k: np.zeros(0) for k in ("forward", "backward", "bidirectional")},
                "right_share": 0.0, "empty": True}
    net = model(cell, hidden, seed)
    tr = net.forward(x)
    fwd = _influence(net.cells[(0, 0)], tr.traces[0][0], hidden)
    bwd = _influence(net.cells[(0, 1)], tr.traces[0][1], hidden)[::-1, ::-1]  # reversed time -> positions
    both = np.sqrt(fwd ** 2 + bwd ** 2)                                       # rows [h_t; g_t] add in F^2
    f = default_focus(words) if focus is None else min(max(int(focus), 0), T - 1)
    bars = {"forward": fwd[f].copy(), "backward": bwd[f].copy(), "bidirectional": both[f].copy()}
    return {
        "words": words, "position": np.arange(T), "x": x,
        "forward": fwd, "backward": np.ascontiguousarray(bwd), "bidirectional": both,
        "focus": f, "focus_bars": bars,
        "right_share": float(right_shares(both)[f]),
        "empty": False,
    }
