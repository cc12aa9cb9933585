"""What a history import did, file by file, summed up."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, Field, computed_field

from echotune.listening.export_records import SkipKind


class SkippedRecords(BaseModel):
    """Records that are not music plays, by kind."""

    podcast: int = 0
    audiobook: int = 0
    video: int = 0
    no_track: int = 0

    def add(self, kinds: Counter[SkipKind]) -> None:
        self.podcast += kinds["podcast"]
        self.audiobook += kinds["audiobook"]
        self.video += kinds["video"]
        self.no_track += kinds["no_track"]

    @property
    def total(self) -> int:
        return self.podcast + self.audiobook + self.video + self.no_track


class FailedFile(BaseModel):
    """A file that contributed nothing, and where it went wrong."""

    file: str
    reason: str
    byte_offset: int | None = Field(default=None, description="Where in the file, in bytes")
    record_index: int | None = Field(
        default=None, description="Which record of the array (0-based)"
    )

    def describe(self) -> str:
        where = []
        if self.record_index is not None:
            where.append(f"record {self.record_index}")
        if self.byte_offset is not None:
            where.append(f"byte {self.byte_offset}")
        return f"{self.reason} (at {', '.join(where)})" if where else self.reason


class HistoryImportReport(BaseModel):
    """Counts cover the files that were imported; a failed file adds only its failure."""

    files: int = Field(default=0, description="Files given")
    files_imported: int = 0
    records_read: int = 0
    plays_new: int = 0
    duplicates: int = Field(default=0, description="Plays already stored, or repeated")
    skipped: SkippedRecords = Field(default_factory=SkippedRecords)
    tracks_added: int = Field(default=0, description="Tracks added to the catalog")
    failed: list[FailedFile] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        """Every file was imported."""
        return not self.failed
