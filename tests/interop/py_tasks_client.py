"""Drive the tasks example over stdio with the official Python SDK's session and transport.

The SDK (2.3.0) has no typed task calls, so the task requests go through its session's
JSON-RPC dispatcher as raw method + params (the same path its typed calls take).

Usage: python py_tasks_client.py <tasks-server-binary>

Prints one JSON object describing what it saw; exits non-zero on any failed expectation.
"""

import asyncio
import json
import os
import sys

from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.shared.exceptions import MCPError


async def main(command: str) -> dict:
    seen: dict = {}
    env = dict(os.environ, TASKS_SERVER_EPOCH_MS="10")
    params = StdioServerParameters(command=command, args=[], env=env)
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            caps = init.capabilities.model_dump(by_alias=True, exclude_none=True)
            seen["tasks_capability"] = caps.get("tasks")
            tools = (await session.list_tools()).tools
            seen["tools"] = {
                t.name: t.model_dump(by_alias=True, exclude_none=True) for t in tools
            }
            raw = session._dispatcher.send_raw_request
            created = await raw(
                "tools/call",
                {
                    "name": "training_task",
                    "arguments": {"model_id": "py", "data_path": "/d"},
                    "task": {"ttl": 60000},
                },
                {},
            )
            task_id = created["task"]["taskId"]
            seen["created"] = created["task"]
            await asyncio.sleep(0.1)
            seen["get"] = await raw("tasks/get", {"taskId": task_id}, {})
            seen["list"] = await raw("tasks/list", {}, {})
            seen["result"] = await raw("tasks/result", {"taskId": task_id}, {})
            seen["after"] = await raw("tasks/get", {"taskId": task_id}, {})
            try:
                await raw("tasks/get", {"taskId": "nope"}, {})
                seen["unknown"] = None
            except MCPError as e:
                seen["unknown"] = e.error.code
    return seen


if __name__ == "__main__":
    out = asyncio.run(main(sys.argv[1]))
    print(json.dumps(out))
