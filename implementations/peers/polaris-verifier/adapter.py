#!/usr/bin/env python3
"""Control-API adapter (Accord verifier role) for polaris-oid4vp 1.0.0, PROTOTYPE.

One listener serves both:
  * polaris's own protocol endpoints, unmodified: GET|POST /request.jwt?state=..  (request_uri),
    POST /response (response_uri, direct_post.jwt), GET /done (redirect page). These are handled by
    polaris_oid4vp.serve._Handler (subclassed only to add /control/* routes);
  * Accord's control API: GET /control/health, GET /control/capabilities, POST /control/requests,
    GET /control/requests/{id}.

polaris fixes the DCQL query per `Verifier` instance (constructor args vct_values/claims/
credential_query_id), and `serve()` binds ONE verifier to its handler. So the adapter keeps one
`Verifier` per distinct DCQL query (same certificate, same request_uri/response_uri) and hands
the handler a small dispatcher with the two methods the handler calls:
`request_object(state, wallet_nonce=, wallet_metadata=)` and `handle_direct_post(form)`.
The dispatcher routes a response to the verifier whose outstanding session's per-request key
opens the JWE (polaris_oid4vp.jwe.decrypt_response, the same function polaris uses), or by
`state` for an error response sent in the clear, then lets that verifier judge it.
What polaris leaves to its deployer is decided here, as configuration: the status policy
(`status_refusal`: a status that could not be established rejects the credential).

    python3 polaris_verifier_adapter.py --verifier-cert eu/verifier.pem --verifier-key eu/verifier.jwk \
        --issuer-trust-anchor eu/anchor.pem --tls-cert tls-chain.pem --tls-key tls-key.pem \
        --host verifier.polaris.accord.test --port 0

Prints `listening on URL` when ready.
"""

import argparse
import base64
import json
import ssl
import sys
import threading
import time
import urllib.parse
import urllib.request

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils as asym_utils

import polaris_oid4vp.serve as pserve
from polaris_oid4vp import status as pstatus
from polaris_oid4vp.jwe import decrypt_response
from polaris_oid4vp.sdjwt import Verdict
from polaris_oid4vp.verifier import RESPONSE_MODE, Verifier

try:
    from importlib.metadata import version as _dist_version
    POLARIS_VERSION = _dist_version("polaris-oid4vp")
except Exception:  # noqa: BLE001
    POLARIS_VERSION = "?"

ROLE = "verifier"
MAX_NOTES = 16


def b64u_int(value):
    return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")


def load_private_key_pem(path):
    """PEM as polaris wants it. Accord writes private keys as JWK (`eu/verifier.jwk`), so a
    `.jwk` file (EC P-256) is converted to PKCS#8 PEM here."""
    raw = open(path, "rb").read()
    if raw.lstrip().startswith(b"{"):
        jwk = json.loads(raw)
        if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or "d" not in jwk:
            raise SystemExit("%s: need a private EC P-256 JWK" % path)
        key = ec.derive_private_key(b64u_int(jwk["d"]), ec.SECP256R1())
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
    return raw


def first_cert_pem(path):
    """The leaf only: polaris puts exactly one certificate (the leaf) in the request's x5c."""
    certs = x509.load_pem_x509_certificates(open(path, "rb").read())
    return certs[0].public_bytes(serialization.Encoding.PEM)


def es256_verify(public_key, signing_input, signature):
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or len(signature) != 64:
        return False
    der = asym_utils.encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                          int.from_bytes(signature[32:], "big"))
    try:
        public_key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


def make_status_resolver(signer_certs, cafile, timeout=5.0):
    """polaris calls status_resolver(uri=, idx=, issuer=) and wants a dict with `checked`.
    polaris_oid4vp.status.decide_by_fetching does the deciding; we supply the fetch and the
    authority (who may sign the list: the configured --status-signer certificates' keys)."""
    keys = [c.public_key() for c in signer_certs]
    ctx = ssl.create_default_context(cafile=cafile) if cafile else ssl.create_default_context()

    def verify(signing_input, signature, header):
        return any(es256_verify(k, signing_input, signature) for k in keys)

    def authority(*, credential_issuer, status_uri, header, issuer_key_verify=None):
        return (verify, pstatus.STATED, "configured --status-signer certificate(s)")

    def fetch(uri):
        req = urllib.request.Request(uri, headers={"Accept": "application/statuslist+jwt"})
        with urllib.request.urlopen(req, timeout=timeout,
                                    context=ctx if uri.startswith("https:") else None) as r:
            return r.read(pstatus.MAX_TOKEN_BYTES + 1)

    def resolver(*, uri, idx, issuer):
        return pstatus.decide_by_fetching(index=idx, expected_uri=uri, authority=authority,
                                          fetch=fetch, credential_issuer=issuer)
    return resolver


class Unsupported(Exception):
    pass


class BadRequest(Exception):
    pass


def dcql_to_verifier_args(dcql):
    """Map an Accord DCQL query onto what polaris's Verifier can ask: ONE dc+sd-jwt credential
    query with meta.vct_values and an explicit, non-empty claims list of {path, values?}."""
    if not isinstance(dcql, dict) or not isinstance(dcql.get("credentials"), list) \
            or not dcql["credentials"]:
        raise BadRequest("dcql_query.credentials must be a non-empty array (OpenID4VP 1.0 §6.1)")
    if dcql.get("credential_sets") is not None:
        raise Unsupported("credential_sets")
    if len(dcql["credentials"]) != 1:
        raise Unsupported("more than one credential query")
    q = dcql["credentials"][0]
    if not isinstance(q, dict) or not isinstance(q.get("id"), str):
        raise BadRequest("a credential query needs an id")
    if q.get("format") != "dc+sd-jwt":
        raise Unsupported("format %r (polaris verifies dc+sd-jwt only)" % q.get("format"))
    for key in ("claim_sets", "trusted_authorities"):
        if q.get(key) is not None:
            raise Unsupported(key)
    if q.get("multiple") is True:
        raise Unsupported("multiple: true")
    if q.get("require_cryptographic_holder_binding") is False:
        raise Unsupported("require_cryptographic_holder_binding: false (polaris always requires KB)")
    vct = (q.get("meta") or {}).get("vct_values")
    if not isinstance(vct, list) or not vct or not all(isinstance(v, str) for v in vct):
        raise BadRequest("meta.vct_values must be a non-empty array of strings")
    claims = q.get("claims")
    if claims is None:
        raise Unsupported("a query without claims (polaris asks for an explicit claim list; "
                          "without one it would ask for given_name and family_name)")
    if not isinstance(claims, list) or not claims:
        raise BadRequest("claims, when present, is a non-empty array")
    out = []
    for c in claims:
        if not isinstance(c, dict) or not isinstance(c.get("path"), list):
            raise BadRequest("a claims query is an object with a path")
        extra = set(c) - {"path", "values"}
        if extra:
            raise Unsupported("claims query member(s) %s" % ", ".join(sorted(extra)))
        if not all(isinstance(k, str) and k for k in c["path"]):
            raise Unsupported("array indices or null in a claim path")
        out.append({k: c[k] for k in ("path", "values") if k in c})
    key = json.dumps([q["id"], vct, out], sort_keys=True)
    return key, {"credential_query_id": q["id"], "vct_values": vct, "claims": out}


class Record:
    __slots__ = ("id", "verifier", "session", "query_id", "created", "status", "result", "error",
                 "description", "refused", "unmatched")

    def __init__(self, verifier, session, query_id):
        self.id = session.state
        self.verifier, self.session, self.query_id = verifier, session, query_id
        self.created = time.time()
        self.status, self.result, self.error, self.description = "pending", None, None, None
        self.refused, self.unmatched = [], []


# polaris's refusal codes that name exactly one rule of Accord's requirement catalogue. A code
# that covers several rules (`disclosure`, `malformed`, `signature`, ...) is reported as
# `polaris:<code>` with polaris's reason: the adapter does not guess.
REQUIREMENT_OF = {
    "audience": "SDJWT-RFC9901-7.3-kb-aud",
    "nonce": "SDJWT-RFC9901-7.3-kb-nonce",
    "sd_hash": "SDJWT-RFC9901-7.3-kb-sd-hash",
    "kb_missing": "SDJWT-RFC9901-7.3-kb-required",
    "kb_typ": "SDJWT-RFC9901-7.3-kb-typ",
    "kb_signature": "SDJWT-RFC9901-4.3.2-kb-signature",
    "kb_freshness": "SDJWT-RFC9901-7.3-kb-iat",
    "issuer_signature": "SDJWT-RFC9901-7.1-issuer-signature",
    "issuer_typ": "SDJWTVC-2.2.1-typ",
    "sd_alg": "SDJWT-RFC9901-4.1.1-sd-alg",
    "expired": "SDJWT-RFC9901-7.1-time-validity",
    "revoked": "TSL-7.1-status-values",
}


def violation(code, reason):
    return {"requirement": REQUIREMENT_OF.get(code, "polaris:%s" % code), "level": "MUST",
            "message": reason or code, "polaris_code": code}


def status_refusal(verdict):
    """The relying party's status policy, which polaris leaves to its deployer: it refuses a
    credential whose list says revoked or suspended, and reports every other outcome (a list it
    could not fetch, one it refused, an index past its end) for the deployer to decide. This
    deployment decides as Token Status List, Validation Rules (section 8.3 of the draft Accord
    cites) says: an index out of bounds of the list "MUST be rejected"; when any other check
    fails the token "SHOULD be rejected", and Accord's profile rejects it. Returns the
    violation, or None to accept."""
    rev = getattr(verdict, "revocation", None)
    rev = rev if isinstance(rev, dict) else {}
    state = rev.get("state")
    if state in (None, "no_status_claim", "checked"):
        return None
    reason = "status %s: %s" % (state, rev.get("reason") or rev.get("code") or "")
    if state == "list_refused" and rev.get("code") == "index":
        return {"requirement": "TSL-8.3-index-range", "level": "MUST", "message": reason,
                "polaris_code": "status:index"}
    return {"requirement": "TSL-8.3-fetch-fail-closed", "level": "SHOULD", "message": reason,
            "polaris_code": "status:%s" % state}


class Dispatch:
    """Looks like a polaris Verifier to polaris's HTTP handler, and owns the bookkeeping."""

    def __init__(self, make_verifier):
        self._make = make_verifier
        self._verifiers = {}
        self.records = {}
        self.lock = threading.Lock()

    # ---- control side
    def create(self, body):
        if body.get("misbehave"):
            raise Unsupported("misbehave")
        if body.get("response_mode") not in (None, RESPONSE_MODE):
            raise BadRequest("response_mode %r: this verifier uses direct_post.jwt only"
                             % body.get("response_mode"))
        if body.get("client_id_prefix") not in (None, "x509_hash"):
            raise BadRequest("client_id_prefix %r: this verifier uses x509_hash only"
                             % body.get("client_id_prefix"))
        if body.get("request_uri_method") == "get":
            raise Unsupported("request_uri_method get (polaris always advertises post)")
        key, args = dcql_to_verifier_args(body.get("dcql_query"))
        with self.lock:
            v = self._verifiers.get(key)
            if v is None:
                v = self._verifiers[key] = self._make(**args)
        session, _jar = v.new_request()
        rec = Record(v, session, args["credential_query_id"])
        with self.lock:
            self.records[rec.id] = rec
        params = v.authorization_request_params(session)
        return {"id": rec.id,
                "authorization_request": "openid4vp://?" + urllib.parse.urlencode(params),
                "client_id": v.client_id, "response_mode": RESPONSE_MODE,
                "nonce": session.nonce, "state": session.state}

    def outcome(self, rid):
        with self.lock:
            rec = self.records.get(rid)
            if rec is None:
                return None
            out = {"status": rec.status}
            if rec.result is not None:
                out["result"] = rec.result
            if rec.error is not None:
                out["error"], out["description"] = rec.error, rec.description
            if rec.status == "pending":
                out["refused_responses"] = list(rec.refused)
                out["unmatched_responses"] = list(rec.unmatched)
                if time.time() - rec.created > rec.verifier.request_ttl_seconds:
                    out["description"] = ("the request outlived polaris's request_ttl_seconds "
                                          "(%d s); polaris no longer answers it"
                                          % rec.verifier.request_ttl_seconds)
            return out

    # ---- what polaris's handler calls
    def request_object(self, state, wallet_nonce=None, wallet_metadata=None):
        rec = self.records.get(state)
        if rec is None:
            return None
        return rec.verifier.request_object(state, wallet_nonce=wallet_nonce,
                                           wallet_metadata=wallet_metadata)

    def _route(self, form):
        def first(name):
            v = form.get(name)
            v = v[0] if isinstance(v, list) and v else v
            return v if isinstance(v, str) else None
        if first("error"):
            return self.records.get(first("state") or "")
        token = first("response")
        if not token:
            # e.g. a plaintext direct_post (vp_token + state): polaris refuses it without
            # closing the request; route it by `state` so it shows in refused_responses.
            return self.records.get(first("state") or "")
        with self.lock:
            candidates = [r for r in self.records.values() if r.status == "pending"]
        for rec in candidates:
            try:
                decrypt_response(token, rec.session.enc_key)
            except Exception:  # noqa: BLE001  JweError and anything else: not this one
                continue
            return rec
        # Not decryptable by any outstanding key: name the request by the JWE `kid`
        # (polaris's enc key kid is "enc-<state>") or by a `state` form parameter, if any.
        try:
            head = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
            kid = head.get("kid") if isinstance(head, dict) else None
        except Exception:  # noqa: BLE001
            kid = None
        if isinstance(kid, str) and kid.startswith("enc-") and kid[4:] in self.records:
            return self.records[kid[4:]]
        return self.records.get(first("state") or "")

    def handle_direct_post(self, form):
        now = int(time.time())
        rec = self._route(form)
        if rec is None:
            with self.lock:
                any_v = next(iter(self._verifiers.values()), None)
            if any_v is not None:
                status, body, verdict = any_v.handle_direct_post(form)
            else:
                status, body = 400, dict(Verifier.REFUSAL_BODY)
                verdict = Verdict(False, "invalid_request", "no request was ever created")
            note = {"received_at": now, "error": body.get("error", ""),
                    "error_description": getattr(verdict, "reason", "") or "",
                    "violations": [violation(getattr(verdict, "code", "?"),
                                             getattr(verdict, "reason", ""))]}
            with self.lock:
                for r in self.records.values():
                    if r.status == "pending" and r.created <= now:
                        r.unmatched = (r.unmatched + [note])[-MAX_NOTES:]
            return status, body, verdict
        status, body, verdict = rec.verifier.handle_direct_post(form)
        refusal = status_refusal(verdict) if verdict is not None and verdict.authentic else None
        with self.lock:
            if refusal is not None:
                rec.status = "rejected"
                rec.result = {"client_id": rec.verifier.client_id,
                              "presentations": [{"credential_query": rec.query_id, "valid": False,
                                                 "claims": {}, "violations": [refusal]}],
                              "violations": [refusal],
                              "polaris_verdict": verdict.as_dict()}
            elif verdict is not None and verdict.authentic:
                rec.status = "verified"
                rec.result = {"client_id": rec.verifier.client_id,
                              "presentations": [{"credential_query": rec.query_id, "valid": True,
                                                 "claims": verdict.claims,
                                                 "disclosed": sorted(
                                                     ".".join(str(p) for p in path)
                                                     for path in verdict.disclosed),
                                                 "violations": []}],
                              "violations": [],
                              "polaris_verdict": verdict.as_dict()}
            elif verdict is not None and verdict.wallet_error is not None:
                rec.status = "wallet-error"
                rec.error = verdict.wallet_error.get("error")
                rec.description = verdict.wallet_error.get("error_description")
            elif rec.session.answered:
                v = [violation(verdict.code, verdict.reason)] if verdict else []
                rec.status = "rejected"
                rec.result = {"client_id": rec.verifier.client_id,
                              "presentations": [{"credential_query": rec.query_id, "valid": False,
                                                 "claims": {}, "violations": v}],
                              "violations": v,
                              "polaris_verdict": verdict.as_dict() if verdict else None}
            else:
                rec.refused = (rec.refused + [{
                    "received_at": now, "error": body.get("error", ""),
                    "error_description": getattr(verdict, "reason", "") or "",
                    "violations": [violation(getattr(verdict, "code", "?"),
                                             getattr(verdict, "reason", ""))]}])[-MAX_NOTES:]
        return status, body, verdict


CAPABILITIES = {
    "role": ROLE,
    "implementation": "polaris-oid4vp %s (Accord adapter prototype)" % POLARIS_VERSION,
    "formats": ["dc+sd-jwt"],
    "client_id_prefixes": ["x509_hash"],
    "response_modes": ["direct_post.jwt"],
    "encrypted_response_enc_values": ["A128GCM", "A256GCM"],
    "algorithms": ["ES256"],
    "control_operations": ["health", "capabilities", "create_request", "read_result"],
}


def make_handler(dispatch, verbose=False):
    base = type("_Bound", (pserve._Handler,), {"verifier": dispatch, "verbose": verbose,
                                               "on_verdict": None})

    class Handler(base):
        def _json(self, status, body):
            return self._send(status, body)  # polaris's own JSON writer

        def do_GET(self):
            path = self.path.partition("?")[0]
            if not path.startswith("/control/"):
                return super().do_GET()
            if path == "/control/health":
                return self._json(200, {"status": "ok", "role": ROLE})
            if path == "/control/capabilities":
                return self._json(200, CAPABILITIES)
            if path.startswith("/control/requests/"):
                out = dispatch.outcome(urllib.parse.unquote(path[len("/control/requests/"):]))
                return self._json(200, out) if out else self._json(404, {"error": "not_found"})
            return self._json(501, {"error": "not_implemented", "operation": "GET " + path})

        def do_POST(self):
            path = self.path.partition("?")[0]
            if not path.startswith("/control/"):
                return super().do_POST()
            length = pserve._content_length(self.headers)
            if length is None or length > pserve.MAX_BODY_BYTES:
                return self._json(400, {"error": "invalid_control_request",
                                        "detail": "bad Content-Length"})
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
                if not isinstance(body, dict):
                    raise ValueError("the body is not a JSON object")
            except ValueError as e:
                return self._json(400, {"error": "invalid_control_request", "detail": str(e)})
            if path != "/control/requests":
                return self._json(501, {"error": "not_implemented", "operation": "POST " + path})
            try:
                return self._json(200, dispatch.create(body))
            except Unsupported as e:
                return self._json(501, {"error": "not_implemented",
                                        "operation": "create_request: %s" % e})
            except BadRequest as e:
                return self._json(400, {"error": "invalid_request", "error_description": str(e)})
            except ValueError as e:  # polaris refused the query at Verifier construction
                return self._json(400, {"error": "invalid_request", "error_description": str(e)})
    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verifier-cert", required=True, help="PEM; the first certificate is the leaf "
                    "(x5c, and client_id = x509_hash:SHA-256(leaf DER))")
    ap.add_argument("--verifier-key", required=True, help="PEM or EC P-256 private JWK")
    ap.add_argument("--issuer-trust-anchor", action="append", default=[], metavar="PEM")
    ap.add_argument("--issuer-jwks", default=None)
    ap.add_argument("--status-signer", action="append", default=[], metavar="PEM",
                    help="certificate(s) whose key may sign status lists; enables revocation checks")
    ap.add_argument("--status-cacert", default=None, help="CA file for https status lists")
    ap.add_argument("--tls-cert", help="PEM chain (leaf first); without it: plain HTTP")
    ap.add_argument("--tls-key")
    ap.add_argument("--host", default="localhost", help="DNS name in request_uri/response_uri")
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--public-base-url", default=None)
    ap.add_argument("--request-ttl", type=int, default=300)
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()

    cert_pem = first_cert_pem(a.verifier_cert)
    key_pem = load_private_key_pem(a.verifier_key)
    anchors = []
    for p in a.issuer_trust_anchor:
        anchors.extend(x509.load_pem_x509_certificates(open(p, "rb").read()))
    issuer_jwks = []
    if a.issuer_jwks:
        doc = json.load(open(a.issuer_jwks))
        issuer_jwks = doc.get("keys", [doc]) if isinstance(doc, dict) else doc
    resolver = None
    if a.status_signer:
        signers = []
        for p in a.status_signer:
            signers.extend(x509.load_pem_x509_certificates(open(p, "rb").read()))
        resolver = make_status_resolver(signers, a.status_cacert)

    holder = {}

    def make_verifier(**args):
        base = holder["base"]
        return Verifier(client_cert_pem=cert_pem, client_key_pem=key_pem,
                        request_uri=base + pserve.REQUEST_PATH,
                        response_uri=base + pserve.RESPONSE_PATH,
                        issuer_jwks=issuer_jwks, issuer_trust_anchors=anchors,
                        request_ttl_seconds=a.request_ttl, status_resolver=resolver, **args)

    dispatch = Dispatch(make_verifier)
    # polaris's own serve(): ThreadingHTTPServer, TLS 1.2+ with the given cert chain/key, its
    # handler bound to `dispatch`. Then the handler class is swapped for the subclass that adds
    # /control/*, before any request can have been accepted by the adapter's callers.
    httpd = pserve.serve(dispatch, host=a.bind, port=a.port, certfile=a.tls_cert,
                         keyfile=a.tls_key, background=True,
                         verbose=a.verbose)
    httpd.RequestHandlerClass = make_handler(dispatch, a.verbose)
    scheme = "https" if a.tls_cert else "http"
    port = httpd.server_address[1]
    holder["base"] = (a.public_base_url.rstrip("/") if a.public_base_url
                      else "%s://%s:%d" % (scheme, a.host, port))
    # Verifier computes client_id at construction; show it now (same for every DCQL query).
    probe = make_verifier(credential_query_id="probe", vct_values=["x"], claims=["x"])
    print("client_id %s" % probe.client_id, flush=True)
    print("listening on %s (bound %s:%d)" % (holder["base"], a.bind, port), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        httpd.shutdown()
        httpd.server_close()


if __name__ == "__main__":
    sys.exit(main())
