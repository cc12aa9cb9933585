"""The MongoDB backend for deployments, over PyMongo's AsyncMongoClient.

What plugs in here: a repository per Protocol of `echotune.storage.base`
(tracks.py, artists.py, users.py, listening.py, feedback.py, links.py,
auth.py, playlist_writes.py, conversations.py) over camelCase documents
(codec.py), bundled by `MongoStorage` (storage.py) over one client
(client.py). New collections and indexes plug in to schema.py, which creates
them idempotently at open; driver errors are translated in errors.py.
"""

from echotune.storage.mongo.storage import MongoStorage

__all__ = ["MongoStorage"]
