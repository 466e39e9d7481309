"""A small MCP server on the official Python SDK's high-level API (mcp 2.3.0), for driving
OUR client against a third-party server.

Usage: python py_server.py stdio
       python py_server.py http <port>      (Streamable HTTP on http://127.0.0.1:<port>/mcp)

It has a tool that reports progress and logs, a static resource, a resource template and two
prompts. `logging/setLevel` is not registered by `MCPServer` in 2.x (the logging capability is
deprecated as of 2026-07-28), so it is added on the low-level server: the level is recorded and
log messages below it are not sent.
"""

import sys
import warnings

from mcp import types
from mcp.server.mcpserver import Context, MCPServer

# The logging capability is deprecated as of the 2026-07-28 revision; the SDK warns on every use.
warnings.simplefilter("ignore")

LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"]

mcp = MCPServer("py-interop-server", version="2.3.0-test", instructions="A Python SDK server for interop tests.")
state = {"level": "info"}


async def set_level(ctx, params: types.SetLevelRequestParams) -> types.EmptyResult:
    state["level"] = params.level
    return types.EmptyResult()


mcp._lowlevel_server.add_request_handler("logging/setLevel", types.SetLevelRequestParams, set_level)


async def log(ctx: Context, level: str, message: str) -> None:
    if LEVELS.index(level) >= LEVELS.index(state["level"]):
        await ctx.log(level, message, logger_name="py-interop")


@mcp.tool(description="Count to n, reporting progress and logging at each step.")
async def count(n: int, ctx: Context) -> str:
    await log(ctx, "debug", f"counting to {n}")
    for i in range(1, n + 1):
        await ctx.report_progress(i, n, f"step {i}")
        await log(ctx, "info", f"step {i} of {n}")
    return f"counted to {n}"


@mcp.tool(description="Add two integers.")
def add(a: int, b: int) -> int:
    return a + b


@mcp.resource("py://static", name="static", description="A fixed text.", mime_type="text/plain")
def static() -> str:
    return "static text from python"


@mcp.resource("py://items/{item_id}", name="item", description="One item, by id.", mime_type="application/json")
def item(item_id: str) -> str:
    return '{"id": "%s", "source": "python"}' % item_id


@mcp.prompt(description="A prompt without arguments.")
def hello() -> str:
    return "Hello from the Python server."


@mcp.prompt(description="Greets someone by name.")
def greet(name: str, style: str = "plain") -> str:
    return f"Greet {name} in a {style} style."


if __name__ == "__main__":
    if sys.argv[1] == "stdio":
        mcp.run("stdio")
    else:
        mcp.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
