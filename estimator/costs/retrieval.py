"""Vector search: the retrieval corpus's embeddings, stored and searched where the scenario says.

What is embedded is the corpus the assistant retrieves over (its documents, split into chunks),
not every record every user stores. The embeddings live in one place: in the database with
pgvector (the default), in a managed vector database, in object-storage vectors, or, only when
asked, in a RAM-resident index. Each architecture is priced by what it bills: pgvector by the
database's disk (and an instance whose memory holds the index, under Managed database), a managed
database per GB-month and per read, object storage per GB-month and per query, RAM per GB-month.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial

from estimator.facts import Range
from estimator.lines import Cadence, Category, LineItem
from estimator.money import DOLLARS, count, size_span, usd, usd_range
from estimator.price_book import PriceBook
from estimator.scenario import Scenario, VectorStore
from estimator.traffic import Traffic

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_STORAGE, _MONTHLY = Category.storage, Cadence.monthly

# The data file's figures these lines are priced with.
FIGURES = (
    "retrieval.chunks_per_document",
    "retrieval.metadata_kb",
    "retrieval.queries_per_llm_call",
    "storage.embedding_kb",
    "storage.vector_index_overhead",
    "storage.disk_per_gb_month",
    "storage.memory_per_gb_month",
    "vector_store.managed_per_gb_month",
    "vector_store.managed_per_million_reads",
    "vector_store.managed_read_units_per_query",
    "vector_store.object_per_gb_month",
    "vector_store.object_per_million_queries",
)


# Not frozen, like Amount (totals.py): made for every estimate; never assigned to.
@dataclass(slots=True)
class Corpus:
    """The embedded corpus: vectors, their stored size and their HNSW index size (GB)."""

    vectors_low: float
    vectors_high: float
    stored_gb_low: float  # embedding + metadata per vector
    stored_gb_high: float
    index_gb_low: float  # embedding x HNSW overhead, what a graph index holds in memory
    index_gb_high: float
    chunks: Range
    overhead: Range


def corpus(s: Scenario, prices: PriceBook) -> Corpus:
    """The scenario's corpus (shared: read, never changed)."""
    return _corpus(s.corpus_documents, prices)


@lru_cache(maxsize=256)  # read about twenty times an estimate, by the app tier and storage
def _corpus(documents: int, prices: PriceBook) -> Corpus:
    chunks = prices.figures.retrieval.chunks_per_document
    metadata = prices.figures.retrieval.metadata_kb
    embedding = prices.figures.storage.embedding_kb
    overhead = prices.figures.storage.vector_index_overhead
    low = documents * chunks.low
    high = documents * chunks.high
    return Corpus(
        vectors_low=low,
        vectors_high=high,
        stored_gb_low=low * (embedding.low + metadata.low) / 1e6,
        stored_gb_high=high * (embedding.high + metadata.high) / 1e6,
        index_gb_low=low * embedding.low * overhead.low / 1e6,
        index_gb_high=high * embedding.high * overhead.high / 1e6,
        chunks=chunks,
        overhead=overhead,
    )


def index_memory_gb(s: Scenario, prices: PriceBook) -> float:
    """GB of HNSW index the database must hold in memory (pgvector only; 0 otherwise)."""
    if s.vector_store is not VectorStore.pgvector:
        return 0.0
    return corpus(s, prices).index_gb_high


def _what(s: Scenario, c: Corpus) -> str:
    return (
        f"{count(s.corpus_documents)} corpus documents x {c.chunks.low:g}-{c.chunks.high:g} "
        f"chunks = {count(round(c.vectors_low))}-{count(round(c.vectors_high))} embeddings"
    )


def _queries(t: Traffic, prices: PriceBook) -> float:
    return t.llm_requests_per_month * prices.figures.retrieval.queries_per_llm_call.low


def region_copy(s: Scenario, prices: PriceBook) -> tuple[float, float, str]:
    """What one extra region copies of the vector store, per month, and its words. pgvector's
    copy is the database replica's disk (the replica itself is priced with the data tier); a
    managed or object store keeps a copy of the stored vectors (reads are made where they are
    served, so they are not copied); a RAM index is copied whole."""
    c = corpus(s, prices)
    store = s.vector_store
    if store is VectorStore.pgvector:
        disk = prices.figures.storage.disk_per_gb_month
        gb_low, gb_high = c.stored_gb_low + c.index_gb_low, c.stored_gb_high + c.index_gb_high
        return gb_low * disk.low, gb_high * disk.high, "pgvector disk on the replica"
    if store is VectorStore.managed:
        per_gb = prices.figures.vector_store.managed_per_gb_month
        return c.stored_gb_low * per_gb.low, c.stored_gb_high * per_gb.high, "vector database copy"
    if store is VectorStore.object_storage:
        per_gb = prices.figures.vector_store.object_per_gb_month
        return c.stored_gb_low * per_gb.low, c.stored_gb_high * per_gb.high, "vector bucket copy"
    memory = prices.figures.storage.memory_per_gb_month
    return c.index_gb_low * memory.low, c.index_gb_high * memory.high, "in-memory index copy"


def lines(s: Scenario, t: Traffic, prices: PriceBook, copies: int) -> list[LineItem]:
    """The vector search line; `copies` is how many copies the database keeps (2 multi-AZ)."""
    if s.corpus_documents == 0:
        return []
    c = corpus(s, prices)
    store = s.vector_store
    queries = _queries(t, prices)
    # Worded by partials of module-level functions, not closures: a closure's cells are made on
    # every call (docs/architecture.md, "Performance idioms").
    basis: Callable[[], str]
    if store is VectorStore.pgvector:
        disk = prices.figures.storage.disk_per_gb_month
        low = (c.stored_gb_low + c.index_gb_low) * disk.low * copies
        high = (c.stored_gb_high + c.index_gb_high) * disk.high * copies
        basis = partial(_pgvector_basis, s, c, disk, copies)
    elif store is VectorStore.managed:
        per_gb = prices.figures.vector_store.managed_per_gb_month
        reads = prices.figures.vector_store.managed_read_units_per_query
        per_read = prices.figures.vector_store.managed_per_million_reads
        low = c.stored_gb_low * per_gb.low + queries * reads.low * per_read.low / 1e6
        high = c.stored_gb_high * per_gb.high + queries * reads.high * per_read.high / 1e6
        basis = partial(_managed_basis, s, c, queries, per_gb, reads, per_read)
    elif store is VectorStore.object_storage:
        per_gb = prices.figures.vector_store.object_per_gb_month
        per_query = prices.figures.vector_store.object_per_million_queries
        low = c.stored_gb_low * per_gb.low + queries * per_query.low / 1e6
        high = c.stored_gb_high * per_gb.high + queries * per_query.high / 1e6
        basis = partial(_object_basis, s, c, queries, per_gb, per_query)
    else:
        memory = prices.figures.storage.memory_per_gb_month
        low = c.index_gb_low * memory.low * copies
        high = c.index_gb_high * memory.high * copies
        basis = partial(_memory_basis, s, c, memory, copies)
    return [
        LineItem(
            _STORAGE,
            f"Vector search ({store.label})",
            _MONTHLY,
            low,
            high,
            basis,
            # Only a store billed per query follows users; a corpus is the same at any scale.
            store in (VectorStore.managed, VectorStore.object_storage),
        )
    ]


def _pgvector_basis(s: Scenario, c: Corpus, disk: Range, copies: int) -> str:
    return (
        f"{_what(s, c)}, in the database with pgvector: "
        f"{size_span(c.stored_gb_low, c.stored_gb_high)} GB of vectors + "
        f"{size_span(c.index_gb_low, c.index_gb_high)} GB HNSW index on disk x "
        f"${disk.low:g}/GB-month{' x 2 (multi-AZ)' if copies == 2 else ''}; "
        "searches run on the database instance, sized to hold the index in memory "
        "(Managed database)"
    )


def _managed_basis(
    s: Scenario, c: Corpus, queries: float, per_gb: Range, reads: Range, per_read: Range
) -> str:
    return (
        f"{_what(s, c)} in a managed vector database: "
        f"{size_span(c.stored_gb_low, c.stored_gb_high)} GB x ${per_gb.low:g}/GB-month + "
        f"{count(round(queries))} queries x {reads.low:g}-{reads.high:g} read units x "
        f"{usd(per_read.low, DOLLARS)} per million"
    )


def _object_basis(s: Scenario, c: Corpus, queries: float, per_gb: Range, per_query: Range) -> str:
    return (
        f"{_what(s, c)} in object-storage vectors: "
        f"{size_span(c.stored_gb_low, c.stored_gb_high)} GB x ${per_gb.low:g}/GB-month + "
        f"{count(round(queries))} queries x ${per_query.low:g} per million"
    )


def _memory_basis(s: Scenario, c: Corpus, memory: Range, copies: int) -> str:
    return (
        f"{_what(s, c)} in a RAM-resident index: "
        f"{size_span(c.index_gb_low, c.index_gb_high)} GB "
        f"(x {c.overhead.low:g}-{c.overhead.high:g} HNSW overhead) x "
        f"{usd_range(memory.low, memory.high, DOLLARS)}/GB-month"
        f"{' x 2 replicas' if copies == 2 else ''}"
    )
