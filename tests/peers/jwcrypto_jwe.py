#!/usr/bin/env python3
"""Drives jwcrypto (an independent JOSE implementation) for Accord's JWE interop tests.

Reads one JSON request on stdin, writes one JSON answer on stdout:
  decrypt  {"jwe", "private_jwk"}                       -> {"plaintext", "header"}
  encrypt  {"plaintext", "public_jwk", "enc", "kid"?}  -> {"jwe"}   (alg ECDH-ES)
Exit 3 when jwcrypto is not installed (the test then skips, or fails under
ACCORD_REQUIRE_PEERS=1).
"""

import json
import sys

try:
    from jwcrypto import jwe, jwk
    from jwcrypto.common import json_encode
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"jwcrypto is not installed: {e}", file=sys.stderr)
    sys.exit(3)


def main():
    command = sys.argv[1]
    request = json.load(sys.stdin)
    if command == "decrypt":
        key = jwk.JWK(**request["private_jwk"])
        token = jwe.JWE()
        token.deserialize(request["jwe"], key=key)
        header = json.loads(token.objects["protected"])
        print(json.dumps({"plaintext": token.payload.decode("utf-8"), "header": header}))
    elif command == "encrypt":
        key = jwk.JWK(**request["public_jwk"])
        header = {"alg": "ECDH-ES", "enc": request["enc"]}
        if request.get("kid"):
            header["kid"] = request["kid"]
        token = jwe.JWE(request["plaintext"].encode("utf-8"), protected=json_encode(header))
        token.add_recipient(key)
        print(json.dumps({"jwe": token.serialize(compact=True)}))
    else:
        print(f"unknown command {command}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
