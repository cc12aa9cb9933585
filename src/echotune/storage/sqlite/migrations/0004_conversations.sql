-- EchoTune schema v4: chat conversations get their repository.
--
-- ai_conversations (v1) keeps one row per message; `conversations` is one row
-- per conversation, kept up to date with each append, so the list of a user's
-- conversations reads `limit` rows off an index instead of grouping every
-- message the user ever exchanged. It also owns the conversation: appends,
-- reads and deletes check the user here, by primary key.

CREATE TABLE conversations (
    id             TEXT PRIMARY KEY NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title          TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    message_count  INTEGER NOT NULL DEFAULT 0 CHECK (message_count >= 0),
    last_provider  TEXT
);

CREATE INDEX ix_conversations_user_recent ON conversations (user_id, updated_at DESC, id DESC);

-- What a message carries beyond its text (tool calls, provider, tracks shown),
-- as a JSON object that storage never looks inside.
ALTER TABLE ai_conversations ADD COLUMN meta TEXT NOT NULL DEFAULT '{}';

-- v1 had no repository writing messages; any found get their conversation
-- row anyway, so they stay readable. (The repository cuts titles more
-- carefully; an approximation is enough for rows nobody should have.)
INSERT INTO conversations (id, user_id, title, created_at, updated_at, message_count)
SELECT
    m.conversation_id,
    min(m.user_id),
    coalesce(
        (SELECT substr(trim(u.content), 1, 80) FROM ai_conversations AS u
         WHERE u.conversation_id = m.conversation_id AND u.role = 'user'
         ORDER BY u.message_order LIMIT 1),
        ''
    ),
    min(m.timestamp),
    max(m.timestamp),
    count(*)
FROM ai_conversations AS m
GROUP BY m.conversation_id;
