#!/usr/bin/env python3
"""A local RFC 3161 time-stamping authority for Accord's tests: OpenSSL's `openssl ts -reply`
(an implementation Accord did not write) behind a minimal HTTP endpoint (RFC 3161 §3.4:
POST application/timestamp-query, answer application/timestamp-reply).

Usage: tsa.py DIR [--port N]
Makes, in DIR, a CA and a TSA certificate (P-256, extendedKeyUsage critical timeStamping),
prints one line `listening PORT DIR/tsa-ca.pem DIR/tsa.pem` on stdout and serves until killed.
"""

import http.server
import os
import subprocess
import sys
import tempfile

CONFIG = """
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
[ ca_ext ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ tsa_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ tsa ]
default_tsa = accord_test_tsa
[ accord_test_tsa ]
dir = {dir}
serial = {dir}/serial
crypto_device = builtin
signer_cert = {dir}/tsa.pem
certs = {dir}/tsa.pem
signer_key = {dir}/tsa-key.pem
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.3161.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def run(*args):
    subprocess.run(args, check=True, capture_output=True)


def make_pki(d):
    cfg = os.path.join(d, "openssl.cnf")
    with open(cfg, "w") as f:
        f.write(CONFIG.format(dir=d))
    with open(os.path.join(d, "serial"), "w") as f:
        f.write("01\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    run("openssl", "req", "-config", cfg, "-x509", *ec, "-keyout", f"{d}/tsa-ca-key.pem",
        "-out", f"{d}/tsa-ca.pem", "-days", "3650", "-subj", "/CN=Accord test TSA CA",
        "-extensions", "ca_ext")
    run("openssl", "req", "-config", cfg, "-new", *ec, "-keyout", f"{d}/tsa-key.pem",
        "-out", f"{d}/tsa.csr", "-subj", "/CN=Accord test TSA")
    run("openssl", "x509", "-req", "-in", f"{d}/tsa.csr", "-CA", f"{d}/tsa-ca.pem",
        "-CAkey", f"{d}/tsa-ca-key.pem", "-set_serial", "2", "-days", "3650",
        "-extfile", cfg, "-extensions", "tsa_ext", "-out", f"{d}/tsa.pem")
    return cfg


def main():
    d = os.path.abspath(sys.argv[1])
    port = int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else 0
    os.makedirs(d, exist_ok=True)
    cfg = make_pki(d)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            if self.headers.get("Content-Type") != "application/timestamp-query" or length > 65536:
                self.send_error(400, "expected application/timestamp-query")
                return
            query = self.rfile.read(length)
            with tempfile.TemporaryDirectory() as t:
                q, r = os.path.join(t, "q.tsq"), os.path.join(t, "r.tsr")
                with open(q, "wb") as f:
                    f.write(query)
                done = subprocess.run(["openssl", "ts", "-reply", "-config", cfg,
                                       "-queryfile", q, "-out", r], capture_output=True)
                if done.returncode != 0 or not os.path.exists(r):
                    self.send_error(400, done.stderr.decode(errors="replace")[:200])
                    return
                with open(r, "rb") as f:
                    reply = f.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"listening {server.server_address[1]} {d}/tsa-ca.pem {d}/tsa.pem", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
