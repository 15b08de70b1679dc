#!/usr/bin/env python
"""
A secure server (wss://) with a self-signed certificate made at startup.

The certificate is valid for ``localhost`` and ``127.0.0.1`` for one day. It
is made with the ``openssl`` command, or with the ``cryptography`` package
when that command is missing. Clients must trust it explicitly: the server
prints the path of the certificate file, for tls_client.py::

    python example/tls_server.py --cert-dir /tmp/example-tls
    python example/tls_client.py --cafile /tmp/example-tls/cert.pem Alice

Without ``--cert-dir``, the certificate goes into a temporary directory,
removed when the server stops. In production, use a certificate from a
certificate authority instead, e.g. Let's Encrypt.

``--port 0`` picks a free port; the first line printed says which. The server
stops on Ctrl-C or SIGTERM.

"""

import argparse
import asyncio
import datetime
import ipaddress
import os
import shutil
import signal
import ssl
import subprocess
import tempfile

import websockets


def make_certificate(certfile, keyfile):
    """Write a self-signed certificate and its private key in PEM files."""
    if shutil.which("openssl") is not None:
        subprocess.run(
            [
                "openssl", "req", "-x509", "-nodes", "-days", "1",
                "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", keyfile, "-out", certfile,
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        return

    # Without openssl, the cryptography package does the same.
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    alt_names = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
    ]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    with open(keyfile, "wb") as file:
        file.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    with open(certfile, "wb") as file:
        file.write(certificate.public_bytes(serialization.Encoding.PEM))


async def hello(websocket):
    name = await websocket.recv()
    print(f"< {name}", flush=True)
    greeting = f"Hello {name}!"
    await websocket.send(greeting)
    print(f"> {greeting}", flush=True)


async def main(host, port, cert_dir):
    certfile = os.path.join(cert_dir, "cert.pem")
    keyfile = os.path.join(cert_dir, "key.pem")
    make_certificate(certfile, keyfile)

    ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ssl_context.load_cert_chain(certfile, keyfile)

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    async with websockets.serve(hello, host, port, ssl=ssl_context) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"listening on wss://{host}:{port}", flush=True)
        print(f"certificate: {certfile}", flush=True)
        await stop.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--cert-dir", help="where to write cert.pem and key.pem")
    args = parser.parse_args()
    if args.cert_dir is None:
        with tempfile.TemporaryDirectory() as cert_dir:
            asyncio.run(main(args.host, args.port, cert_dir))
    else:
        os.makedirs(args.cert_dir, exist_ok=True)
        asyncio.run(main(args.host, args.port, args.cert_dir))
