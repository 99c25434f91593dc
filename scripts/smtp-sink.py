#!/usr/bin/python3
# Debian's python3 (with python3-aiosmtpd), whatever python3 comes first on PATH.
"""A real SMTP server on loopback for tests: stores each message it accepts as a file.

Usage: smtp-sink.py HOST PORT DIRECTORY
Each message lands in DIRECTORY as <nanoseconds>-<random>.eml, written whole before it appears,
with an X-Envelope-To header naming the recipients.
"""
import os
import signal
import sys
import time
import uuid

from aiosmtpd.controller import Controller


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


def main():
    host, port, directory = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.makedirs(directory, exist_ok=True)
    controller = Controller(SaveToDirectory(directory), hostname=host, port=port)
    controller.start()
    print(f"smtp sink listening on {host}:{port}", flush=True)
    signal.sigwait({signal.SIGINT, signal.SIGTERM})
    controller.stop()


if __name__ == "__main__":
    main()
