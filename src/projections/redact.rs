//! Redaction of exchanges for human reports (Markdown, HTML): the one place that decides what
//! a person reading a report may see of a request or a response.
//!
//! Secret-bearing values (tokens, codes, nonces, states, presentations, credentials, key
//! proofs, request objects, private key members, credentials in headers) are replaced by
//! `[redacted sha256:1a2b3c4d]`, the first 8 hex digits of the SHA-256 of the value (a string
//! as it was sent, decoded from a form or a query; any other JSON value as its compact
//! serialisation). The same value gives the same marker, so a reader can still see that the
//! `state` a verifier sent came back, or that two requests carried one nonce, without the
//! value itself.
//!
//! Values are found by name wherever they are, in form bodies, query strings and fragments,
//! JSON bodies at any depth, JSON or forms nested in a JSON string (a control answer's
//! `posted_form`), URLs inside any of those, and headers; a string that looks like a JWT,
//! JWE or SD-JWT is redacted whatever its name. The event log and the JSON report keep every
//! value: they are the evidence a replay and a bundle need. Pure.

use serde_json::Value;

/// Names whose values are secrets or personal data (compared without case).
pub const SECRET_NAMES: &[&str] = &[
    // OAuth 2.0 / OpenID4VCI tokens, codes and their proofs.
    "access_token",
    "refresh_token",
    "id_token",
    "code",
    "pre-authorized_code",
    "tx_code",
    "code_verifier",
    "device_code",
    "transaction_id",
    "client_secret",
    "client_assertion",
    "subject_token",
    "password",
    // Nonces and states that bind one exchange to another.
    "nonce",
    "c_nonce",
    "wallet_nonce",
    "state",
    "issuer_state",
    // Key proofs, credentials, presentations, request objects.
    "proof",
    "proofs",
    "jwt",
    "key_attestation",
    "credential",
    "credentials",
    "vp_token",
    "response",
    "request",
    // Private members of a JWK (RFC 7518 §6.2.2, §6.3.2, §6.4.1).
    "d",
    "p",
    "q",
    "dp",
    "dq",
    "qi",
    "k",
    // Credentials carried in JSON echoes of headers.
    "authorization",
    "dpop",
];

/// Headers whose whole value is a credential.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "dpop",
    "cookie",
    "set-cookie",
    "oauth-client-attestation",
    "oauth-client-attestation-pop",
    "x-api-key",
];

fn is_secret(name: &str) -> bool {
    SECRET_NAMES.iter().any(|s| s.eq_ignore_ascii_case(name))
}

/// The marker that stands for `value`: `[redacted sha256:` + 8 hex digits + `]`.
pub fn marker(value: &str) -> String {
    let hex = crate::events::sha256_hex(value.as_bytes());
    format!("[redacted sha256:{}]", hex.get(..8).unwrap_or(&hex))
}

/// A URL for a human report: its query and fragment redacted like form bodies.
pub fn url(url: &str) -> String {
    let (rest, fragment) = match url.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (url, None),
    };
    let mut out = match rest.split_once('?') {
        Some((base, query)) => format!("{base}?{}", form(query).unwrap_or_else(|| query.into())),
        None => rest.to_owned(),
    };
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(&form(f).unwrap_or_else(|| f.into()));
    }
    out
}

/// A request or response body for a human report: JSON redacted member by member, a form
/// field by field, anything else only if it looks like a token.
pub fn body(text: &str) -> String {
    if let Ok(mut v) = serde_json::from_str::<Value>(text) {
        json(&mut v);
        return v.to_string();
    }
    if let Some(redacted) = form(text) {
        return redacted;
    }
    if looks_like_token(text.trim()) {
        return marker(text.trim());
    }
    text.to_owned()
}

/// A header's value for a human report.
pub fn header(name: &str, value: &str) -> String {
    if SECRET_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name)) {
        return marker(value);
    }
    // A redirect's target carries codes and states in its query or fragment.
    if value.contains("://") {
        return url(value);
    }
    body(value)
}

/// Free text (an error message): URLs with a query or fragment and token-like words
/// redacted, everything else as it is.
pub fn text(s: &str) -> String {
    s.split(' ')
        .map(|word| {
            let bare = word.trim_matches(|c: char| matches!(c, '(' | ')' | '"' | '\'' | ',' | ';'));
            let redacted = if looks_like_token(bare) {
                marker(bare)
            } else if bare.contains("://") && (bare.contains('?') || bare.contains('#')) {
                url(bare)
            } else {
                return word.to_owned();
            };
            word.replacen(bare, &redacted, 1)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Redacts a JSON value in place.
pub fn json(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, val) in m.iter_mut() {
                if is_secret(k) {
                    secret(val);
                } else {
                    json(val);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(json),
        Value::String(s) => *s = string(s),
        _ => {}
    }
}

/// The value of a secret-named member. Scalars become markers, and so do the strings of an
/// array (`credentials: ["eyJ…"]`, `proofs.jwt: [...]`). An object is redacted member by
/// member instead of hashed whole: `credentials` is also the name of a DCQL query's list of
/// credential queries, which says what was asked and holds no secret, and a `proof` object's
/// secret is its `jwt`.
fn secret(v: &mut Value) {
    match v {
        Value::Null => {}
        Value::Object(_) => json(v),
        Value::Array(a) => a.iter_mut().for_each(secret),
        Value::String(s) => *v = Value::String(marker(s)),
        other => *other = Value::String(marker(&other.to_string())),
    }
}

/// A string value that is not itself named secret: it may still hold secrets (a URL with a
/// code, a form that was posted, JSON text, a token).
fn string(s: &str) -> String {
    if looks_like_token(s) {
        return marker(s);
    }
    if s.contains("://") && (s.contains('?') || s.contains('#')) {
        return url(s);
    }
    let t = s.trim_start();
    if (t.starts_with('{') || t.starts_with('['))
        && let Ok(mut v) = serde_json::from_str::<Value>(s)
    {
        json(&mut v);
        return v.to_string();
    }
    form(s).unwrap_or_else(|| s.to_owned())
}

/// A form (`a=1&b=2`, a query) with its secret fields redacted, or `None` when `text` is not
/// a form with a secret in it (then it is shown as it is: rebuilding a text that only looks
/// like a form, base64 padding for one, would change it for nothing).
fn form(text: &str) -> Option<String> {
    if !text.contains('=') || text.contains(char::is_whitespace) {
        return None;
    }
    let mut changed = false;
    let pieces: Vec<String> = text
        .split('&')
        .map(|piece| {
            let Some((raw_key, raw_value)) = piece.split_once('=') else {
                return piece.to_owned();
            };
            let key = decode(raw_key);
            let value = decode(raw_value);
            let shown = if is_secret(&key) {
                marker(&value)
            } else {
                let redacted = string(&value);
                if redacted == value {
                    return piece.to_owned();
                }
                encode(&redacted)
            };
            changed = true;
            format!("{raw_key}={shown}")
        })
        .collect();
    changed.then(|| pieces.join("&"))
}

fn decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Form-encodes a redacted value, keeping its markers readable.
fn encode(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("[redacted sha256:") {
        let end = rest[start..]
            .find(']')
            .map_or(rest.len(), |e| start + e + 1);
        out.extend(url::form_urlencoded::byte_serialize(
            &rest.as_bytes()[..start],
        ));
        out.push_str(&rest[start..end]);
        rest = &rest[end..];
    }
    out.extend(url::form_urlencoded::byte_serialize(rest.as_bytes()));
    out
}

/// A compact JWS/JWE or an SD-JWT: base64url segments joined by `.` (and `~`), starting with
/// an encoded JSON header.
fn looks_like_token(s: &str) -> bool {
    s.len() > 40
        && s.starts_with("ey")
        && s.split(['.', '~']).filter(|p| !p.is_empty()).count() >= 3
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'='))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> String {
        format!(
            "eyJ{}.eyJ{}.{}",
            "a".repeat(20),
            "b".repeat(20),
            "c".repeat(20)
        )
    }

    #[test]
    fn secrets_are_redacted_in_json_forms_and_tokens() {
        let r = body(r#"{"access_token":"abc","token_type":"Bearer","nested":{"c_nonce":"n"}}"#);
        assert!(!r.contains("\"abc\"") && !r.contains("\"n\"") && r.contains("Bearer"));
        assert!(r.contains(&marker("abc")), "{r}");
        let r = body("grant_type=x&pre-authorized_code=secret&tx_code=123456");
        assert!(!r.contains("secret") && !r.contains("123456") && r.contains("grant_type=x"));
        assert_eq!(
            r,
            format!(
                "grant_type=x&pre-authorized_code={}&tx_code={}",
                marker("secret"),
                marker("123456")
            )
        );
        assert_eq!(body(&token()), marker(&token()));
    }

    #[test]
    fn secret_names_over_containers_keep_what_is_not_secret() {
        let r = body(
            r#"{"dcql_query":{"credentials":[{"id":"d","format":"dc+sd-jwt"}]},
                "proofs":{"jwt":["p1","p2"]},"credentials":[{"credential":"c1"}]}"#,
        );
        assert!(r.contains(r#""format":"dc+sd-jwt""#), "{r}");
        for secret in ["p1", "p2", "c1"] {
            assert!(r.contains(&marker(secret)), "{secret}: {r}");
        }
    }

    #[test]
    fn a_posted_form_inside_json_is_redacted() {
        let vp = format!("{}~", token());
        let form = format!(
            "vp_token={}&state=s3cr3t-state",
            url::form_urlencoded::byte_serialize(vp.as_bytes()).collect::<String>()
        );
        let answer = serde_json::json!({"posted_form": form, "status": 200}).to_string();
        let r = body(&answer);
        assert!(!r.contains("s3cr3t-state") && !r.contains("eyJ"), "{r}");
        assert!(
            r.contains(&marker(&vp)) && r.contains(&marker("s3cr3t-state")),
            "{r}"
        );
    }

    #[test]
    fn queries_fragments_and_headers_are_redacted() {
        let u = url("https://w.example/cb?code=abc&iss=x#state=zz&id_token=t");
        assert_eq!(
            u,
            format!(
                "https://w.example/cb?code={}&iss=x#state={}&id_token={}",
                marker("abc"),
                marker("zz"),
                marker("t")
            )
        );
        assert_eq!(header("DPoP", "eyJx"), marker("eyJx"));
        assert_eq!(header("Authorization", "Bearer t"), marker("Bearer t"));
        assert_eq!(
            header("content-type", "application/json"),
            "application/json"
        );
        // Something that only looks like a form is shown as it was.
        assert_eq!(body("YWJj=="), "YWJj==");
    }
}
