"""Drive an MCP server over stdio with the official Python SDK, as a third party would.

Usage: python py_stdio_client.py <server-binary> [args...]

Prints one JSON object describing what it saw; exits non-zero on any failed expectation.
"""

import asyncio
import json
import sys

from mcp import ClientSession, StdioServerParameters, stdio_client


async def main(command: str, args: list[str]) -> dict:
    seen: dict = {"progress": [], "logs": []}

    async def on_log(params) -> None:
        seen["logs"].append({"level": params.level, "data": params.data})

    async with stdio_client(StdioServerParameters(command=command, args=args)) as (read, write):
        async with ClientSession(read, write, logging_callback=on_log) as session:
            init = await session.initialize()
            seen["server_info"] = {"name": init.server_info.name, "version": init.server_info.version}
            seen["protocol_version"] = init.protocol_version

            tools = (await session.list_tools()).tools
            seen["tools"] = {t.name: {"description": t.description, "input_schema": t.input_schema} for t in tools}

            result = await session.call_tool("echo", {"text": "hello from python"})
            seen["echo"] = {"text": result.content[0].text, "is_error": result.is_error}

            async def on_progress(progress, total, message) -> None:
                seen["progress"].append({"progress": progress, "total": total, "message": message})

            result = await session.call_tool(
                "slow_count", {"n": 3, "delay_ms": 5}, progress_callback=on_progress
            )
            seen["slow_count"] = result.content[0].text

            bad = await session.call_tool("echo", {"text": 42})
            seen["bad_arguments"] = {"is_error": bad.is_error, "text": bad.content[0].text}
    return seen


if __name__ == "__main__":
    out = asyncio.run(main(sys.argv[1], sys.argv[2:]))
    print(json.dumps(out))
