"""Raw Streamable HTTP checks against a running server, with the standard library only.

Usage: python http_raw.py <scenario> <url>
  resume    call slow_count over SSE, drop the stream mid-call, resume with Last-Event-ID
  errors    DELETE then 404, foreign Origin 403, oversized body 413, missing session 400
  sessions  open and delete N sessions (N from argv[3], default 1000)
  task-input  run requests-server's `approve` as a task with no GET stream open: its elicitation
            must arrive on the stream of the waiting tasks/result, which then returns the result

Prints one JSON object; exits non-zero on a failed expectation.
"""

import http.client
import json
import sys
import time
import urllib.parse

ACCEPT = "application/json, text/event-stream"


class Conn:
    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.host, self.port, self.path = u.hostname, u.port, u.path or "/mcp"

    def open(self):
        return http.client.HTTPConnection(self.host, self.port, timeout=30)

    def post(self, body, session=None, headers=None, conn=None):
        c = conn or self.open()
        h = {"Content-Type": "application/json", "Accept": ACCEPT}
        if session:
            h["Mcp-Session-Id"] = session
            h["MCP-Protocol-Version"] = "2025-11-25"
        h.update(headers or {})
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        c.request("POST", self.path, body=data, headers=h)
        return c, c.getresponse()


def sse_events(resp):
    """Yields (id, data) for each SSE event of a streaming response."""
    event_id, data = None, []
    while True:
        line = resp.fp.readline()
        if not line:
            return
        line = line.decode().rstrip("\r\n")
        if line == "":
            if data or event_id is not None:
                yield event_id, "\n".join(data)
            event_id, data = None, []
        elif line.startswith("id:"):
            event_id = line[3:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())


def first_json(resp):
    if resp.getheader("Content-Type", "").startswith("application/json"):
        return json.loads(resp.read())
    for _, data in sse_events(resp):
        if data:
            return json.loads(data)
    raise AssertionError("no JSON in response")


def initialize(conn, capabilities=None):
    c, r = conn.post({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": capabilities or {},
        "clientInfo": {"name": "raw", "version": "1"}}})
    assert r.status == 200, r.status
    session = r.getheader("Mcp-Session-Id")
    result = first_json(r)
    c.close()
    assert session, "no session id"
    c, r = conn.post({"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
    assert r.status == 202, r.status
    r.read()
    c.close()
    return session, result


def resume(conn):
    session, _ = initialize(conn)
    n = 20
    c, r = conn.post({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "slow_count", "arguments": {"n": n, "delay_ms": 50}, "_meta": {"progressToken": "p"}}}, session)
    assert r.status == 200 and r.getheader("Content-Type").startswith("text/event-stream")
    seen, last_id, before_drop = [], None, 0
    for event_id, data in sse_events(r):
        last_id = event_id or last_id
        if data:
            seen.append(json.loads(data))
            before_drop += 1
        if before_drop == 5:
            break
    c.sock.close()  # drop the stream mid-call: not a cancellation
    c.close()
    time.sleep(0.3)
    c = conn.open()
    c.request("GET", conn.path, headers={"Accept": "text/event-stream", "Mcp-Session-Id": session,
                                         "MCP-Protocol-Version": "2025-11-25", "Last-Event-ID": last_id})
    r = c.getresponse()
    assert r.status == 200, r.status
    for _, data in sse_events(r):
        if data:
            msg = json.loads(data)
            seen.append(msg)
            if msg.get("id") == 1:
                break
    c.close()
    progress = [m["params"]["progress"] for m in seen if m.get("method") == "notifications/progress"]
    result = [m for m in seen if m.get("id") == 1]
    return {"progress": progress, "before_drop": before_drop, "result": result[0]["result"] if result else None,
            "responses": len(result)}


def task_input(conn):
    session, _ = initialize(conn, {"elicitation": {"form": {}}})
    c, r = conn.post({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "approve", "arguments": {"item": "raw"}, "task": {"ttl": 60000}}}, session)
    created = first_json(r)
    c.close()
    task_id = created["result"]["task"]["taskId"]
    c, r = conn.post({"jsonrpc": "2.0", "id": 2, "method": "tasks/result", "params": {"taskId": task_id}}, session)
    assert r.status == 200 and r.getheader("Content-Type").startswith("text/event-stream"), r.status
    out = {"task_id": task_id, "on_result_stream": []}
    for _, data in sse_events(r):
        if not data:
            continue
        msg = json.loads(data)
        out["on_result_stream"].append(msg.get("method") or ("response" if msg.get("id") == 2 else "other"))
        if msg.get("method") == "elicitation/create":
            out["elicitation_meta"] = msg["params"].get("_meta")
            # While the form is open the task is input_required.
            c2, r2 = conn.post({"jsonrpc": "2.0", "id": 3, "method": "tasks/get", "params": {"taskId": task_id}},
                               session)
            out["status_while_asking"] = first_json(r2)["result"]["status"]
            c2.close()
            c2, r2 = conn.post({"jsonrpc": "2.0", "id": msg["id"], "result": {
                "action": "accept", "content": {"approved": True}}}, session)
            out["answer_status"] = r2.status
            r2.read()
            c2.close()
        elif msg.get("id") == 2:
            out["result"] = msg.get("result") or msg.get("error")
            break
    c.close()
    return out


def errors(conn):
    out = {}
    session, _ = initialize(conn)
    c = conn.open()
    c.request("DELETE", conn.path, headers={"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"})
    out["delete"] = c.getresponse().status
    c.close()
    c, r = conn.post({"jsonrpc": "2.0", "id": 2, "method": "ping"}, session)
    out["after_delete"] = r.status
    c.close()
    c, r = conn.post({"jsonrpc": "2.0", "id": 3, "method": "ping"}, None)
    out["no_session"] = r.status
    c.close()
    c, r = conn.post({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "x", "version": "1"}}},
        headers={"Origin": "http://evil.example.com"})
    out["foreign_origin"] = r.status
    c.close()
    # An oversized body: the server answers as soon as it knows (from Content-Length), without
    # reading the body, so send the head and a first chunk over a raw socket and read the status.
    import socket
    s = socket.create_connection((conn.host, conn.port), timeout=30)
    head = (f"POST {conn.path} HTTP/1.1\r\nHost: {conn.host}:{conn.port}\r\n"
            f"Content-Type: application/json\r\nAccept: {ACCEPT}\r\n"
            f"Content-Length: {5 * 1024 * 1024}\r\n\r\n")
    s.sendall(head.encode() + b'{"jsonrpc":"2.0"')
    status_line = s.makefile("rb").readline().decode()
    s.close()
    out["oversized"] = int(status_line.split()[1])
    return out


def sessions(conn, n):
    start = time.time()
    for i in range(n):
        session, _ = initialize(conn)
        c = conn.open()
        c.request("DELETE", conn.path, headers={"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"})
        assert c.getresponse().status in (200, 202, 204)
        c.close()
    return {"sessions": n, "seconds": round(time.time() - start, 2)}


if __name__ == "__main__":
    scenario, url = sys.argv[1], sys.argv[2]
    conn = Conn(url)
    if scenario == "resume":
        out = resume(conn)
    elif scenario == "task-input":
        out = task_input(conn)
    elif scenario == "errors":
        out = errors(conn)
    else:
        out = sessions(conn, int(sys.argv[3]) if len(sys.argv) > 3 else 1000)
    print(json.dumps(out))
