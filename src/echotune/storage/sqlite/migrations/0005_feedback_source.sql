-- EchoTune schema v5: feedback may be mirrored from elsewhere (a Spotify sync).
--
-- `source` names where an entry came from; NULL is the listener's own feedback,
-- which stays an append-only log. A sourced entry is a fact mirrored from its
-- source, stored once per (user, source, kind, track): the partial unique index
-- makes a repeated or resumed sync insert nothing twice (ON CONFLICT DO NOTHING)
-- and serves removing a source's entries that no longer hold (an unsaved track).

ALTER TABLE feedback ADD COLUMN source TEXT;

CREATE UNIQUE INDEX ix_feedback_sourced
    ON feedback (user_id, source, kind, track_id) WHERE source IS NOT NULL;
