"""The official Python SDK client against a Streamable HTTP URL that requires a bearer token.

Usage: python py_http_auth_client.py <url> <token-or-empty>

With a token: initialize, list tools, call echo with `Authorization: Bearer <token>`.
Without (empty argument): one raw POST of initialize, to see the 401 and its challenge.
Prints one JSON object.
"""

import asyncio
import json
import sys

import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client


async def with_token(url: str, token: str) -> dict:
    client = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
    async with client:
        async with streamable_http_client(url, http_client=client) as (read, write):
            async with ClientSession(read, write) as session:
                init = await session.initialize()
                tools = (await session.list_tools()).tools
                result = await session.call_tool("echo", {"text": "hello with a token"})
                return {"server": init.server_info.name, "tools": sorted(t.name for t in tools),
                        "echo": result.content[0].text}


async def without_token(url: str) -> dict:
    body = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                       "clientInfo": {"name": "py", "version": "0"}}}
    async with create_mcp_http_client() as client:
        r = await client.post(url, json=body,
                              headers={"Accept": "application/json, text/event-stream"})
        return {"status": r.status_code, "www_authenticate": r.headers.get("www-authenticate")}


if __name__ == "__main__":
    url, token = sys.argv[1], sys.argv[2]
    run = with_token(url, token) if token else without_token(url)
    print(json.dumps(asyncio.run(run)))
