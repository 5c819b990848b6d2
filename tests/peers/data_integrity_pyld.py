#!/usr/bin/env python3
"""PyLD (JSON-LD 1.1 to RDF, URDNA2015/RDFC-1.0) and `cryptography` (Ed25519) as Accord's
independent peer for Data Integrity proofs with eddsa-rdfc-2022 (tests/integration/data_integrity.rs).

Reads one JSON request on stdin, writes one JSON answer on stdout. Exit status 3 means the
peer is not installed (the Rust side prints a skip line, or fails under ACCORD_REQUIRE_PEERS).
No network: contexts are served from the files the request names.

Commands:
  canonical {"doc", "contexts": {url: file}}          the canonical N-Quads of doc
  verify    {"doc", "public_key_hex", "contexts"}     the eddsa-rdfc-2022 Verify Proof algorithm
                                                       written from the suite's text: proof
                                                       removed, proof options' @context set,
                                                       both canonicalized, SHA-256 of each
                                                       (proof config first), Ed25519 check
  sign      {"doc", "seed_hex", "verification_method", "created", "contexts"}
                                                       a proof made the same way
"""

import hashlib
import json
import sys

try:
    from pyld import jsonld
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )
    from cryptography.exceptions import InvalidSignature
except ImportError as exc:  # the peer is missing: the caller skips
    print(f"pyld or cryptography is not installed: {exc}", file=sys.stderr)
    sys.exit(3)

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58encode(data):
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b58decode(text):
    n = 0
    for c in text:
        n = n * 58 + B58.index(c)
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + raw


def loader_for(contexts):
    def load(url, options=None):
        if url not in contexts:
            raise jsonld.JsonLdError(
                f"context {url} not supplied (no network)", "jsonld.LoadDocumentError"
            )
        with open(contexts[url], encoding="utf-8") as f:
            document = json.load(f)
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": document,
        }

    return load


def canonical(doc, contexts):
    return jsonld.normalize(
        doc,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": loader_for(contexts),
            "base": None,
        },
    )


def hash_data(doc, options, contexts):
    config = dict(options)
    config["@context"] = doc["@context"]
    proof_hash = hashlib.sha256(canonical(config, contexts).encode()).digest()
    doc_hash = hashlib.sha256(canonical(doc, contexts).encode()).digest()
    return proof_hash + doc_hash


def verify(req):
    doc = dict(req["doc"])
    proof = dict(doc.pop("proof"))
    value = proof.pop("proofValue")
    assert value.startswith("z")
    if "@context" in proof:
        doc["@context"] = proof["@context"]
    data = hash_data(doc, proof, req["contexts"])
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(req["public_key_hex"]))
    try:
        key.verify(b58decode(value[1:]), data)
        return {"verified": True}
    except InvalidSignature:
        return {"verified": False}


def sign(req):
    doc = dict(req["doc"])
    doc.pop("proof", None)
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": req["created"],
        "verificationMethod": req["verification_method"],
        "proofPurpose": "assertionMethod",
    }
    data = hash_data(doc, options, req["contexts"])
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(req["seed_hex"]))
    options["proofValue"] = "z" + b58encode(key.sign(data))
    doc["proof"] = options
    return {"doc": doc}


def main():
    command = sys.argv[1]
    req = json.load(sys.stdin)
    if command == "canonical":
        out = {"nquads": canonical(req["doc"], req["contexts"])}
    elif command == "verify":
        out = verify(req)
    elif command == "sign":
        out = sign(req)
    else:
        print(f"unknown command {command}", file=sys.stderr)
        sys.exit(2)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
