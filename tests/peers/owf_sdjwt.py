#!/usr/bin/env python3
"""Peer driver: the OpenWallet Foundation `sd-jwt` Python library (0.10.4) for Accord.

Usage: python3 owf_sdjwt.py {verify|issue|present} < request.json > answer.json

Reads ONE JSON object from stdin and writes ONE JSON object to stdout. No network.

  verify  {"sd_jwt": str | object, "issuer_jwk": {...}, "expected_aud": str|null,
           "expected_nonce": str|null, "require_kb": bool}
          -> {"ok": true, "claims": {...}} | {"ok": false, "error": "Type: message"}
  issue   {"issuer_jwk": {private EC P-256}, "holder_jwk": {public}|null, "claims": {...},
           "sd_paths": [[...], ...], "typ": "dc+sd-jwt", "serialization": "compact"|"json",
           "decoys": bool}                                  -> {"sd_jwt": str | object}
  present {"sd_jwt": str | object, "holder_jwk": {private}|null, "disclose_paths": [[...], ...],
           "nonce": str|null, "aud": str|null, "serialization": "compact"|"json"}
                                                            -> {"presentation": str | object}

A claim path is a list of object keys (strings) and array indices (integers) into the
*processed* claims (indices count the elements of the issued array, decoys excluded).

Exit codes: 0 an answer was written (a rejected SD-JWT is an answer: "ok": false);
2 the request itself is unusable (unknown command, malformed input, a path that names
no claim); 3 the sd_jwt package cannot be imported; 1 the library crashed while issuing
or presenting ({"error": ...} is still written to stdout).

JSON serialization: the library keeps "disclosures" and "kb_jwt" as top-level members of
the JWS JSON object (pre-RFC draft layout), whereas RFC 9901 Section 8 puts them in the
unprotected "header" (of the first signature, in the general form). This driver reshapes
only that envelope: input in either layout is accepted; output uses the RFC layout, or the
library's own with "json_layout": "library" in the request. Everything else is untouched.
"""
import json
import sys
import traceback

try:
    from jwcrypto.jwk import JWK
    from sd_jwt.common import SDObj
    from sd_jwt.holder import SDJWTHolder
    from sd_jwt.issuer import SDJWTIssuer
    from sd_jwt.verifier import SDJWTVerifier
except ImportError as exc:  # pragma: no cover - depends on the environment
    print(f"owf_sdjwt: cannot import the sd_jwt library ({exc}); "
          f"install it with: pip install -r tests/peers/requirements.txt", file=sys.stderr)
    sys.exit(3)


class UsageError(Exception):
    """The request cannot be served (exit 2), as opposed to a library rejection."""


class PeerLimitation(ValueError):
    """A rejection made by this driver because the library cannot do what was asked."""


def check_path(path):
    if not isinstance(path, list) or not path or not isinstance(path[0], str):
        raise UsageError(f"a claim path must be a non-empty list starting with a key: {path!r}")
    for step in path:
        if isinstance(step, bool) or not isinstance(step, (str, int)):
            raise UsageError(f"path steps must be strings or integers: {path!r}")
    return tuple(path)


def to_library_json(obj):
    """RFC 9901 Section 8 layout (flattened or general) -> the library's layout, as text."""
    obj = json.loads(json.dumps(obj))  # deep copy
    if "disclosures" not in obj:
        sigs = obj.get("signatures")
        first = sigs[0] if isinstance(sigs, list) and sigs and isinstance(sigs[0], dict) else obj
        header = first.get("header")
        if isinstance(header, dict):
            for member in ("disclosures", "kb_jwt"):
                if member in header:
                    obj[member] = header.pop(member)
            if not header:
                del first["header"]
    return json.dumps(obj)


def to_rfc_json(text):
    """The library's layout (text) -> RFC 9901 Section 8 layout (object)."""
    obj = json.loads(text)
    target = obj["signatures"][0] if "signatures" in obj else obj
    header = target.setdefault("header", {})
    for member in ("disclosures", "kb_jwt"):
        if member in obj:
            header[member] = obj.pop(member)
    return obj


def sd_input(value):
    """Return (serialization_format, text) for an "sd_jwt" field of a request."""
    if isinstance(value, dict):
        return "json", to_library_json(value)
    if isinstance(value, str):
        if value.lstrip().startswith("{"):
            return "json", to_library_json(json.loads(value))
        return "compact", value
    raise UsageError("sd_jwt must be a compact string or a JSON object")


def sd_output(req, fmt, text):
    if fmt == "compact":
        return text
    return json.loads(text) if req.get("json_layout") == "library" else to_rfc_json(text)


def jwk(value, what):
    if not isinstance(value, dict):
        raise UsageError(f"{what} must be a JWK object")
    return JWK(**value)


def cmd_verify(req):
    issuer_key = jwk(req.get("issuer_jwk"), "issuer_jwk")
    aud, nonce = req.get("expected_aud"), req.get("expected_nonce")
    try:
        fmt, text = sd_input(req.get("sd_jwt"))
        if req.get("require_kb"):
            # The library checks the KB-JWT only when given BOTH aud and nonce (truthy).
            if not (aud and nonce):
                raise PeerLimitation("require_kb needs non-empty expected_aud and "
                                     "expected_nonce: the library checks no KB-JWT otherwise")
        else:
            aud = nonce = None  # the library then ignores any KB-JWT completely
        verifier = SDJWTVerifier(text, lambda _iss, _header: issuer_key,
                                 expected_aud=aud, expected_nonce=nonce,
                                 serialization_format=fmt)
        return {"ok": True, "claims": verifier.get_verified_payload()}
    except UsageError:
        raise
    except Exception as exc:  # any rejection is an answer
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}


def mark_disclosable(value, prefix, paths):
    """Copy `value`, wrapping every key / element named by `paths` in SDObj."""
    if isinstance(value, dict):
        out = {}
        for key, child in value.items():
            here = prefix + (key,)
            out[SDObj(key) if here in paths else key] = mark_disclosable(child, here, paths)
        return out
    if isinstance(value, list):
        out = []
        for index, child in enumerate(value):
            here = prefix + (index,)
            new = mark_disclosable(child, here, paths)
            out.append(SDObj(new) if here in paths else new)
        return out
    return value


def claim_exists(claims, path):
    node = claims
    for step in path:
        if isinstance(step, str) and isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            node = node[step]
        else:
            return False
    return True


def cmd_issue(req):
    claims = req.get("claims")
    if not isinstance(claims, dict):
        raise UsageError("claims must be a JSON object")
    paths = {check_path(p) for p in req.get("sd_paths") or []}
    for path in paths:
        if not claim_exists(claims, path):
            raise UsageError(f"sd path names no claim: {list(path)!r}")
    fmt = req.get("serialization") or "compact"
    holder = req.get("holder_jwk")
    issuer = SDJWTIssuer(
        mark_disclosable(claims, (), paths),
        jwk(req.get("issuer_jwk"), "issuer_jwk"),
        holder_key=jwk(holder, "holder_jwk") if holder is not None else None,
        sign_alg="ES256",
        add_decoy_claims=bool(req.get("decoys")),
        serialization_format=fmt,
        extra_header_parameters={"typ": req.get("typ") or "dc+sd-jwt"},
    )
    return {"sd_jwt": sd_output(req, fmt, issuer.sd_jwt_issuance)}


def disclosure_selection(node, tree, lookup):
    """Translate a tree of claim-path steps into the library's claims_to_disclose.

    `node` is the payload-side value (digests still in place), `lookup` maps digest ->
    decoded disclosure. Objects become dicts of selections, arrays become lists indexed
    like the payload array (decoy elements included); a selected leaf is True.
    A non-empty selection below a disclosable claim also discloses that claim.
    """
    if not tree:
        return True
    if isinstance(node, dict):
        children = {k: v for k, v in node.items() if k != "_sd"}
        for digest in node.get("_sd", []):
            if len(lookup.get(digest, ())) == 3:
                children[lookup[digest][1]] = lookup[digest][2]
        out = {}
        for key, sub in tree.items():
            if not isinstance(key, str) or key not in children:
                raise UsageError(f"disclose path names no claim at {key!r}")
            out[key] = disclosure_selection(children[key], sub, lookup)
        return out
    if isinstance(node, list):
        def placeholder(e):
            return isinstance(e, dict) and len(e) == 1 and isinstance(e.get("..."), str)
        real = [i for i, e in enumerate(node) if not placeholder(e) or e["..."] in lookup]
        out = [None] * len(node)
        for index, sub in tree.items():
            if not isinstance(index, int) or not 0 <= index < len(real):
                raise UsageError(f"disclose path names no array element at {index!r}")
            element = node[real[index]]
            if placeholder(element):
                element = lookup[element["..."]][-1]
            out[real[index]] = disclosure_selection(element, sub, lookup)
        return out
    raise UsageError("disclose path goes below a scalar claim")


def cmd_present(req):
    fmt, text = sd_input(req.get("sd_jwt"))
    wanted = req.get("serialization") or fmt
    if wanted != fmt:
        raise UsageError(f"the library presents in the issuance's own format ({fmt}), not {wanted}")
    tree = {}
    for path in req.get("disclose_paths") or []:
        node = tree
        for step in check_path(path):
            node = node.setdefault(step, {})
    holder = SDJWTHolder(text, serialization_format=fmt)
    selection = disclosure_selection(holder.sd_jwt_payload, tree,
                                     holder._hash_to_decoded_disclosure)
    holder_jwk, nonce, aud = req.get("holder_jwk"), req.get("nonce"), req.get("aud")
    if holder_jwk is not None and not (nonce and aud):
        raise UsageError("the library makes a KB-JWT only with holder_jwk, nonce and aud all set")
    holder.create_presentation(
        selection, nonce=nonce, aud=aud, sign_alg="ES256",
        holder_key=jwk(holder_jwk, "holder_jwk") if holder_jwk is not None else None)
    return {"presentation": sd_output(req, fmt, holder.sd_jwt_presentation)}


COMMANDS = {"verify": cmd_verify, "issue": cmd_issue, "present": cmd_present}


def main(argv):
    if len(argv) != 2 or argv[1] not in COMMANDS:
        print(f"usage: {argv[0]} {{{'|'.join(COMMANDS)}}} < request.json", file=sys.stderr)
        return 2
    try:
        req = json.load(sys.stdin)
        if not isinstance(req, dict):
            raise UsageError("the request must be a JSON object")
        answer = COMMANDS[argv[1]](req)
    except (UsageError, json.JSONDecodeError) as exc:
        print(f"owf_sdjwt: bad request: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        json.dump({"error": f"{type(exc).__name__}: {exc}"}, sys.stdout)
        sys.stdout.write("\n")
        return 1
    json.dump(answer, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
