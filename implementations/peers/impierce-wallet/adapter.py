#!/usr/bin/env python3
"""Control-API adapter for a wallet Accord did not write: Impierce's oid4vci/oid4vp 0.4,
driven through the `peer-impierce` command-line binary (tests/peers/impierce).

This is the worked example of docs/adapters.md. It serves the wallet part of Accord's control
API (docs/control-api.openapi.json) on loopback and turns each operation into a run of the
vendor's own code. Operations the wallet cannot perform answer 501, which Accord reports as
"not implemented", never as a pass or a failure.

    python3 examples/adapters/impierce_wallet.py --peer PATH/TO/peer-impierce [--port 0]

Standard library only. It prints `listening on http://127.0.0.1:PORT` once it is ready.
"""

import argparse
import base64
import json
import subprocess
import sys
import tempfile
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# Seconds one run of the vendor binary may take; a hung wallet becomes a failed step.
PEER_TIMEOUT = 60


def b64url_json(segment):
    padded = segment + "=" * (-len(segment) % 4)
    return json.loads(base64.urlsafe_b64decode(padded))


def holder_view(sd_jwt):
    """Every claim of an issued SD-JWT VC as its holder sees it (top-level disclosures)."""
    parts = sd_jwt.split("~")
    claims = b64url_json(parts[0].split(".")[1])
    for disclosure in parts[1:]:
        if not disclosure:
            continue
        decoded = b64url_json(disclosure)
        if len(decoded) == 3:
            claims[decoded[1]] = decoded[2]
    claims.pop("_sd", None)
    return claims


class Wallet:
    def __init__(self, peer):
        self.peer = peer
        self.dir = Path(tempfile.mkdtemp(prefix="accord-impierce-"))
        self.key = self.dir / "holder.jwk"
        self.credentials = []  # (id, path, vct, claims)
        self.lock = threading.Lock()

    def run(self, args):
        return subprocess.run([self.peer, *args, "--holder-key", str(self.key)],
                              capture_output=True, text=True, timeout=PEER_TIMEOUT)

    def accept(self, body):
        with self.lock:
            cid = f"cred-{len(self.credentials) + 1}"
            out = self.dir / f"{cid}.txt"
            args = ["wallet-issue", "--offer", body["offer"], "--out", str(out)]
            if body.get("tx_code"):
                args += ["--tx-code", body["tx_code"]]
            try:
                done = self.run(args)
            except subprocess.TimeoutExpired:
                return 422, failure("issuance", f"the wallet did not finish within {PEER_TIMEOUT} s")
            if done.returncode != 0:
                return 422, failure("issuance", done.stderr.strip()[-2000:])
            claims = holder_view(out.read_text().strip())
            self.credentials.append((cid, out, claims.get("vct", ""), claims))
            return 200, {"credentials": [{"id": cid, "vct": claims.get("vct", ""), "claims": claims}],
                         "findings": []}

    def present(self, body):
        if body.get("misbehave") or body.get("consent", {}).get("deny") or body.get("consent", {}).get("withhold"):
            return 501, {"error": "not_implemented", "operation": "present with consent choices or faults"}
        with self.lock:
            if not self.credentials:
                return 422, failure("request", "the wallet holds no credential")
            path = self.credentials[-1][1]
            try:
                done = self.run(["wallet-present", "--request", body["request"],
                                 "--credential", str(path), "--own-post"])
            except subprocess.TimeoutExpired:
                return 422, failure("request", f"the wallet did not finish within {PEER_TIMEOUT} s")
        posted = None
        for line in done.stdout.splitlines():
            if line.startswith("{"):
                posted = json.loads(line)
        if posted is None:
            return 422, failure("request", done.stderr.strip()[-2000:])
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(body["request"]).query)
        try:
            verifier_body = json.loads(posted.get("body") or "null")
        except ValueError:
            verifier_body = posted.get("body")
        return 200, {"client_id": query.get("client_id", [""])[0], "response_mode": "direct_post",
                     "declined": None, "disclosed": {}, "verifier_status": posted["status"],
                     "verifier_response": verifier_body, "findings": []}

    def list(self):
        return 200, {"credentials": [{"id": c[0], "vct": c[2], "claims": c[3]} for c in self.credentials]}


def failure(step, detail):
    return {"error": "protocol_failed", "step": step, "detail": detail or "the wallet failed",
            "counterpart_response": None}


CAPABILITIES = {
    "role": "wallet",
    "implementation": "impierce-oid4vc-0.4 (via peer-impierce)",
    "formats": ["dc+sd-jwt"],
    "flows": ["pre_authorized_code"],
    "client_id_prefixes": ["redirect_uri", "decentralized_identifier"],
    "response_modes": ["direct_post"],
    "algorithms": ["ES256"],
    "control_operations": ["health", "capabilities", "accept_offer", "present", "list_credentials"],
}


def handler(wallet):
    class Handler(BaseHTTPRequestHandler):
        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/control/health":
                return self.answer(200, {"status": "ok", "role": "wallet"})
            if self.path == "/control/capabilities":
                return self.answer(200, CAPABILITIES)
            if self.path == "/control/credentials":
                return self.answer(*wallet.list())
            return self.answer(501, {"error": "not_implemented", "operation": self.path})

        def do_POST(self):
            length = int(self.headers.get("content-length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError as e:
                return self.answer(400, {"error": "invalid_control_request", "detail": str(e)})
            if self.path == "/control/offers/accept":
                return self.answer(*wallet.accept(body))
            if self.path == "/control/presentations":
                return self.answer(*wallet.present(body))
            return self.answer(501, {"error": "not_implemented", "operation": self.path})

        def log_message(self, *_):
            pass

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", required=True, help="path to the peer-impierce binary")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-cert", help="PEM chain, leaf first: serve HTTPS (else plain HTTP)")
    parser.add_argument("--tls-key", help="the PEM private key of --tls-cert")
    parser.add_argument("--host", default="127.0.0.1", help="the name the URL it prints carries")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler(Wallet(args.peer)))
    scheme = "http"
    if args.tls_cert:
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    print(f"listening on {scheme}://{args.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
