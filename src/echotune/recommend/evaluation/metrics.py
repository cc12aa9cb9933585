"""Top-N metrics with their textbook definitions (see docs/evaluation.md).

Per evaluated user, with hits marked on the ranked list and T the user's test
items (unknown-to-train ones included):
- precision@10 = hits in top 10 / 10
- recall@20    = hits in top 20 / |T|
- ndcg@10      = DCG@10 / IDCG@10, binary gains, IDCG over min(|T|, 10) hits
- map@10       = sum over hit ranks r <= 10 of precision@r / min(|T|, 10)
averaged over users; and over the whole run:
- coverage     = distinct items in any top 10 / items in the train catalog
- diversity    = mean over users of the mean pairwise (1 - cosine) in the top 10
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from echotune.recommend.evaluation.split import seeded_subset

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
CUTOFF = 10
RECALL_CUTOFF = 20
# Lists intra-list diversity averages over at most: its cost is a co-occurrence
# product per chunk of lists (~4 ms a list on a Last.fm-360K-sized set), and at
# 10,000 lists its standard error is well under 0.001.
DIVERSITY_LISTS = 10_000
METRIC_NAMES = ("precision@10", "recall@20", "ndcg@10", "map@10", "coverage", "diversity")


def hit_matrix(recs: I64, users: I64, test: sp.csr_matrix) -> B:
    """hits[r, c] = item recs[r, c] is in the test set of users[r] (-1 is never a hit)."""
    n_items = test.shape[1]
    rows = test[users]
    test_keys = np.repeat(np.arange(users.size, dtype=np.int64), np.diff(rows.indptr)) * n_items
    test_keys += rows.indices
    rec_keys = np.arange(users.size, dtype=np.int64)[:, None] * n_items + recs
    hits: B = np.isin(rec_keys, test_keys) & (recs >= 0)
    return hits


def ranking_metrics(hits: B, test_sizes: I64) -> dict[str, F64]:
    """Per-user precision@10, recall@20, ndcg@10 and map@10."""
    sizes = test_sizes.astype(np.float64)
    top = hits[:, :CUTOFF].astype(np.float64)
    discounts = 1.0 / np.log2(np.arange(2, CUTOFF + 2))
    ideal_len = np.minimum(sizes, CUTOFF).astype(np.int64)
    idcg = np.concatenate(([0.0], np.cumsum(discounts)))[ideal_len]
    precision_at_rank = np.cumsum(top, axis=1) / np.arange(1, top.shape[1] + 1)
    return {
        "precision@10": top.sum(axis=1) / CUTOFF,
        "recall@20": hits[:, :RECALL_CUTOFF].sum(axis=1) / np.maximum(sizes, 1.0),
        "ndcg@10": (top @ discounts[: top.shape[1]]) / np.maximum(idcg, 1e-12),
        "map@10": (precision_at_rank * top).sum(axis=1) / np.maximum(ideal_len, 1),
    }


def coverage(recs: I64, n_items: int) -> float:
    """Share of the catalog that appears in at least one top-10 list."""
    top = recs[:, :CUTOFF]
    return float(np.unique(top[top >= 0]).size / max(n_items, 1))


def item_vectors_from_train(train: sp.csr_matrix) -> sp.csr_matrix:
    """Each item as its L2-normalised binary column of users who played it (item x user)."""
    binary = train.T.tocsr().astype(np.float32)
    binary.data[:] = 1.0
    norms = np.sqrt(np.diff(binary.indptr).astype(np.float32))
    binary.data /= np.repeat(np.maximum(norms, 1.0), np.diff(binary.indptr))
    return binary


def intra_list_diversity(recs: I64, vectors: sp.csr_matrix, chunk: int = 256) -> float:
    """Mean over lists of the mean pairwise (1 - cosine) of the top-10 items' vectors.

    `vectors` are unit-norm item rows. Lists with fewer than two items are left out.
    Per chunk of lists, cosines are computed once among the distinct items the
    chunk holds, not per list position: a chart recommends the same hits to
    everyone, and each hit's vector has a nonzero per listener, so the
    position-wise product (2,560 rows of the same ten vectors) cost minutes per
    chunk on a Last.fm-360K-sized catalog.
    """
    top = recs[:, :CUTOFF]
    values: list[F64] = []
    for start in range(0, top.shape[0], chunk):
        lists = top[start : start + chunk]
        valid = lists >= 0
        distinct, position = np.unique(np.where(valid, lists, 0), return_inverse=True)
        position = position.reshape(lists.shape)
        rows = vectors[distinct]
        gram = np.asarray((rows @ rows.T).toarray(), dtype=np.float64)
        blocks = gram[position[:, :, None], position[:, None, :]]
        width = lists.shape[1]
        pair_ok = valid[:, :, None] & valid[:, None, :] & ~np.eye(width, dtype=bool)
        n_pairs = pair_ok.sum(axis=(1, 2))
        distance = np.where(pair_ok, 1.0 - blocks, 0.0).sum(axis=(1, 2))
        ok = n_pairs > 0
        values.append(distance[ok] / n_pairs[ok])
    joined = np.concatenate(values) if values else np.zeros(0)
    return float(joined.mean()) if joined.size else 0.0


def diversity_rows(n_lists: int, limit: int | None = None) -> I64:
    """Which lists diversity averages over: all, or a fixed seeded sample of `limit`
    (default DIVERSITY_LISTS)."""
    return seeded_subset(n_lists, DIVERSITY_LISTS if limit is None else limit, seed=0)


def summarise(
    recs: I64, users: I64, test: sp.csr_matrix, test_sizes: I64, vectors: sp.csr_matrix
) -> dict[str, float]:
    """All six metrics for one model's top-20 lists of the evaluated `users`.

    Diversity averages over at most DIVERSITY_LISTS of the lists (the same ones
    for every model, as they are taken by position among the same users).
    """
    hits = hit_matrix(recs, users, test)
    per_user = ranking_metrics(hits, test_sizes[users])
    out = {name: float(values.mean()) if values.size else 0.0 for name, values in per_user.items()}
    out["coverage"] = coverage(recs, test.shape[1])
    out["diversity"] = intra_list_diversity(recs[diversity_rows(recs.shape[0])], vectors)
    return out
