"""Socket.IO: the live side of the API (namespace /chat streams the music chat).

Plugs in here: one python-socketio AsyncServer mounted at /socket.io, a namespace
class per feature, each calling the same domain services as the HTTP routes; a
Redis manager spreads events across processes when ECHOTUNE_REDIS_URL is set.
"""
