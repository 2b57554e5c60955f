"""Runs one `PromptOperator.act` in a real terminal, for test_prompt_in_tmux.py.

Asks the person at the terminal to make the CSMS send a RemoteStartTransaction, then prints the
`OperatorResult` as one JSON line prefixed with `OCTT-RESULT `. Nothing ever sets `arrived`:
the answer has to come from the keyboard (or the deadline).

    python tests/integration/prompt_driver.py [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from rich.console import Console

from octt.operator.base import OperatorRequest, OperatorResult
from octt.operator.prompt import PromptOperator

CP_ID = "CP-TMUX-7"
ID_TAG = "TAG-TMUX-42"
INSTRUCTION = f"In the CSMS UI, start a charging session on connector 1 for idTag {ID_TAG}."


async def ask(timeout_s: float) -> OperatorResult:
    operator = PromptOperator(Console(), sys.stdin)
    request = OperatorRequest(
        cp_id=CP_ID,
        action="RemoteStartTransaction",
        payload={"connectorId": 1, "idTag": ID_TAG},
        instruction=INSTRUCTION,
        timeout_s=timeout_s,
    )
    try:
        return await operator.act(request, asyncio.Event())
    finally:
        await operator.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    result = asyncio.run(ask(args.timeout))
    line = {
        "outcome": result.outcome.value,
        "detail": result.detail,
        "elapsed_s": round(result.elapsed_s, 3),
    }
    print("OCTT-RESULT " + json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
