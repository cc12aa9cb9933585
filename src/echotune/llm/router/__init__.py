"""The LLM router: one Provider in front of many. Policies rank the providers
(`policies.py`), a circuit breaker per provider stops calling a failing one (`breaker.py`),
live stats feed the policies and `describe()` (`stats.py`), daily budgets cap tokens and
spend per user and overall (`budgets.py`, `redis_ledger.py`), latency-critical calls may be
hedged (`hedge.py`), and Prometheus metrics are kept per provider (`metrics.py`).

Plugs in here: any `Provider`; a `Ledger` for where budget spending is kept.
"""

from echotune.llm.router.breaker import BreakerConfig, BreakerState, CircuitBreaker, Permit
from echotune.llm.router.budgets import BudgetLimits, Budgets, Ledger, MemoryLedger, Spend
from echotune.llm.router.factory import build_router
from echotune.llm.router.metrics import RouterMetrics
from echotune.llm.router.plan import estimate_input_tokens
from echotune.llm.router.policies import POLICIES, rank
from echotune.llm.router.redis_ledger import RedisLedger
from echotune.llm.router.router import Router
from echotune.llm.router.stats import ProviderStats
from echotune.llm.router.status import ProviderStatus

__all__ = [
    "POLICIES",
    "BreakerConfig",
    "BreakerState",
    "BudgetLimits",
    "Budgets",
    "CircuitBreaker",
    "Ledger",
    "MemoryLedger",
    "Permit",
    "ProviderStats",
    "ProviderStatus",
    "RedisLedger",
    "Router",
    "RouterMetrics",
    "Spend",
    "build_router",
    "estimate_input_tokens",
    "rank",
]
