-- EchoTune schema v1. Applied once, inside one transaction, by migrate.py;
-- never edit a released migration, add 0002_*.sql instead.

CREATE TABLE tracks (
    id                   TEXT PRIMARY KEY NOT NULL,
    name                 TEXT NOT NULL,
    artist_id            TEXT NOT NULL,
    artist_name          TEXT NOT NULL,
    album_id             TEXT,
    album_name           TEXT,
    release_date         TEXT,
    popularity           INTEGER NOT NULL CHECK (popularity BETWEEN 0 AND 100),
    duration_ms          INTEGER NOT NULL CHECK (duration_ms >= 0),
    explicit             INTEGER NOT NULL CHECK (explicit IN (0, 1)),
    genre                TEXT,
    subgenre             TEXT,
    -- Lower-cased copies made in Python: SQLite's own lower() and LIKE fold
    -- ASCII only, and search must be case-insensitive for every script.
    name_lc              TEXT NOT NULL,
    artist_name_lc       TEXT NOT NULL,
    album_name_lc        TEXT,
    -- Audio features: all NULL when the track is known only by metadata.
    acousticness         REAL,
    danceability         REAL,
    feature_duration_ms  INTEGER,
    energy               REAL,
    instrumentalness     REAL,
    key                  INTEGER,
    liveness             REAL,
    loudness             REAL,
    mode                 INTEGER,
    speechiness          REAL,
    tempo                REAL,
    time_signature       INTEGER,
    valence              REAL
) WITHOUT ROWID;

CREATE INDEX ix_tracks_artist_popularity ON tracks (artist_id, popularity DESC);
CREATE INDEX ix_tracks_genre ON tracks (genre);
CREATE INDEX ix_tracks_name_lc ON tracks (name_lc);

CREATE TABLE users (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT,
    last_used_at  TEXT
);

CREATE INDEX ix_api_tokens_user ON api_tokens (user_id, created_at);

-- Tables for listening history, sessions and chat. Their repositories come
-- later; the tables exist now so one schema version serves every release.
-- track_id has no foreign key: a history export names tracks the catalog
-- may not hold.
CREATE TABLE listening_events (
    id          INTEGER PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    track_id    TEXT NOT NULL,
    played_at   TEXT NOT NULL,
    ms_played   INTEGER NOT NULL DEFAULT 0 CHECK (ms_played >= 0),
    genre       TEXT,
    source      TEXT,
    skipped     INTEGER NOT NULL DEFAULT 0 CHECK (skipped IN (0, 1))
);

CREATE INDEX ix_listening_events_user_genre_time
    ON listening_events (user_id, genre, played_at DESC);

CREATE TABLE user_sessions (
    id             TEXT PRIMARY KEY NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_start  TEXT NOT NULL,
    last_activity  TEXT NOT NULL
);

CREATE INDEX ix_user_sessions_user_start ON user_sessions (user_id, session_start DESC);
CREATE INDEX ix_user_sessions_last_activity ON user_sessions (last_activity DESC);

CREATE TABLE ai_conversations (
    id               INTEGER PRIMARY KEY,
    conversation_id  TEXT NOT NULL,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message_order    INTEGER NOT NULL,
    timestamp        TEXT NOT NULL,
    role             TEXT NOT NULL,
    content          TEXT NOT NULL
);

CREATE INDEX ix_ai_conversations_user_time ON ai_conversations (user_id, timestamp DESC);
CREATE UNIQUE INDEX ix_ai_conversations_order
    ON ai_conversations (conversation_id, message_order);
