-- EchoTune schema v3: linked Spotify accounts, sync progress, logins, browser
-- sessions and the playlist-write ledger. Times are UTC ISO text to the
-- millisecond (rows.to_db_time), so text order is time order.

-- Tokens are AES-GCM ciphertext (accounts/crypto.py), never plaintext; a
-- disconnected link keeps its row with both tokens emptied.
CREATE TABLE spotify_links (
    user_id            TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    spotify_user_id    TEXT NOT NULL UNIQUE,
    display_name       TEXT,
    product            TEXT,
    scope              TEXT NOT NULL,
    access_token_enc   BLOB NOT NULL,
    refresh_token_enc  BLOB NOT NULL,
    expires_at         TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('connected', 'disconnected')),
    status_reason      TEXT,
    connected_at       TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);

CREATE INDEX ix_spotify_links_status ON spotify_links (status, user_id);

CREATE TABLE sync_state (
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    resource    TEXT NOT NULL,
    cursor      TEXT,
    done        INTEGER NOT NULL CHECK (done IN (0, 1)),
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, resource)
) WITHOUT ROWID;

-- No user yet: a login attempt comes before we know who logs in.
CREATE TABLE login_attempts (
    state       TEXT PRIMARY KEY NOT NULL,
    verifier    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    return_to   TEXT
);

CREATE INDEX ix_login_attempts_created ON login_attempts (created_at);

-- Not user_sessions: that table (v1) is for listening sessions.
CREATE TABLE auth_sessions (
    id_hash     TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

CREATE INDEX ix_auth_sessions_user ON auth_sessions (user_id);
CREATE INDEX ix_auth_sessions_expires ON auth_sessions (expires_at);

CREATE TABLE playlist_writes (
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    request_key   TEXT NOT NULL,
    payload_hash  TEXT NOT NULL,
    owner         TEXT NOT NULL,
    lease_until   TEXT NOT NULL,
    playlist_id   TEXT,
    snapshot_id   TEXT,
    items_added   INTEGER NOT NULL CHECK (items_added >= 0),
    done          INTEGER NOT NULL CHECK (done IN (0, 1)),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (user_id, request_key)
) WITHOUT ROWID;
