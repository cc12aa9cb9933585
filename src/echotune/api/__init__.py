"""HTTP delivery: thin routes over the domain services.

Routes plug in under `api/routes/<domain>.py` and are mounted in
`api/router.py`, the whole URL map in one file.
"""
