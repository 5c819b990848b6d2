"""A second RFC 3161 client for Accord's interop tests: pyHanko's time-stamp client asks a
TSA for a token over a file, pyHanko validates the token (signature, TSA certificate path to
the one trusted certificate, id-kp-timeStamping, imprint) and writes it for Accord to check.

usage: pyhanko_timestamp.py URL DATA_FILE TSA_CERT_PEM OUT_TOKEN

Prints one JSON object: {"granted", "intact", "valid", "trusted", "gen_time",
"other_data_intact"} ("other_data_intact": the same token checked over other bytes).
"""

import asyncio
import hashlib
import json
import sys

from asn1crypto import pem, x509
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko_certvalidator import ValidationContext


async def main(url, data_path, cert_path, out_path):
    data = open(data_path, "rb").read()
    der = open(cert_path, "rb").read()
    if pem.detect(der):
        _, _, der = pem.unarmor(der)
    tsa_cert = x509.Certificate.load(der)
    stamper = RequestsHTTPTimeStamper(url, timeout=10)
    token = await stamper.async_timestamp(hashlib.sha256(data).digest(), "sha256")
    with open(out_path, "wb") as f:
        f.write(token.dump())

    def check(over):
        vc = ValidationContext(trust_roots=[tsa_cert], allow_fetching=False)
        return validate_tst_signed_data(
            token["content"], vc, lambda alg: hashlib.new(alg, over).digest()
        )

    status = await check(data)
    other = await check(data + b"changed")
    print(
        json.dumps(
            {
                "granted": True,
                "intact": bool(status.get("intact")),
                "valid": bool(status.get("valid")),
                "trusted": bool(status.get("trust_problem_indic") is None),
                "gen_time": str(status.get("timestamp")),
                "other_data_intact": bool(other.get("intact")),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
