"""The users domain: EchoTune users and their API tokens.

Storage plugs in through `UserRepo` and `TokenRepo` in `echotune.storage.base`.
"""
