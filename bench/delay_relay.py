#!/usr/bin/env python3
"""TCP delay relay for bench/run: a round trip in user space, loopback only.

    delay_relay.py relay LISTEN_PORT BROKER_PORT [DELAY_MS]
        Listens on 127.0.0.1:LISTEN_PORT; each client gets its own connection to
        127.0.0.1:BROKER_PORT, and every chunk read from either side is written to the other
        DELAY_MS (default 25) after it was read, in order. Each direction is delayed once, so a
        round trip through the relay grows by 2 x DELAY_MS. Bytes are not parsed or changed.
        Both sockets have TCP_NODELAY, so the kernel adds nothing of its own.

    delay_relay.py ping PORT [COUNT]
        An MQTT 3.1.1 client that connects to 127.0.0.1:PORT and times COUNT (default 50)
        PINGREQ -> PINGRESP round trips, one at a time; prints min, median and max in ms.

The kernel's netem would do the same, where the kernel has it; this one only adds a fixed delay
(no jitter, no loss, no bandwidth limit).
"""
import asyncio
import socket
import statistics
import sys
import time


async def pump(reader, writer, delay):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def release():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        writer.close()

    releaser = asyncio.create_task(release())
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            queue.put_nowait((loop.time() + delay, data))
    except (ConnectionError, OSError):
        pass
    queue.put_nowait((loop.time() + delay, None))
    try:
        await releaser
    except (ConnectionError, OSError):
        pass


def nodelay(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


async def relay(listen_port, broker_port, delay):
    async def client(c_reader, c_writer):
        try:
            b_reader, b_writer = await asyncio.open_connection("127.0.0.1", broker_port)
        except OSError:
            c_writer.close()
            return
        nodelay(c_writer)
        nodelay(b_writer)
        await asyncio.gather(pump(c_reader, b_writer, delay), pump(b_reader, c_writer, delay),
                             return_exceptions=True)

    server = await asyncio.start_server(client, "127.0.0.1", listen_port)
    async with server:
        await server.serve_forever()


def ping(port, count):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    cid = b"rttping"
    var = b"\x00\x04MQTT\x04\x02\x00\x3c"  # MQTT 3.1.1, clean session, keep-alive 60 s
    payload = len(cid).to_bytes(2, "big") + cid
    s.sendall(bytes([0x10, len(var) + len(payload)]) + var + payload)
    if s.recv(4)[:1] != b"\x20":
        sys.exit("no CONNACK")
    times = []
    for _ in range(count):
        t0 = time.perf_counter()
        s.sendall(b"\xc0\x00")
        got = b""
        while len(got) < 2:
            chunk = s.recv(2 - len(got))
            if not chunk:
                sys.exit("connection closed")
            got += chunk
        times.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.01)
    s.sendall(b"\xe0\x00")
    s.close()
    print("pingreq round trips: %d, min %.3f ms, median %.3f ms, max %.3f ms"
          % (count, min(times), statistics.median(times), max(times)))


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "relay":
        delay = float(sys.argv[4]) / 1000 if len(sys.argv) > 4 else 0.025
        asyncio.run(relay(int(sys.argv[2]), int(sys.argv[3]), delay))
    elif len(sys.argv) >= 3 and sys.argv[1] == "ping":
        ping(int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 50)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
