"""Writing an ensemble's runs as Parquet, one row per run, as they arrive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from whitecell.ensemble.run import Chunk
from whitecell.scenario.compiled import Scenario

BATCH = 20_000  # rows per row group: large enough for readers, small enough for memory


class RunsWriter:
    """Appends runs to a Parquet file (written atomically: a temp file moved into place)."""

    def __init__(self, path: Path, scenario: Scenario, extra: dict[str, Any] | None = None) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.pa, self.pq = pa, pq
        self.path = path
        self.tmp = path.with_name(f".{path.name}.tmp")
        self.scenario = scenario
        self.extra = extra or {}
        fields = [pa.field("run", pa.int64()), pa.field("seed", pa.uint64())]
        fields += [pa.field(f"sweep.{k}", pa.string()) for k in self.extra]
        for o in scenario.outcomes:
            fields.append(pa.field(f"outcome.{o.id}", pa.bool_() if o.is_bool else pa.float64()))
        fields += [pa.field(f"final.{v.key}", pa.float32()) for v in scenario.vars]
        fields.append(pa.field("path", pa.string()))
        self.schema = pa.schema(fields)
        self.writer = pq.ParquetWriter(str(self.tmp), self.schema)
        self.buffer: list[Chunk] = []
        self.buffered = 0

    def add(self, chunk: Chunk) -> None:
        self.buffer.append(chunk)
        self.buffered += chunk.count
        if self.buffered >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        import numpy as np

        pa = self.pa
        chunks = self.buffer
        columns: dict[str, Any] = {
            "run": np.concatenate([np.arange(c.start, c.start + c.count) for c in chunks]),
            "seed": np.concatenate([c.seeds for c in chunks]),
        }
        n = len(columns["run"])
        for key, value in self.extra.items():
            columns[f"sweep.{key}"] = [str(value)] * n
        outcomes = np.concatenate([c.outcomes for c in chunks])
        for j, o in enumerate(self.scenario.outcomes):
            column = outcomes[:, j]
            columns[f"outcome.{o.id}"] = column.astype(bool) if o.is_bool else column
        finals = np.concatenate([c.rounds[:, -1, :] for c in chunks])
        for v in self.scenario.vars:
            columns[f"final.{v.key}"] = finals[:, v.index]
        columns["path"] = [p for c in chunks for p in c.paths]
        self.writer.write_table(pa.table(columns, schema=self.schema))
        self.buffer, self.buffered = [], 0  # only once written

    def close(self) -> None:
        self.flush()
        self.writer.close()
        self.tmp.replace(self.path)
