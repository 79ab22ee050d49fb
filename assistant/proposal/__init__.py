"""Reading real proposals: header fields, the suggestion list, and warnings where the reader is unsure.

``layout`` says what each line is (form field, section heading, text), ``sections`` cuts the body into
analysis / suggestion / body parts, ``markers`` and ``items`` find the top-level enumerated suggestions,
``fields`` reads title, number, session and proposer, ``checks`` writes the warnings.
"""

from assistant.proposal.reader import (
    MAX_PROPOSAL_CHARS,
    ProposalError,
    extract_suggestions,
    load_proposal,
    parse_proposal,
)

__all__ = ["MAX_PROPOSAL_CHARS", "ProposalError", "extract_suggestions", "load_proposal", "parse_proposal"]
