#!/usr/bin/env python3
"""Clients for bench/http-abuse, stdlib only, loopback only, each stopping after --seconds.

  probe     a fresh connection every --interval s: GET /metrics (read to the end, with --auth if
            given) and GET /-/healthy; prints the time of each and a summary
  trickle   N connections that send a request's headers a byte a second, reconnecting when cut off
  stall     N connections that send the first bytes of a request, then nothing
  slowread  N connections that ask for /metrics and read it at 1 KiB/s with a 4 KiB receive buffer
  flood     N concurrent clients sending GET /metrics with a wrong password, one connection each
"""
import argparse
import asyncio
import base64
import json
import socket
import statistics
import sys
import time


def request(path, auth=None):
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    if auth:
        lines.append("Authorization: Basic " + base64.b64encode(auth.encode()).decode())
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def timed_get(port, path, auth, timeout):
    """(status, seconds, bytes) of one GET on a fresh connection, read to the end."""
    start = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(max(0.1, timeout - (time.monotonic() - start)))
            s.sendall(request(path, auth))
            data = bytearray()
            while True:
                chunk = s.recv(1 << 16)
                if not chunk:
                    break
                data += chunk
                if time.monotonic() - start > timeout:
                    raise socket.timeout()
        status = int(data[9:12]) if len(data) >= 12 else 0
        return status, time.monotonic() - start, len(data)
    except (OSError, ValueError):
        return 0, time.monotonic() - start, 0


def summary(name, times, statuses):
    ok = [t for t, s in zip(times, statuses) if s == 200]
    return {
        "what": name,
        "count": len(times),
        "ok": len(ok),
        "median_ms": round(statistics.median(times) * 1000, 1) if times else None,
        "p90_ms": round(sorted(times)[int(len(times) * 0.9)] * 1000, 1) if times else None,
        "max_ms": round(max(times) * 1000, 1) if times else None,
        "statuses": sorted(set(statuses)),
    }


def probe(args):
    end = time.monotonic() + args.seconds
    results = {"/metrics": ([], []), "/-/healthy": ([], [])}
    while time.monotonic() < end:
        tick = time.monotonic()
        for path in results:
            status, seconds, _ = timed_get(args.port, path, args.auth if path == "/metrics" else None, args.timeout)
            results[path][0].append(seconds)
            results[path][1].append(status)
        time.sleep(max(0.0, args.interval - (time.monotonic() - tick)))
    for path, (times, statuses) in results.items():
        print(json.dumps({"label": args.label, **summary(path, times, statuses)}), flush=True)


async def trickler(port, end, stats, send_all):
    head = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100000
    while time.monotonic() < end:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            stats["refused"] += 1
            await asyncio.sleep(1)
            continue
        stats["connections"] += 1
        opened = time.monotonic()
        try:
            if send_all:
                writer.write(head[:30])
                await writer.drain()
                # Wait for the server to close, or the end.
                await asyncio.wait_for(reader.read(1), timeout=max(0.1, end - time.monotonic()))
            else:
                for i in range(len(head)):
                    if time.monotonic() >= end:
                        break
                    writer.write(head[i : i + 1])
                    await writer.drain()
                    try:
                        if await asyncio.wait_for(reader.read(1), timeout=1) == b"":
                            break
                    except asyncio.TimeoutError:
                        pass
            if time.monotonic() < end:
                stats["cut_off"] += 1
                stats["held_s"].append(time.monotonic() - opened)
        except (OSError, asyncio.TimeoutError):
            if time.monotonic() < end:
                stats["cut_off"] += 1
                stats["held_s"].append(time.monotonic() - opened)
        finally:
            writer.close()


async def slow_reader(port, end, stats, auth):
    while time.monotonic() < end:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.setblocking(False)
        try:
            await asyncio.get_running_loop().sock_connect(s, ("127.0.0.1", port))
            reader, writer = await asyncio.open_connection(sock=s)
        except OSError:
            s.close()
            stats["refused"] += 1
            await asyncio.sleep(1)
            continue
        stats["connections"] += 1
        opened = time.monotonic()
        writer.write(request("/metrics", auth))
        try:
            while time.monotonic() < end:
                chunk = await reader.read(1024)
                if not chunk:
                    break
                stats["bytes"] += len(chunk)
                await asyncio.sleep(1)
            if time.monotonic() < end:
                stats["cut_off"] += 1
                stats["held_s"].append(time.monotonic() - opened)
        except OSError:
            stats["cut_off"] += 1
            stats["held_s"].append(time.monotonic() - opened)
        finally:
            writer.close()


async def flooder(port, end, stats, user, n):
    i = 0
    while time.monotonic() < end:
        i += 1
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request("/metrics", f"{user}:guess-{n}-{i}"))
            data = await asyncio.wait_for(reader.read(), timeout=max(0.1, end - time.monotonic()))
            writer.close()
            status = data[9:12].decode() if len(data) >= 12 else "none"
        except (OSError, asyncio.TimeoutError):
            status = "error"
        stats[status] = stats.get(status, 0) + 1


async def run_many(args):
    end = time.monotonic() + args.seconds
    if args.mode == "flood":
        stats = {}
        tasks = [flooder(args.port, end, stats, args.user, n) for n in range(args.n)]
    else:
        stats = {"connections": 0, "cut_off": 0, "refused": 0, "bytes": 0, "held_s": []}
        if args.mode == "slowread":
            tasks = [slow_reader(args.port, end, stats, args.auth) for _ in range(args.n)]
        else:
            tasks = [trickler(args.port, end, stats, args.mode == "stall") for _ in range(args.n)]
    await asyncio.gather(*tasks)
    held = stats.pop("held_s", None)
    if held:
        stats["held_median_s"] = round(statistics.median(held), 1)
        stats["held_max_s"] = round(max(held), 1)
    print(json.dumps({"label": args.label, "what": f"{args.mode} x{args.n}", **stats}), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["probe", "trickle", "stall", "slowread", "flood"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--n", type=int, default=1)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--auth", default=None, help="user:password for /metrics")
    parser.add_argument("--user", default="prometheus")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    if not 0 < args.seconds <= 600 or not 0 < args.n <= 2000:
        sys.exit("http_abuse.py: --seconds must be in (0, 600] and --n in (0, 2000]")
    if args.mode == "probe":
        probe(args)
    else:
        asyncio.run(run_many(args))


if __name__ == "__main__":
    main()
