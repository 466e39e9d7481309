"""The official Python SDK client against a Streamable HTTP URL: initialize, list, call.

Usage: python py_http_client.py <url>
"""

import asyncio
import json
import sys

from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client


async def main(url: str) -> dict:
    async with streamable_http_client(url) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            tools = (await session.list_tools()).tools
            result = await session.call_tool("echo", {"text": "hello over http"})
            return {"server": init.server_info.name, "tools": sorted(t.name for t in tools),
                    "echo": result.content[0].text}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1]))))
