#!/usr/bin/env python3
"""signxml as Accord's XAdES peer for ETSI trusted lists (tests/integration/xades.rs).

Reads one JSON request on stdin, writes one JSON answer on stdout. Exit status 3 means the
peer is not installed (the Rust side prints a skip line, or fails under ACCORD_REQUIRE_PEERS).

Commands:
  sign    {"in", "out", "key", "cert", "c14n"}   an enveloped XAdES signature over the whole
                                                  list (signxml's XAdESSigner, ECDSA-SHA256)
  sign-rsa {"in", "out", "cert_out", "c14n"}      the same with a fresh RSA-2048 key and a
                                                  self-signed certificate (written to
                                                  cert_out), RSA-SHA256
  verify  {"in", "cert"}                          verify an enveloped XAdES signature with the
                                                  signer's certificate as the trust anchor
"""

import json
import sys

try:
    from lxml import etree
    from signxml import SignatureConstructionMethod
    from signxml.xades import XAdESSigner, XAdESVerifier, XAdESSignatureConfiguration
    from signxml.exceptions import InvalidInput, InvalidSignature
except ImportError as exc:  # the peer is missing: the caller skips
    print(f"signxml is not installed: {exc}", file=sys.stderr)
    sys.exit(3)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def sign(req):
    root = etree.fromstring(read(req["in"]))
    signer = XAdESSigner(
        method=SignatureConstructionMethod.enveloped,
        signature_algorithm="ecdsa-sha256",
        digest_algorithm="sha256",
        c14n_algorithm=req["c14n"],
    )
    signed = signer.sign(root, key=read(req["key"]), cert=read(req["cert"]).decode())
    data = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
    with open(req["out"], "wb") as f:
        f.write(data)
    return {"bytes": len(data)}


def sign_rsa(req):
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "signxml RSA list signer")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc))
        .not_valid_after(datetime.datetime(2036, 1, 1, tzinfo=datetime.timezone.utc))
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    with open(req["cert_out"], "wb") as f:
        f.write(pem)
    root = etree.fromstring(read(req["in"]))
    signer = XAdESSigner(
        method=SignatureConstructionMethod.enveloped,
        signature_algorithm="rsa-sha256",
        digest_algorithm="sha256",
        c14n_algorithm=req["c14n"],
    )
    signed = signer.sign(root, key=key, cert=pem.decode())
    data = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
    with open(req["out"], "wb") as f:
        f.write(data)
    return {"bytes": len(data)}


def verify(req):
    data = read(req["in"])
    cert = read(req["cert"]).decode()
    try:
        results = XAdESVerifier().verify(
            data,
            x509_cert=cert,
            expect_config=XAdESSignatureConfiguration(require_x509=True, expect_references=2),
        )
    except (InvalidInput, InvalidSignature) as exc:
        return {"valid": False, "error": f"{type(exc).__name__}: {exc}"}
    covered = [etree.QName(r.signed_xml).localname for r in results if r.signed_xml is not None]
    return {"valid": True, "covered": covered}


def main():
    command = sys.argv[1]
    req = json.load(sys.stdin)
    answer = {"sign": sign, "sign-rsa": sign_rsa, "verify": verify}[command](req)
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
