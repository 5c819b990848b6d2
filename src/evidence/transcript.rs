//! Normalised transcripts: what a scenario's exchanges say once everything that legitimately
//! changes from one run to the next is replaced by a stable placeholder.
//!
//! Two runs of the same implementations never send the same bytes: ports are chosen by the
//! operating system and sit inside signed tokens, ECDSA signatures carry a fresh nonce,
//! timestamps move, and an implementation under test draws its own nonces and salts. What
//! must stay the same is the *behaviour*: who asked what, which fields were answered, which
//! claims were disclosed, which errors were given, and which value travelled where. The
//! normaliser keeps exactly that:
//!
//! - bodies and URLs are decoded (JSON, forms, query strings, JWTs, SD-JWTs with their
//!   disclosures, JWE headers), so a difference is named by field, not by byte offset;
//! - base URLs of the players become the part's name (`{verifier-eu}`), other loopback ports
//!   `[port]`;
//! - timestamps become `[time]`, signatures `[signature]`, digests `[digest]`, ciphertexts
//!   `[encrypted]`;
//! - nonces, salts, codes, tokens, keys, certificates and any other random-looking value get
//!   a placeholder *with an identity* (`[nonce-2]`): every later occurrence of the same value,
//!   anywhere in the scenario (a URL, a header, inside a token), gets the same placeholder.
//!   A wallet that echoes the nonce it was given and one that sends a different nonce
//!   therefore still normalise differently.
//!
//! Placeholders are numbered in order of first appearance, so the same behaviour gives the
//! same transcript byte for byte, whatever the seed.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde_json::{Map, Value, json};

use crate::events::PlayerRecord;
use crate::transport::Exchange;

/// Object members whose numbers (or strings) are instants.
const TIME_KEYS: &[&str] = &[
    "iat",
    "exp",
    "nbf",
    "auth_time",
    "issued_at",
    "expires_at",
    "updated_at",
    "created_at",
    "at",
];

/// Object members whose value is derived from signed bytes or salts: shown as `[digest]`.
const DIGEST_KEYS: &[&str] = &[
    "sd_hash",
    "_sd",
    "...",
    "x5t#S256",
    "digest",
    // XML signatures (the trusted lists' XAdES).
    "DigestValue",
];

/// Object members whose values are random by definition (whatever they look like), with an
/// identity worth keeping. Others (`id`, `kid`, a transaction id) get a placeholder only when
/// their value looks random: a DCQL query id or a key id someone chose stays visible.
const RANDOM_KEYS: &[&str] = &[
    "X509Certificate",
    "nonce",
    "c_nonce",
    "state",
    "code",
    "pre-authorized_code",
    "access_token",
    "refresh_token",
    "tx_code",
    "jti",
    "issuer_state",
    "code_verifier",
    "code_challenge",
    "x",
    "y",
    "d",
    "x5c",
    "epk",
    "salt",
];

/// Headers kept in a transcript; the others (dates, lengths, connection handling) say
/// nothing about the protocol.
const KEPT_HEADERS: &[&str] = &[
    "content-type",
    "location",
    "authorization",
    "www-authenticate",
    "cache-control",
    "dpop",
];

/// Turns exchanges and texts of one scenario into their normalised form. One normaliser per
/// scenario: placeholders are numbered from 1 in each.
#[derive(Debug)]
pub struct Normaliser {
    /// Players' base URLs and the part each names, longest first.
    hosts: Vec<(String, String)>,
    /// Value → placeholder.
    tokens: BTreeMap<String, String>,
    /// Per category, how many placeholders were given.
    counters: BTreeMap<String, usize>,
    /// Registered values, longest first, for replacement inside other strings.
    by_length: Vec<String>,
}

/// An instant inside free text: Unix seconds of this era, or RFC 3339.
static INSTANT: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"\b1[0-9]{9}\b|\b[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})")
        .expect("valid regex")
});

/// A loopback address with a port that no player owns.
static LOOPBACK: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(127\.0\.0\.1|localhost|\[::1\]):[0-9]{1,5}").expect("valid regex")
});

impl Normaliser {
    pub fn new(players: &[PlayerRecord]) -> Self {
        let mut hosts: Vec<(String, String)> = players
            .iter()
            .filter(|p| !p.base_url.is_empty())
            .map(|p| {
                (
                    p.base_url.trim_end_matches('/').to_owned(),
                    format!("{{{}}}", p.part.name()),
                )
            })
            .collect();
        hosts.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        Self {
            hosts,
            tokens: BTreeMap::new(),
            counters: BTreeMap::new(),
            by_length: Vec::new(),
        }
    }

    /// The exchanges of one scenario, normalised, in order.
    pub fn exchanges(&mut self, exchanges: &[Exchange]) -> Vec<Value> {
        let mut decoded: Vec<Value> = exchanges.iter().map(decode_exchange).collect();
        for e in &mut decoded {
            self.register(None, e);
        }
        for e in &mut decoded {
            self.substitute(e);
        }
        decoded
    }

    /// A free text of the same scenario (a step's message, a check's expected and actual
    /// values), with the placeholders and host names the exchanges established.
    pub fn text(&mut self, text: &str) -> String {
        self.register_words(text);
        self.substitute_str(text)
    }

    /// Registers the random-looking words (runs of base64url characters) inside a text.
    fn register_words(&mut self, text: &str) {
        let words: Vec<&str> = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .filter(|w| looks_random(w))
            .collect();
        for w in words {
            self.placeholder("value", w);
        }
    }

    fn placeholder(&mut self, category: &str, value: &str) -> String {
        if let Some(p) = self.tokens.get(value) {
            return p.clone();
        }
        let n = self.counters.entry(category.to_owned()).or_default();
        *n += 1;
        let p = format!("[{category}-{n}]");
        self.tokens.insert(value.to_owned(), p.clone());
        let at = self
            .by_length
            .partition_point(|v| v.len() > value.len() || (v.len() == value.len() && **v < *value));
        self.by_length.insert(at, value.to_owned());
        p
    }

    /// First pass: replaces timestamps, digests and signatures, and registers random values
    /// (replacing them where they stand).
    fn register(&mut self, key: Option<&str>, v: &mut Value) {
        match v {
            Value::Object(m) => {
                for (k, child) in m.iter_mut() {
                    self.register(Some(k.as_str()), child);
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.register(key, item);
                }
            }
            Value::Number(_) if key.is_some_and(|k| TIME_KEYS.contains(&k)) => {
                *v = Value::String("[time]".into());
            }
            Value::String(s) => {
                let k = key.unwrap_or("");
                if TIME_KEYS.contains(&k) {
                    *v = Value::String("[time]".into());
                } else if DIGEST_KEYS.contains(&k) && !s.starts_with("<disclosed: ") {
                    *v = Value::String("[digest]".into());
                } else if k == "signature" || k == "SignatureValue" {
                    *v = Value::String("[signature]".into());
                } else if RANDOM_KEYS.contains(&k) && !s.is_empty() && !is_placeholder(s) {
                    let category = category_of(k);
                    *v = Value::String(self.placeholder(category, s));
                } else if looks_random(s) {
                    let category = if k.is_empty() {
                        "value"
                    } else {
                        category_of(k)
                    };
                    *v = Value::String(self.placeholder(category, s));
                } else {
                    // Free text, a URL or a path: random words in it get placeholders.
                    self.register_words(s);
                }
            }
            _ => {}
        }
    }

    /// Second pass: host names and registered values inside every string.
    fn substitute(&self, v: &mut Value) {
        match v {
            Value::Object(m) => {
                for child in m.values_mut() {
                    self.substitute(child);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| self.substitute(i)),
            Value::String(s) => *s = self.substitute_str(s),
            _ => {}
        }
    }

    fn substitute_str(&self, s: &str) -> String {
        if is_placeholder(s) {
            return s.to_owned();
        }
        let mut out = s.to_owned();
        for (base, part) in &self.hosts {
            out = replace_bounded(&out, base, part, |c| !c.is_ascii_digit());
        }
        for value in &self.by_length {
            // Short values (a 4-digit transaction code) are replaced only where they are the
            // whole string: inside other text they would match by accident.
            if value.len() >= 8 {
                if out.contains(value.as_str()) {
                    out = out.replace(value.as_str(), &self.tokens[value]);
                }
            } else if out == *value {
                return self.tokens[value].clone();
            }
        }
        if LOOPBACK.is_match(&out) {
            out = LOOPBACK
                .replace_all(&out, |c: &regex::Captures<'_>| format!("{}:[port]", &c[1]))
                .into_owned();
        }
        if INSTANT.is_match(&out) {
            out = INSTANT.replace_all(&out, "[time]").into_owned();
        }
        out
    }
}

/// Replaces `from` in `text` where the character after it passes `boundary` (or the text
/// ends): `http://127.0.0.1:4000` must not match inside `http://127.0.0.1:40001`.
fn replace_bounded(text: &str, from: &str, to: &str, boundary: impl Fn(char) -> bool) -> String {
    if from.is_empty() || !text.contains(from) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(from) {
        let after = &rest[i + from.len()..];
        out.push_str(&rest[..i]);
        if after.chars().next().is_none_or(&boundary) {
            out.push_str(to);
        } else {
            out.push_str(from);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

fn is_placeholder(s: &str) -> bool {
    s.starts_with('[') && s.ends_with(']') && !s.contains(' ') && s.len() < 40
}

fn category_of(key: &str) -> &str {
    if key.is_empty()
        || key.len() > 24
        || !key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'))
    {
        return "value";
    }
    match key {
        "x" | "y" | "d" | "epk" => "key",
        "x5c" | "X509Certificate" => "certificate",
        "c_nonce" => "nonce",
        other => other,
    }
}

/// A value no person or specification wrote: a base64url, hex or UUID string long enough to
/// be drawn at random.
pub fn looks_random(s: &str) -> bool {
    let n = s.len();
    if n < 16 {
        return false;
    }
    let b64 = s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'=' | b'+' | b'/'));
    if b64 {
        let upper = s.bytes().any(|b| b.is_ascii_uppercase());
        let lower = s.bytes().any(|b| b.is_ascii_lowercase());
        let digit = s.bytes().any(|b| b.is_ascii_digit());
        if upper && lower && (digit || n >= 20) {
            return true;
        }
    }
    let hex = s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    hex && s.bytes().filter(u8::is_ascii_hexdigit).count() >= 32
}

/// One exchange as a tree: URL split into base, path and query; bodies decoded.
fn decode_exchange(e: &Exchange) -> Value {
    let headers = |h: &BTreeMap<String, String>| -> Value {
        Value::Object(
            h.iter()
                .filter(|(k, _)| KEPT_HEADERS.contains(&k.to_ascii_lowercase().as_str()))
                .map(|(k, v)| (k.to_ascii_lowercase(), decode_text(v)))
                .collect(),
        )
    };
    let mut request = Map::new();
    request.insert("method".into(), json!(e.method));
    let (url, query) = split_url(&e.url);
    request.insert("url".into(), json!(url));
    if let Some(q) = query {
        request.insert("query".into(), q);
    }
    request.insert("headers".into(), headers(&e.request_headers));
    if !e.request_body.is_empty() {
        request.insert("body".into(), decode_text(&e.request_body));
    }
    let mut out = Map::new();
    out.insert("from".into(), json!(e.from));
    out.insert("to".into(), json!(e.to));
    out.insert("request".into(), Value::Object(request));
    match e.status {
        Some(status) => {
            let mut response = Map::new();
            response.insert("status".into(), json!(status));
            response.insert("headers".into(), headers(&e.response_headers));
            if !e.response_body.is_empty() {
                response.insert("body".into(), decode_text(&e.response_body));
            }
            out.insert("response".into(), Value::Object(response));
        }
        None => {
            out.insert(
                "error".into(),
                json!(e.error.as_deref().unwrap_or("no response")),
            );
        }
    }
    Value::Object(out)
}

fn split_url(url: &str) -> (String, Option<Value>) {
    match url.split_once('?') {
        Some((base, query)) if !query.is_empty() => (base.to_owned(), Some(decode_form(query))),
        _ => (url.to_owned(), None),
    }
}

fn decode_form(text: &str) -> Value {
    let mut m = Map::new();
    for (k, v) in url::form_urlencoded::parse(text.as_bytes()) {
        let value = decode_text(&v);
        // A repeated name keeps every value, in order.
        match m.get_mut(k.as_ref()) {
            Some(Value::Array(items)) if k.ends_with("[]") => items.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = json!([first, value]);
            }
            None => {
                m.insert(k.into_owned(), value);
            }
        }
    }
    Value::Object(m)
}

/// Decodes a body or a value: JSON, a JWT, an SD-JWT, a JWE, a form; else the text itself.
pub fn decode_text(text: &str) -> Value {
    let trimmed = text.trim();
    if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && let Ok(mut v) = serde_json::from_str::<Value>(trimmed)
    {
        decode_strings(&mut v);
        return v;
    }
    if let Some(v) = decode_token(trimmed) {
        return v;
    }
    if trimmed.starts_with('<')
        && let Some(v) = decode_xml(trimmed)
    {
        return v;
    }
    if let Some(v) = decode_url(trimmed) {
        return v;
    }
    if looks_like_form(trimmed) {
        return decode_form(trimmed);
    }
    Value::String(text.to_owned())
}

/// An XML document (a trusted list) as a tree named by its elements' local names:
/// attributes as `@name`, an element with text only as its text, repeated elements as
/// arrays. So a difference is named by element path, and the signature, digest and
/// certificate members are redacted like their JSON counterparts.
fn decode_xml(text: &str) -> Option<Value> {
    fn element(node: roxmltree::Node<'_, '_>) -> Value {
        let mut m = Map::new();
        for a in node.attributes() {
            m.insert(format!("@{}", a.name()), json!(a.value()));
        }
        let children: Vec<_> = node.children().filter(|c| c.is_element()).collect();
        if children.is_empty() {
            let text: String = node.children().filter_map(|c| c.text()).collect();
            if m.is_empty() {
                return json!(text.trim());
            }
            m.insert("#text".into(), json!(text.trim()));
            return Value::Object(m);
        }
        for c in children {
            let name = c.tag_name().name().to_owned();
            let v = element(c);
            match m.get_mut(&name) {
                Some(Value::Array(items)) => items.push(v),
                Some(first) => {
                    let first = first.take();
                    m.insert(name, json!([first, v]));
                }
                None => {
                    m.insert(name, v);
                }
            }
        }
        Value::Object(m)
    }
    let doc = roxmltree::Document::parse(text).ok()?;
    let root = doc.root_element();
    let mut m = Map::new();
    m.insert(root.tag_name().name().to_owned(), element(root));
    Some(Value::Object(m))
}

/// `name=value&…` with parameter names as protocols write them.
fn looks_like_form(s: &str) -> bool {
    !s.is_empty()
        && s.split('&').all(|pair| {
            pair.split_once('=').is_some_and(|(k, _)| {
                !k.is_empty()
                    && k.bytes().all(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'[' | b']')
                    })
            })
        })
}

/// Strings inside a decoded JSON value that are themselves tokens (a credential in a
/// credential response, a presentation in a VP token) are decoded in place.
fn decode_strings(v: &mut Value) {
    match v {
        Value::Object(m) => m.values_mut().for_each(decode_strings),
        Value::Array(items) => items.iter_mut().for_each(decode_strings),
        Value::String(s) => {
            if let Some(decoded) = decode_token(s) {
                *v = decoded;
            } else if let Some(decoded) = decode_url(s) {
                *v = decoded;
            } else if looks_like_form(s) {
                *v = decode_form(s);
            }
        }
        _ => {}
    }
}

/// A URL with a query (an offer's `openid-credential-offer://?credential_offer=…`, a
/// redirect), split so that its parameters are compared one by one.
fn decode_url(s: &str) -> Option<Value> {
    if !s.contains("://") || s.contains(' ') {
        return None;
    }
    let (base, query) = s.split_once('?')?;
    if query.is_empty() {
        return None;
    }
    Some(json!({"url": base, "query": decode_form(query)}))
}

fn b64_json(part: &str) -> Option<Value> {
    let bytes = crate::formats::jose::b64_decode(part).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A compact JWS, JWE or SD-JWT, decoded; `None` for anything else.
fn decode_token(s: &str) -> Option<Value> {
    if s.len() < 16 || s.contains(' ') {
        return None;
    }
    if s.contains('~') {
        let parts: Vec<&str> = s.split('~').collect();
        let mut jwt = decode_jws(parts[0])?;
        let last = parts[parts.len() - 1];
        let raw = &parts[1..parts.len() - 1];
        // Digest → what it discloses. Digests no disclosure matches are decoys (or claims
        // not disclosed); their number is random, so they are left out.
        let mut labels: BTreeMap<String, String> = BTreeMap::new();
        let mut disclosures: Vec<Value> = Vec::with_capacity(raw.len());
        for d in raw {
            let digest = crate::formats::jose::b64(aws_lc_rs::digest::digest(
                &aws_lc_rs::digest::SHA256,
                d.as_bytes(),
            ));
            match b64_json(d) {
                Some(Value::Array(mut items)) => {
                    // [salt, name, value] or [salt, value]: the salt is random.
                    let label = match items.as_slice() {
                        [_, Value::String(name), _] => format!("<disclosed: {name}>"),
                        [_, value] => format!("<disclosed: {}>", shorten(&value.to_string(), 60)),
                        _ => "<disclosed: ?>".to_owned(),
                    };
                    labels.insert(digest, label);
                    if let Some(salt) = items.first_mut() {
                        *salt = json!({"salt": salt.take()});
                    }
                    for item in items.iter_mut().skip(1) {
                        decode_strings(item);
                    }
                    disclosures.push(Value::Array(items));
                }
                _ => disclosures.push(json!({"undecodable": d})),
            }
        }
        resolve_digests(&mut jwt, &labels);
        for d in &mut disclosures {
            resolve_digests(d, &labels);
        }
        // The order of disclosures means nothing (RFC 9901 §4) and an implementation may
        // shuffle them: sorted by what they disclose, salts aside.
        disclosures.sort_by_cached_key(|d| match d {
            Value::Array(items) => Value::Array(items.get(1..).unwrap_or(&[]).to_vec()).to_string(),
            other => other.to_string(),
        });
        let mut m = Map::new();
        m.insert("issuer-jwt".into(), jwt);
        m.insert("disclosures".into(), Value::Array(disclosures));
        if !last.is_empty() {
            m.insert(
                "kb-jwt".into(),
                decode_jws(last).unwrap_or_else(|| json!({"undecodable": last})),
            );
        }
        return Some(json!({ "sd-jwt": m }));
    }
    let dots = s.bytes().filter(|b| *b == b'.').count();
    match dots {
        2 => decode_jws(s).map(|jwt| json!({ "jwt": jwt })),
        4 => {
            let parts: Vec<&str> = s.split('.').collect();
            let header = b64_json(parts[0])?;
            header.get("enc")?;
            Some(json!({"jwe": {
                "header": header,
                "encrypted_key": if parts[1].is_empty() { json!("") } else { json!("[encrypted]") },
                "iv": "[encrypted]",
                "ciphertext": "[encrypted]",
                "tag": "[encrypted]",
            }}))
        }
        _ => None,
    }
}

/// Replaces the digests in `_sd` arrays and `{"...": digest}` array elements by what they
/// disclose, sorted (the order of digests is that of their random values); drops the ones no
/// disclosure matches.
fn resolve_digests(v: &mut Value, labels: &BTreeMap<String, String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Array(digests)) = m.get_mut("_sd") {
                let mut named: Vec<Value> = digests
                    .iter()
                    .filter_map(|d| labels.get(d.as_str()?).cloned().map(Value::String))
                    .collect();
                named.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                *digests = named;
            }
            for (k, child) in m.iter_mut() {
                if k != "_sd" {
                    resolve_digests(child, labels);
                }
            }
        }
        Value::Array(items) => {
            items.retain(|item| match item.get("...").and_then(Value::as_str) {
                Some(d) if item.as_object().is_some_and(|o| o.len() == 1) => labels.contains_key(d),
                _ => true,
            });
            for item in items.iter_mut() {
                if let Some(d) = item.get("...").and_then(Value::as_str)
                    && let Some(label) = labels.get(d)
                {
                    *item = json!({"...": label});
                } else {
                    resolve_digests(item, labels);
                }
            }
        }
        _ => {}
    }
}

fn decode_jws(s: &str) -> Option<Value> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 3 {
        return None;
    }
    let header = b64_json(parts[0])?;
    if !header.is_object() || header.get("alg").is_none() {
        return None;
    }
    let mut payload = match b64_json(parts[1]) {
        Some(p) => p,
        None => json!({"undecodable": parts[1]}),
    };
    decode_strings(&mut payload);
    Some(json!({
        "header": header,
        "payload": payload,
        "signature": if parts[2].is_empty() { "" } else { "[signature]" },
    }))
}

/// One field that differs between two normalised values.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Difference {
    /// Where, e.g. `response.body.violations[0].requirement`.
    pub path: String,
    /// The recorded (or expected) value; `None` when absent.
    pub recorded: Option<Value>,
    /// The new value; `None` when absent.
    pub replayed: Option<Value>,
}

impl Difference {
    /// `path: recorded → replayed`, values in compact JSON, long ones shortened.
    pub fn describe(&self) -> String {
        let show = |v: &Option<Value>| match v {
            None => "(absent)".to_owned(),
            Some(v) => shorten(&v.to_string(), 160),
        };
        format!(
            "{}: {} → {}",
            if self.path.is_empty() {
                "(whole)"
            } else {
                &self.path
            },
            show(&self.recorded),
            show(&self.replayed)
        )
    }

    /// Requirement ids of Accord's catalogue that either side mentions: what a difference in
    /// a verdict or a list of violations is about.
    pub fn requirements(&self) -> Vec<String> {
        let mut out = Vec::new();
        for side in [&self.recorded, &self.replayed].into_iter().flatten() {
            mentioned_requirements(side, &mut out);
        }
        out
    }
}

fn mentioned_requirements(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            for r in crate::requirements::catalogue::ALL.iter() {
                // `SDJWTVC-2.2.1-typ` is not mentioned by `SDJWTVC-2.2.1-typ-legacy`.
                let mentioned = s.match_indices(r.id).any(|(i, _)| {
                    s[i + r.id.len()..]
                        .chars()
                        .next()
                        .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
                });
                if mentioned && !out.iter().any(|o| o == r.id) {
                    out.push(r.id.to_owned());
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| mentioned_requirements(i, out)),
        Value::Object(m) => m.values().for_each(|i| mentioned_requirements(i, out)),
        _ => {}
    }
}

pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let cut: String = s.chars().take(max).collect();
    format!("{cut}…")
}

/// Every field where `b` differs from `a`, depth first, at most `limit` of them.
pub fn differences(a: &Value, b: &Value, limit: usize) -> Vec<Difference> {
    let mut out = Vec::new();
    walk_diff("", Some(a), Some(b), &mut out, limit);
    out
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn walk_diff(
    path: &str,
    a: Option<&Value>,
    b: Option<&Value>,
    out: &mut Vec<Difference>,
    limit: usize,
) {
    if out.len() >= limit {
        return;
    }
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                walk_diff(&join(path, k), x.get(k), y.get(k), out, limit);
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) => {
            for i in 0..x.len().max(y.len()) {
                walk_diff(&format!("{path}[{i}]"), x.get(i), y.get(i), out, limit);
            }
        }
        (x, y) if x == y => {}
        (x, y) => out.push(Difference {
            path: path.to_owned(),
            recorded: x.cloned(),
            replayed: y.cloned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Part;

    fn exchange(url: &str, body: &str, response: &str) -> Exchange {
        Exchange {
            from: "wallet".into(),
            to: "verifier:eu".into(),
            method: "POST".into(),
            url: url.into(),
            request_headers: BTreeMap::from([
                (
                    "content-type".into(),
                    "application/x-www-form-urlencoded".into(),
                ),
                ("date".into(), "Fri, 27 Nov 2026 08:00:00 GMT".into()),
            ]),
            request_body: body.into(),
            status: Some(200),
            response_headers: BTreeMap::new(),
            response_body: response.into(),
            error: None,
        }
    }

    fn players(port: u16) -> Vec<PlayerRecord> {
        vec![PlayerRecord::new(
            Part::VerifierEu,
            "accord-reference",
            "in-process",
            &format!("http://127.0.0.1:{port}"),
        )]
    }

    #[test]
    fn same_behaviour_different_randomness_normalises_the_same() {
        let run = |port: u16, nonce: &str, state: &str| {
            let e = vec![
                exchange(
                    &format!("http://127.0.0.1:{port}/request"),
                    "a=1",
                    &format!(r#"{{"nonce":"{nonce}","state":"{state}","iat":17}}"#),
                ),
                exchange(
                    &format!("http://127.0.0.1:{port}/response?state={state}"),
                    &format!("state={state}&nonce={nonce}"),
                    "{}",
                ),
            ];
            Normaliser::new(&players(port)).exchanges(&e)
        };
        let a = run(4000, "Qx7fT2mLp9ZkW3vR8nB1cD", "Ab3dEf5gHi7jKl9mNo1pQr");
        let b = run(4111, "Zz1yXx2wVv3uTt4sRr5qPp", "Mm6nNo7pPq8rRs9tTu0vVw");
        assert_eq!(a, b);
        assert_eq!(a[1]["request"]["url"], "{verifier-eu}/response");
        assert_eq!(a[1]["request"]["query"]["state"], "[state-1]");
        assert_eq!(a[1]["request"]["body"]["nonce"], "[nonce-1]");
        assert_eq!(a[0]["response"]["body"]["iat"], "[time]");
        assert!(a[0]["request"]["headers"].get("date").is_none());
    }

    #[test]
    fn a_different_value_keeps_a_different_identity() {
        let e = vec![
            exchange("http://h/x", "a=1", r#"{"nonce":"Qx7fT2mLp9ZkW3vR8nB1cD"}"#),
            exchange("http://h/y", "nonce=Zz1yXx2wVv3uTt4sRr5qPp", "{}"),
        ];
        let n = Normaliser::new(&[]).exchanges(&e);
        assert_eq!(n[0]["response"]["body"]["nonce"], "[nonce-1]");
        assert_eq!(n[1]["request"]["body"]["nonce"], "[nonce-2]");
    }

    #[test]
    fn tokens_are_decoded_and_signatures_redacted() {
        let header = crate::formats::jose::b64(br#"{"alg":"ES256","typ":"kb+jwt"}"#);
        let payload = crate::formats::jose::b64(
            br#"{"aud":"x509_san_dns:verifier.example","sd_hash":"abc","iat":1}"#,
        );
        let jwt = format!("{header}.{payload}.c2lnbmF0dXJlc2lnbmF0dXJl");
        let v = decode_text(&jwt);
        assert_eq!(v["jwt"]["signature"], "[signature]");
        let mut n = Normaliser::new(&[]);
        let e = n.exchanges(&[exchange("http://h/", &format!("vp_token={jwt}"), "")]);
        let kb = &e[0]["request"]["body"]["vp_token"]["jwt"]["payload"];
        assert_eq!(kb["sd_hash"], "[digest]");
        assert_eq!(kb["iat"], "[time]");
        assert_eq!(kb["aud"], "x509_san_dns:verifier.example");
    }

    #[test]
    fn random_looking_values() {
        assert!(looks_random("Qx7fT2mLp9ZkW3vR8nB1cD"));
        assert!(looks_random("0192f3c4-5b6a-7d8e-9f00-112233445566"));
        assert!(!looks_random("University of Tokyo"));
        assert!(!looks_random("urn:eudi:diploma:1"));
        assert!(!looks_random("eu_diploma"));
    }

    #[test]
    fn differences_name_the_field() {
        let a = json!({"body": {"status": "rejected", "violations": [{"requirement": "SDJWT-7.3-kb-sd-hash"}]}});
        let b = json!({"body": {"status": "verified", "violations": []}});
        let d = differences(&a, &b, 10);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].path, "body.status");
        assert_eq!(d[1].path, "body.violations[0]");
        assert!(d[1].describe().contains("(absent)"));
    }
}
