#!/usr/bin/env python3
"""A flood of STARTTLS handshakes against an SMTP server, and what it does to a plain session.

    benchmarks/mail/tls-handshake-flood.py PORT [SECONDS=8] [THREADS=8]

THREADS threads each loop over: connect, EHLO, STARTTLS, TLS handshake, QUIT. Meanwhile one plain
session on the same port sends NOOP every 2 ms. Prints the handshakes per second and the plain
session's NOOP round trip (p50, p99, max). Start the server first, e.g.

    keytool -genkeypair -alias mx -keyalg RSA -keysize 2048 -dname CN=mx.test -validity 30 \
        -storetype PKCS12 -keystore ks.p12 -storepass secret -keypass secret
    echo secret > pw
    java -jar cli/target/headend.jar serve --dns-port 0 --resolver-port -1 --tftp-port -1 \
        --smtp-port 30040 --mail-dir /tmp/mail --smtp-tls-keystore ks.p12 --smtp-tls-password-file pw

and run a short round first so that the JVM is warm. Loopback only.
"""
import socket
import ssl
import sys
import threading
import time

port = int(sys.argv[1])
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 8.0
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 8

context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE  # the server's test certificate is self-signed
stop = time.time() + seconds
handshakes = 0
handshakes_lock = threading.Lock()
noop_seconds = []


def reply(f):
    """Reads one (possibly multi-line) SMTP reply; returns its last line."""
    while True:
        line = f.readline()
        if not line:
            raise EOFError("the server closed the connection")
        if line[3:4] != b"-":
            return line


def handshake_loop():
    global handshakes
    while time.time() < stop:
        with socket.create_connection(("127.0.0.1", port)) as s:
            f = s.makefile("rb")
            reply(f)
            s.sendall(b"EHLO flood.test\r\n")
            reply(f)
            s.sendall(b"STARTTLS\r\n")
            if not reply(f).startswith(b"220"):
                raise RuntimeError("STARTTLS refused: start the server with a TLS keystore")
            with context.wrap_socket(s, server_hostname="mx.test") as t:
                t.sendall(b"QUIT\r\n")
                reply(t.makefile("rb"))
        with handshakes_lock:
            handshakes += 1


def plain_session():
    with socket.create_connection(("127.0.0.1", port)) as s:
        f = s.makefile("rb")
        reply(f)
        s.sendall(b"EHLO plain.test\r\n")
        reply(f)
        while time.time() < stop:
            start = time.perf_counter()
            s.sendall(b"NOOP\r\n")
            reply(f)
            noop_seconds.append(time.perf_counter() - start)
            time.sleep(0.002)


workers = [threading.Thread(target=handshake_loop) for _ in range(threads)]
workers.append(threading.Thread(target=plain_session))
for w in workers:
    w.start()
for w in workers:
    w.join()
noop_seconds.sort()
n = len(noop_seconds)
print(
    "handshakes/s %.0f  NOOP round trip p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d NOOPs)"
    % (
        handshakes / seconds,
        noop_seconds[n // 2] * 1e3,
        noop_seconds[int(n * 0.99)] * 1e3,
        noop_seconds[-1] * 1e3,
        n,
    )
)
