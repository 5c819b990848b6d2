#!/usr/bin/env python3
"""Control-API adapter (Accord issuer role) for eduTAP's `openid4vci` 1.0.0a1, PROTOTYPE.

The library serves the Credential Issuer endpoints (`server_fastapi.create_router(backend)`:
metadata, nonce, credential, deferred, notification) and leaves the rest to the deployment.
This file is that deployment, as thin as it can be, plus Accord's control API:

  library (unmodified):   GET  /.well-known/openid-credential-issuer
                          POST /nonce  POST /credential  POST /deferred_credential  POST /notification
  deployment (here):      GET  /.well-known/oauth-authorization-server   (RFC 8414, built here)
                          POST /token          (library's InMemoryAuthorizationServer.redeem)
                          GET  /offers/{id}    (credential_offer_uri target, by_reference offers)
                          the credential "mint" callback: proof validation with the library's
                          validate_jwt_proof + nonce store, SdJwtVcAdapter.issue
  control API:            GET /control/health, GET /control/capabilities, POST /control/offers

    python3 edutap_issuer_adapter.py --public-url https://issuer.edutap.accord.test:8443 \
        --port 8443 --tls-cert tls/issuer.edutap.accord.test.chain.pem \
        --tls-key tls/issuer.edutap.accord.test.key.pem \
        --signing-key edutap-pki/issuer.jwk --signing-chain edutap-pki/issuer-chain.pem

Prints `listening on URL` when ready (uvicorn logs to stderr).
"""

import argparse
import copy
import json
import secrets
import sys
import time
from typing import Any

import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from joserfc.jwk import ECKey
from pydantic import ValidationError

from openid4vci.adapters.sd_jwt_vc import SdJwtVcAdapter
from openid4vci.authorization import InMemoryAuthorizationServer, TokenError
from openid4vci.crypto.proofs import PROOF_TYPE_JWT, _decode_header, validate_jwt_proof
from openid4vci.crypto.signer import LocalJwsSigner
from openid4vci.exceptions import CredentialRequestError
from openid4vci.models.common import GRANT_TYPE_PRE_AUTHORIZED_CODE
from openid4vci.models.credential import (CredentialErrorCode, CredentialResponse,
                                          IssuedCredential)
from openid4vci.models.metadata import CredentialIssuerMetadata, WELL_KNOWN_AUTHORIZATION_SERVER
from openid4vci.models.oauth import TokenRequest
from openid4vci.models.offer import offer_uri_by_reference, offer_uri_by_value
from openid4vci.reference import InMemoryIssuerBackend
from openid4vci.server_fastapi.app import NO_STORE, create_router

try:
    from importlib.metadata import version as _v
    LIB_VERSION = _v("openid4vci")
except Exception:  # noqa: BLE001
    LIB_VERSION = "?"

ROLE = "issuer"
#: Accord's example graduates (src/profiles/{eu_diploma,jp_degree}.rs example_claims()), minus
#: iss/vct, which the SD-JWT VC adapter writes itself (a claim named iss/vct would ALSO become a
#: disclosure). The control API's offers normally carry the subject; these are the fallback.
EU_GRADUATE = {
    "family_name": "Peeters",
    "given_name": "Lotte \u00c9milie",
    "birthdate": "2000-03-14",
    "qualification": {
        "title": {"nl": "Master of Science in de ingenieurswetenschappen: computerwetenschappen",
                  "en": "Master of Science in Engineering: Computer Science"},
        "eqf_level": 7, "nqf_level": "https://vks.dijleland.example/niveau/7",
        "isced_f": "0613", "credits": {"system": "ECTS", "value": 120}},
    "awarding_body": {"legal_name": {"nl": "Universiteit Dijleland", "en": "University of Dijleland"},
                      "country": "BE", "ids": [{"scheme": "erasmus-code", "value": "B DIJLE01"}]},
    "awarding_date": "2024-07-05",
    "grade": {"value": "Grote onderscheiding (magna cum laude)",
              "scheme_uri": "https://diploma.dijleland.example/grading/vl-graden-2023"},
    "entitlements": ["Access to third-cycle (doctoral) programmes, EQF level 8"],
    "diploma_supplement_uri": "https://diploma.dijleland.example/ds/2024/r0812345",
}

JP_GRADUATE = {
    "family_name": "\u9ad9\u6a4b", "given_name": "\u7fd4\u592a",
    "family_name_kana": "\u30bf\u30ab\u30cf\u30b7", "given_name_kana": "\u30b7\u30e7\u30a6\u30bf",
    "family_name_latin": "TAKAHASHI", "given_name_latin": "Shota", "latin_source": "passport",
    "name_is_at_award": True, "birthdate": "2002-08-17",
    "degree": {"type": "gakushi", "name": {"ja": "\u5b66\u58eb(\u5de5\u5b66)",
                                           "en": "Bachelor of Engineering"},
               "field_ja": "\u5de5\u5b66", "isced2011": "665", "isced_f": "0714",
               "isced_f_mapping_source":
                   "https://trust.accord-jp.example/mappings/senko-isced-f/2024-1"},
    "credits": {"system": "JP-tanni", "value": 128, "hours_per_unit": 45},
    "awarding_date": "2025-03-25", "graduation_date": "2025-03-25",
    "awarding_institution": {"name": {"ja": "\u6d6a\u901f\u7406\u5de5\u5927\u5b66",
                                      "en": "Naniwa University of Science and Technology"},
                             "country": "JP",
                             "ids": [{"scheme": "mext-school-code", "value": "F199999900017"}]},
}

#: What this deployment issues, chosen by --credential: one credential configuration each.
#: Claims the issuer writes in clear (SdJwtVcAdapter's always_visible): SD-JWT VC forbids
#: disclosing iss/nbf/exp/cnf/vct/status; iat may be either, clear here; Accord's profiles
#: (domain (a)) keep the awarding body or institution in clear, as the issuer it names.
CREDENTIALS = {
    "eu-diploma": {
        "config_id": "eu_diploma_sd_jwt",
        "vct": "urn:eudi:diploma:1",   # Accord's EU_DIPLOMA_VCT (src/profiles/mod.rs)
        "example": EU_GRADUATE,
        "always_visible": ("iat", "nbf", "exp", "status", "awarding_body"),
        "display": "EU diploma",
    },
    "jp-degree": {
        "config_id": "jp_degree_sd_jwt",
        "vct": "https://trust.accord-jp.example/vct/degree/1",   # Accord's JP_DEGREE_VCT
        "example": JP_GRADUATE,
        "always_visible": ("iat", "nbf", "exp", "status", "awarding_institution"),
        "display": "JP degree",
    },
}

CAPABILITIES = {
    "role": ROLE,
    "implementation": "eduTAP openid4vci %s (Accord adapter prototype)" % LIB_VERSION,
    "formats": ["dc+sd-jwt"],
    "flows": ["pre_authorized_code"],
    "algorithms": ["ES256"],
    "binding_methods": ["jwk"],
    "control_operations": ["health", "capabilities", "create_offer"],
}


class InvalidToken(Exception):
    """The access token is not one this deployment's authorization server issued."""


class X5cSigner:
    """The library's CredentialSigner protocol: LocalJwsSigner plus an `x5c` header (HAIP: the
    issuer's certificate chain, leaf first, anchor excluded). The library has no x5c knob."""

    def __init__(self, key: ECKey, chain_der_b64: list[str]):
        self._inner = LocalJwsSigner(key, "ES256")
        self._x5c = chain_der_b64

    @property
    def algorithm(self) -> str:
        return self._inner.algorithm

    async def sign(self, payload, header=None) -> str:
        return await self._inner.sign(payload, {**(header or {}), "x5c": self._x5c})

    def public_jwk(self) -> dict[str, Any]:
        return self._inner.public_jwk()


def build(args):
    base = args.public_url.rstrip("/")
    issued = CREDENTIALS[args.credential]
    config_id, example = issued["config_id"], issued["example"]
    key = ECKey.import_key(json.load(open(args.signing_key)))
    chain = [c.public_bytes(serialization.Encoding.DER)
             for c in x509.load_pem_x509_certificates(open(args.signing_chain, "rb").read())]
    import base64
    x5c = [base64.b64encode(d).decode() for d in chain]
    sdjwt = SdJwtVcAdapter(vct=issued["vct"], signer=X5cSigner(key, x5c),
                           issuer=args.iss or base, always_visible=issued["always_visible"])
    metadata = CredentialIssuerMetadata.model_validate({
        "credential_issuer": base,
        "credential_endpoint": base + "/credential",
        "nonce_endpoint": base + "/nonce",
        "display": [{"name": "eduTAP peer issuer (Accord)", "locale": "en"}],
        "credential_configurations_supported": {config_id: {
            **sdjwt.metadata_fragment(),
            "credential_signing_alg_values_supported": ["ES256"],
            "cryptographic_binding_methods_supported": ["jwk"],
            "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["ES256"]}},
            "credential_metadata": {"display": [{"name": issued["display"], "locale": "en"}]},
        }},
    })
    clock = (lambda: args.now) if args.now else time.time
    auth = InMemoryAuthorizationServer(base, now=clock)
    subjects: dict[str, dict] = {}   # Grant.subject (opaque id) -> claims
    offers_by_ref: dict[str, dict] = {}

    async def mint(request, context):
        grant = auth.grant_for(context.access_token)
        if grant is None:
            # RFC 6750 invalid_token is a 401; the library's CredentialRequestError is always 400.
            raise InvalidToken()
        if request.credential_identifier is not None:
            if not any(request.credential_identifier in ids
                       for ids in grant.credential_identifiers.values()):
                raise CredentialRequestError(CredentialErrorCode.UNKNOWN_CREDENTIAL_IDENTIFIER,
                                             "unknown credential_identifier")
        elif request.credential_configuration_id not in grant.credential_configuration_ids:
            raise CredentialRequestError(CredentialErrorCode.UNKNOWN_CREDENTIAL_CONFIGURATION,
                                         "not covered by this access token")
        proofs = (request.proofs or {}).get(PROOF_TYPE_JWT)
        if not proofs:
            raise CredentialRequestError(CredentialErrorCode.INVALID_PROOF,
                                         "a jwt key proof is required")
        if len(proofs) != 1:
            raise CredentialRequestError(CredentialErrorCode.INVALID_CREDENTIAL_REQUEST,
                                         "batch issuance is not supported")
        proof = proofs[0]
        if not isinstance(proof, str):
            raise CredentialRequestError(CredentialErrorCode.INVALID_PROOF, "proof is not a JWT")
        # The library validates against ONE c_nonce; finding which nonce the proof claims and
        # that it is current/unused is the deployment's job (single-use store in reference.py).
        _decode_header(proof)
        try:
            import base64 as b
            seg = proof.split(".")[1]
            claimed = json.loads(b.urlsafe_b64decode(seg + "=" * (-len(seg) % 4))).get("nonce")
        except Exception:  # noqa: BLE001
            claimed = None
        if isinstance(claimed, str) and not backend.nonces.is_current(claimed):
            raise CredentialRequestError(CredentialErrorCode.INVALID_NONCE,
                                         "the c_nonce is unknown, used or expired")
        result = validate_jwt_proof(proof, credential_issuer=base,
                                    c_nonce=claimed if isinstance(claimed, str) else "\x00required",
                                    supported_algorithms=["ES256"],
                                    now=int(clock()))
        backend.nonces.consume(claimed)
        claims = {k: v for k, v in subjects.get(grant.subject, example).items()
                  if k not in ("iss", "vct", "cnf", "_sd", "_sd_alg")}
        claims["iat"] = int(clock())
        credential = await sdjwt.issue(claims, holder_key=result.bound_key)
        return CredentialResponse(credentials=[IssuedCredential(credential=credential)])

    backend = InMemoryIssuerBackend(metadata, mint)
    backend.nonces._now = clock   # the store's clock is a constructor arg the backend doesn't expose

    app = FastAPI(title="eduTAP openid4vci behind Accord's control API", openapi_url=None,
                  docs_url=None, redoc_url=None)
    app.include_router(create_router(backend))

    @app.exception_handler(InvalidToken)
    async def invalid_token(_request, _exc):
        return JSONResponse({"error": "invalid_token"}, status_code=401,
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"', **NO_STORE})

    @app.get(WELL_KNOWN_AUTHORIZATION_SERVER)
    async def as_metadata():
        return JSONResponse({
            "issuer": base,
            "token_endpoint": base + "/token",
            "grant_types_supported": [GRANT_TYPE_PRE_AUTHORIZED_CODE],
            "pre-authorized_grant_anonymous_access_supported": True,
            "token_endpoint_auth_methods_supported": ["none"],
        })

    @app.post("/token")
    async def token(request: Request):
        form = dict((await request.form()).items())
        try:
            req = TokenRequest.model_validate(form)
            return JSONResponse(auth.redeem(req).to_dict(), headers=NO_STORE)
        except ValidationError as e:
            return JSONResponse({"error": "invalid_request",
                                 "error_description": e.errors()[0].get("msg", str(e))},
                                status_code=400, headers=NO_STORE)
        except TokenError as e:
            return JSONResponse({"error": e.code.value, "error_description": e.description},
                                status_code=400, headers=NO_STORE)

    @app.get("/offers/{oid}")
    async def offer_by_ref(oid: str):
        o = offers_by_ref.get(oid)
        return JSONResponse(o) if o else JSONResponse({"error": "not_found"}, status_code=404)

    @app.get("/control/health")
    async def health():
        return {"status": "ok", "role": ROLE}

    @app.get("/control/capabilities")
    async def capabilities():
        return CAPABILITIES

    @app.post("/control/offers")
    async def create_offer(request: Request):
        try:
            body = await request.json()
        except ValueError as e:
            return JSONResponse({"error": "invalid_control_request", "detail": str(e)}, 400)
        if not isinstance(body, dict):
            return JSONResponse({"error": "invalid_control_request",
                                 "detail": "the body is not a JSON object"}, 400)
        unknown = set(body) - {"subject", "flow", "tx_code", "by_reference"}
        if unknown:
            return JSONResponse({"error": "invalid_control_request",
                                 "detail": "unknown member(s) %s" % sorted(unknown)}, 400)
        flow = body.get("flow", "pre_authorized_code")
        if flow == "authorization_code":
            return JSONResponse({"error": "not_implemented",
                                 "operation": "create_offer: flow authorization_code"}, 501)
        if flow != "pre_authorized_code":
            return JSONResponse({"error": "invalid_control_request",
                                 "detail": "unknown flow %r" % flow}, 400)
        subject = body.get("subject")
        if subject is not None and not isinstance(subject, dict):
            return JSONResponse({"error": "invalid_control_request",
                                 "detail": "subject is an object"}, 400)
        sid = secrets.token_urlsafe(9)
        subjects[sid] = copy.deepcopy(subject) if subject is not None else example
        tx = "".join(secrets.choice("0123456789") for _ in range(6)) if body.get("tx_code") else None
        offer, _code = auth.offer(sid, [config_id], tx_code=tx,
                                  tx_code_description="the code shown by the harness" if tx else None)
        doc = offer.to_dict()
        if body.get("by_reference"):
            oid = secrets.token_urlsafe(12)
            offers_by_ref[oid] = doc
            uri = offer_uri_by_reference(base + "/offers/" + oid)
        else:
            uri = offer_uri_by_value(offer)
        return {"offer": doc, "uri": uri, "tx_code": tx}

    @app.api_route("/control/{rest:path}", methods=["GET", "POST", "PUT"])
    async def not_implemented(rest: str, request: Request):
        return JSONResponse({"error": "not_implemented",
                             "operation": "%s /control/%s" % (request.method, rest)}, 501)

    return app, base


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--public-url", required=True,
                    help="the Credential Issuer Identifier: https, no path (see README notes)")
    ap.add_argument("--iss", default=None, help="SD-JWT `iss` (default: the public URL); must "
                    "match the signing leaf's URI SAN for HAIP verifiers such as polaris")
    ap.add_argument("--credential", choices=sorted(CREDENTIALS), default="eu-diploma",
                    help="what this issuer issues, as SD-JWT VC (one credential configuration)")
    ap.add_argument("--signing-key", required=True, help="EC P-256 private JWK")
    ap.add_argument("--signing-chain", required=True, help="PEM chain for x5c, leaf first, no root")
    ap.add_argument("--tls-cert", required=True)
    ap.add_argument("--tls-key", required=True)
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8443)
    ap.add_argument("--now", type=float, default=None,
                    help="fixed clock (POSIX seconds) for nonces, codes, tokens and iat")
    args = ap.parse_args()
    app, base = build(args)
    print("listening on %s (bound %s:%d)" % (base, args.bind, args.port), flush=True)
    uvicorn.run(app, host=args.bind, port=args.port, ssl_certfile=args.tls_cert,
                ssl_keyfile=args.tls_key, loop="asyncio", http="h11", lifespan="off",
                log_level="warning", workers=1)


if __name__ == "__main__":
    sys.exit(main())
