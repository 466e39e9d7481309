"""URL-mode elicitation, sampling with tools and mid-request cancellation, answered by the
official Python SDK client (mcp 2.3.0) against our `requests-server` test binary over stdio.

Usage: python py_client_requests_more.py <server-binary>

Prints one JSON object with what the client saw.
"""

import asyncio
import json
import sys

import anyio
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp import types

seen = {"url_requests": [], "completed": [], "sampling_turns": [], "callback_cancelled": False}
url_answer = {"action": "accept"}
callback_started = anyio.Event()


async def elicitation(context, params):
    if getattr(params, "mode", None) == "url":
        seen["url_requests"].append(
            {"message": params.message, "url": params.url, "elicitationId": params.elicitation_id}
        )
        return types.ElicitResult(action=url_answer["action"])
    # Form mode: the user never answers; the server must cancel this when the tool is cancelled.
    callback_started.set()
    try:
        await anyio.sleep(3600)
    except anyio.get_cancelled_exc_class():
        seen["callback_cancelled"] = True
        raise
    return types.ElicitResult(action="decline")


async def sampling(context, params):
    turn = len(seen["sampling_turns"]) + 1
    seen["sampling_turns"].append(
        {
            "tools": [t.name for t in (params.tools or [])],
            "tool_choice": params.tool_choice.mode if params.tool_choice else None,
            "messages": len(params.messages),
        }
    )
    if turn == 1:
        return types.CreateMessageResultWithTools(
            role="assistant",
            content=[types.ToolUseContent(id="call-1", name="get_weather", input={"city": "Oslo"})],
            model="py-model",
            stop_reason="toolUse",
        )
    last = params.messages[-1]
    blocks = last.content if isinstance(last.content, list) else [last.content]
    result = blocks[0]
    seen["tool_result"] = {"type": result.type, "toolUseId": result.tool_use_id, "text": result.content[0].text}
    return types.CreateMessageResultWithTools(
        role="assistant",
        content=[types.TextContent(type="text", text=f"py-model: {result.content[0].text}")],
        model="py-model",
        stop_reason="endTurn",
    )


async def on_message(message):
    if getattr(message, "method", None) == "notifications/elicitation/complete":
        seen["completed"].append(message.params.elicitation_id)


def text(result):
    return result.content[0].text if result.content else None


async def main(server: str) -> dict:
    params = StdioServerParameters(command=server, args=[])
    async with stdio_client(params) as (read, write):
        async with ClientSession(
            read,
            write,
            elicitation_callback=elicitation,
            sampling_callback=sampling,
            message_handler=on_message,
            sampling_capabilities=types.SamplingCapability(tools=types.SamplingToolsCapability()),
        ) as session:
            await session.initialize()
            for action in ["accept", "decline", "cancel"]:
                url_answer["action"] = action
                r = await session.call_tool("connect_account", {"service": action})
                seen[f"url_{action}"] = text(r)
            try:
                await session.call_tool("read_private_repo", {})
                seen["url_required"] = "no error"
            except Exception as e:  # the SDK raises for JSON-RPC errors
                error = getattr(e, "error", None)
                seen["url_required"] = {
                    "type": type(e).__name__,
                    "code": getattr(error, "code", None),
                    "data": getattr(error, "data", None),
                }
            r = await session.call_tool("weather_agent", {"city": "Oslo"})
            seen["weather"] = text(r)
            # Cancel a tool while its elicitation waits for the user: the client abandons the call
            # (sending notifications/cancelled), the server cancels the tool, which cancels the
            # pending elicitation request back to this client.
            with anyio.move_on_after(5):
                async with anyio.create_task_group() as tg:

                    async def call():
                        with anyio.CancelScope() as scope:
                            seen["ask_scope"] = scope
                            await session.call_tool("ask_user", {"question": "never answered"})

                    tg.start_soon(call)
                    await callback_started.wait()
                    seen.pop("ask_scope").cancel()
            for _ in range(100):
                if seen["callback_cancelled"]:
                    break
                await anyio.sleep(0.02)
            r = await session.call_tool("connect_account", {"service": "after-cancel"})
            seen["after_cancel"] = text(r)
    # Give the server's stderr a moment; the session is closed now.
    await asyncio.sleep(0)
    return seen


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1])), default=str))
