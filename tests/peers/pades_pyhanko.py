#!/usr/bin/env python3
"""pyHanko as Accord's PAdES peer (tests/integration/pades.rs).

Reads one JSON request on stdin, writes one JSON answer on stdout. Exit status 3 means the
peer is not installed (the Rust side prints a skip line, or fails under ACCORD_REQUIRE_PEERS).

Commands:
  sign      {"in", "out", "key", "cert", "chain": [...], "field", "tsa_url"?}
            a PAdES signature (B-B, or B-T with the RFC 3161 TSA at tsa_url)
  validate  {"in", "roots": [...]}                   every signature and document time-stamp
"""

import json
import sys

try:
    from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps import HTTPTimeStamper
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko_certvalidator import ValidationContext
except ImportError as exc:  # the peer is missing: the caller skips
    print(f"pyHanko is not installed: {exc}", file=sys.stderr)
    sys.exit(3)


def timestamper(req):
    if not req.get("tsa_url"):
        return None
    return HTTPTimeStamper(req["tsa_url"])


def sign(req):
    signer = signers.SimpleSigner.load(
        req["key"], req["cert"], ca_chain_files=tuple(req["chain"]), key_passphrase=None
    )
    meta = signers.PdfSignatureMetadata(
        field_name=req["field"],
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    with open(req["in"], "rb") as f:
        writer = IncrementalPdfFileWriter(f)
        out = signers.PdfSigner(meta, signer=signer, timestamper=timestamper(req)).sign_pdf(writer)
        data = out.getvalue()
    with open(req["out"], "wb") as f:
        f.write(data)
    return {"bytes": len(data)}


def validate(req):
    roots = [load_cert_from_pemder(p) for p in req["roots"]]
    context = lambda: ValidationContext(trust_roots=roots, allow_fetching=False)
    answer = {"signatures": [], "timestamps": []}
    with open(req["in"], "rb") as f:
        reader = PdfFileReader(f)
        for sig in reader.embedded_regular_signatures:
            status = validate_pdf_signature(sig, context(), ts_validation_context=context())
            answer["signatures"].append(
                {
                    "field": sig.field_name,
                    "intact": status.intact,
                    "valid": status.valid,
                    "trusted": status.trusted,
                    "bottom_line": status.bottom_line,
                    "coverage": status.coverage.name if status.coverage else None,
                    "modification_level": status.modification_level.name
                    if status.modification_level
                    else None,
                    "docmdp_ok": status.docmdp_ok,
                    "timestamp_valid": status.timestamp_validity.valid
                    if status.timestamp_validity
                    else None,
                    "timestamp": status.timestamp_validity.timestamp.isoformat()
                    if status.timestamp_validity
                    else None,
                    "summary": status.summary(),
                }
            )
        for ts in reader.embedded_timestamp_signatures:
            status = validate_pdf_timestamp(ts, validation_context=context())
            answer["timestamps"].append(
                {
                    "field": ts.field_name,
                    "intact": status.intact,
                    "valid": status.valid,
                    "trusted": status.trusted,
                    "coverage": status.coverage.name if status.coverage else None,
                    "modification_level": status.modification_level.name
                    if status.modification_level
                    else None,
                    "timestamp": status.timestamp.isoformat(),
                }
            )
    return answer


def main():
    command = sys.argv[1]
    request = json.load(sys.stdin)
    handler = {"sign": sign, "validate": validate}[command]
    json.dump(handler(request), sys.stdout)


if __name__ == "__main__":
    main()
