"""The listening domain: plays, feedback, history import and sessions.

Storage plugs in through `ListeningRepo` and `FeedbackRepo` in
`echotune.storage.base`.
"""
