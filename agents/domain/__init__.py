"""Pure rules of the office agent's wire protocol, shared by the agent box and the server.

No Django, no clock, no IO: records, hashes, signatures and timestamps come in as arguments.
"""

from agents.domain.chain import (
    GENESIS_HASH,
    ChainFinding,
    ChainVerdict,
    ReceivedRecord,
    StoredReceipt,
    canonical_json,
    record_hash,
    verify_chain,
)
from agents.domain.signing import sign_batch, signature_matches
from agents.domain.timeline import AgentClock, Placement, place_record

__all__ = [
    "GENESIS_HASH",
    "AgentClock",
    "ChainFinding",
    "ChainVerdict",
    "Placement",
    "ReceivedRecord",
    "StoredReceipt",
    "canonical_json",
    "place_record",
    "record_hash",
    "sign_batch",
    "signature_matches",
    "verify_chain",
]
