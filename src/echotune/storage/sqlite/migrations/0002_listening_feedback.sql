-- EchoTune schema v2: listening history and feedback get their repositories.
--
-- listening_events is rebuilt keyed by what identifies a play. The key is
-- (user_id, played_at, track_id), not (user_id, track_id, played_at): it is
-- just as unique, and in this order the table itself serves a user's history
-- newest first, and a time-ordered export appends to it instead of inserting
-- at random. That leaves two B-trees per play (the table and the genre index)
-- instead of four with a rowid table: committing 1M staged plays took 3.5 s
-- instead of about 10 s. Per-track statistics group one user's range at a time.
CREATE TABLE listening_events_v2 (
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    played_at   TEXT NOT NULL,
    track_id    TEXT NOT NULL,
    ms_played   INTEGER NOT NULL DEFAULT 0 CHECK (ms_played >= 0),
    skipped     INTEGER NOT NULL DEFAULT 0 CHECK (skipped IN (0, 1)),
    context     TEXT,
    source      TEXT NOT NULL DEFAULT 'api',
    genre       TEXT,
    PRIMARY KEY (user_id, played_at, track_id)
) WITHOUT ROWID;

-- v1 had no repository writing this table; copied anyway, first copy kept,
-- a missing source read as the model's default.
INSERT OR IGNORE INTO listening_events_v2
    (user_id, played_at, track_id, ms_played, skipped, source, genre)
SELECT user_id, played_at, track_id, ms_played, skipped, coalesce(source, 'api'), genre
FROM listening_events
ORDER BY id;

DROP TABLE listening_events;

ALTER TABLE listening_events_v2 RENAME TO listening_events;

-- Ascending, unlike v1's: SQLite reads an index backwards just as well, and
-- plays arriving in time order then append instead of splitting pages at the
-- front of each range, which made an import's commit a third faster.
-- (The name stays v1's: status checks look indexes up by name.)
CREATE INDEX ix_listening_events_user_genre_time
    ON listening_events (user_id, genre, played_at);

-- Append-only: every like, dislike, skip and save, in the order given.
CREATE TABLE feedback (
    id        INTEGER PRIMARY KEY,
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    track_id  TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('like', 'dislike', 'skip', 'save')),
    at        TEXT NOT NULL
);

CREATE INDEX ix_feedback_user_time ON feedback (user_id, at DESC, id DESC);
