"""Conversations, the assistant's orchestration and the music tools it calls.

Storage plugs in through `ConversationRepo` in `echotune.storage.base`, which
takes and returns the models in models.py (NewMessage, ChatMessage,
ConversationSummary).
"""
