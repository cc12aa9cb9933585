"""The listening domain: plays, feedback, history import and sessions.

Storage plugs in through `ListeningRepo` and `FeedbackRepo` in
`echotune.storage.base`; a backend may read a `PlayBatch` (play_batch.py)
column-wise instead of play by play.

- models.py: Play, Feedback, UserTrackStats.
- service.py: HistoryService, what the API and CLI call; views.py its inputs
  and answers.
- history_import.py: importing Spotify exports, built from json_array.py
  (streaming JSON arrays), export_fields.py (records decoded straight into
  structs), export_records.py (what a record means), file_batches.py,
  catalog_links.py (tracks the catalog lacks) and import_report.py.
"""
