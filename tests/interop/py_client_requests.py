"""Server-to-client requests answered by the official Python SDK client (mcp 2.3.0).

Usage: python py_client_requests.py <server-binary>

Drives the conformance server over stdio: elicitation accepted, declined and cancelled,
sampling, roots, and the same tools from a client that declared none of these capabilities.
Prints one JSON object.
"""

import asyncio
import json
import sys

from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp import types


async def elicitation(context, params):
    message = params.message
    if "decline" in message:
        return types.ElicitResult(action="decline")
    if "cancel" in message:
        return types.ElicitResult(action="cancel")
    return types.ElicitResult(action="accept", content={"username": "ada", "email": "ada@example.com"})


async def sampling(context, params):
    prompt = params.messages[0].content.text
    return types.CreateMessageResult(
        role="assistant", content=types.TextContent(type="text", text=f"py-model says {prompt}"), model="py-model"
    )


async def roots(context):
    return types.ListRootsResult(roots=[types.Root(uri="file:///py/work", name="work")])


def text(result):
    return result.content[0].text if result.content else None


async def main(server: str) -> dict:
    out = {}
    params = StdioServerParameters(command=server, args=[])
    async with stdio_client(params) as (read, write):
        async with ClientSession(
            read, write, elicitation_callback=elicitation, sampling_callback=sampling, list_roots_callback=roots
        ) as session:
            await session.initialize()
            for choice in ["accept", "decline", "cancel"]:
                r = await session.call_tool("test_elicitation", {"message": f"please {choice}"})
                out[f"elicit_{choice}"] = text(r)
            r = await session.call_tool("test_elicitation_sep1034_defaults", {})
            out["elicit_typed"] = text(r)
            r = await session.call_tool("test_sampling", {"prompt": "hello"})
            out["sampling"] = text(r)
            r = await session.call_tool("test_roots", {})
            out["roots"] = text(r)
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            for tool, args in [("test_elicitation", {"message": "x"}), ("test_sampling", {"prompt": "x"}), ("test_roots", {})]:
                try:
                    r = await session.call_tool(tool, args)
                    out[f"without_{tool}"] = {"is_error": r.is_error, "text": text(r)}
                except Exception as e:  # the SDK raises for JSON-RPC errors
                    out[f"without_{tool}"] = {"error": str(e), "code": getattr(getattr(e, "error", None), "code", None)}
    return out


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1]))))
