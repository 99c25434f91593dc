#!/usr/bin/python3
# Debian's python3 (with python3-aiosmtpd), whatever python3 comes first on PATH.
"""A real SMTP server on loopback for tests: stores each message it accepts as a file.

Usage: smtp-sink.py HOST PORT DIRECTORY
       smtp-sink.py --fd FD DIRECTORY
The second form serves on an inherited socket that the caller has already bound, so nobody can
take its port between choosing it and listening on it.
Each message lands in DIRECTORY as <nanoseconds>-<random>.eml, written whole before it appears,
with an X-Envelope-To header naming the recipients.
"""
import asyncio
import os
import signal
import socket
import sys
import time
import uuid

from aiosmtpd.smtp import SMTP


class SaveToDirectory:
    def __init__(self, directory):
        self.directory = directory

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.time_ns()}-{uuid.uuid4().hex}.eml"
        partial = os.path.join(self.directory, "." + name)
        with open(partial, "wb") as out:
            out.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            out.write(envelope.original_content or envelope.content)
        os.rename(partial, os.path.join(self.directory, name))
        return "250 Message accepted"


async def serve(sock, directory):
    loop = asyncio.get_running_loop()
    handler = SaveToDirectory(directory)
    # A fixed greeting name: the default looks up this machine's name, which may wait on DNS.
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="tenantry-test-sink"), sock=sock
    )
    host, port = sock.getsockname()[:2]
    print(f"smtp sink listening on {host}:{port}", flush=True)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main():
    if sys.argv[1] == "--fd":
        sock = socket.socket(fileno=int(sys.argv[2]))
        directory = sys.argv[3]
    else:
        host, port, directory = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        sock = socket.create_server((host, port))
    os.makedirs(directory, exist_ok=True)
    asyncio.run(serve(sock, directory))


if __name__ == "__main__":
    main()
