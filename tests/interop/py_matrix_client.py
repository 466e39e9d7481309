"""The official Python SDK client (mcp 2.3.0) against our conformance-server example: resources,
templates, prompts, logging after setLevel, and progress, over stdio or Streamable HTTP.

Usage: python py_matrix_client.py stdio <server-binary> [args...]
       python py_matrix_client.py http <url>

Prints one JSON object describing what it saw; exits non-zero if any request fails.
"""

import asyncio
import json
import sys
import warnings
from contextlib import asynccontextmanager

from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

# `logging/setLevel` is deprecated as of the 2026-07-28 revision; the SDK warns on every use.
warnings.simplefilter("ignore")


@asynccontextmanager
async def connect(transport: str, target: list[str]):
    if transport == "stdio":
        async with stdio_client(StdioServerParameters(command=target[0], args=target[1:])) as (read, write):
            yield read, write
    else:
        async with streamable_http_client(target[0]) as (read, write):
            yield read, write


async def main(transport: str, target: list[str]) -> dict:
    seen: dict = {"logs": [], "progress": []}

    async def on_log(params) -> None:
        seen["logs"].append({"level": params.level, "data": params.data, "logger": params.logger})

    async def on_progress(progress, total, message) -> None:
        seen["progress"].append({"progress": progress, "total": total, "message": message})

    async with connect(transport, target) as (read, write):
        async with ClientSession(read, write, logging_callback=on_log) as session:
            init = await session.initialize()
            seen["server_info"] = {"name": init.server_info.name, "version": init.server_info.version}
            seen["protocol_version"] = init.protocol_version
            caps = init.capabilities
            seen["capabilities"] = sorted(
                k for k in ("tools", "resources", "prompts", "logging", "completions") if getattr(caps, k) is not None
            )

            resources = (await session.list_resources()).resources
            seen["resources"] = sorted(r.uri for r in resources)
            read_result = await session.read_resource("test://static-text")
            c = read_result.contents[0]
            seen["static_text"] = {"uri": c.uri, "mime_type": c.mime_type, "text": c.text}

            templates = (await session.list_resource_templates()).resource_templates
            seen["templates"] = [
                {"uri_template": t.uri_template, "name": t.name, "mime_type": t.mime_type} for t in templates
            ]
            read_result = await session.read_resource("test://template/42/data")
            c = read_result.contents[0]
            seen["template_read"] = {"uri": c.uri, "mime_type": c.mime_type, "json": json.loads(c.text)}

            prompts = (await session.list_prompts()).prompts
            seen["prompts"] = {
                p.name: {"description": p.description, "arguments": [[a.name, a.required] for a in p.arguments or []]}
                for p in prompts
            }
            simple = await session.get_prompt("test_simple_prompt")
            seen["simple_prompt"] = [{"role": m.role, "text": m.content.text} for m in simple.messages]
            with_args = await session.get_prompt("test_prompt_with_arguments", {"arg1": "alpha", "arg2": "beta"})
            seen["prompt_with_arguments"] = [{"role": m.role, "text": m.content.text} for m in with_args.messages]

            # Above the tool's level nothing arrives; at debug, all three messages do.
            await session.set_logging_level("error")
            await session.call_tool("test_tool_with_logging", {})
            await asyncio.sleep(0.1)
            seen["logs_at_error"] = len(seen["logs"])
            seen["logs"].clear()
            await session.set_logging_level("debug")
            result = await session.call_tool("test_tool_with_logging", {})
            seen["logging_tool"] = {"text": result.content[0].text, "is_error": result.is_error}
            # Notifications sent before the response are handled before it; give stragglers a moment.
            for _ in range(20):
                if len(seen["logs"]) >= 3:
                    break
                await asyncio.sleep(0.05)

            result = await session.call_tool("test_tool_with_progress", {}, progress_callback=on_progress)
            seen["progress_tool"] = {"text": result.content[0].text, "is_error": result.is_error}
    return seen


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], sys.argv[2:]))))
