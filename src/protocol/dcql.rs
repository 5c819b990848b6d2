//! Digital Credentials Query Language (DCQL), OpenID4VP 1.0 §6, and claims path
//! pointers, §7.
//!
//! This module owns three things:
//! - the DCQL data model and its conformance rules: [`DcqlQuery::parse`] rejects
//!   structurally broken queries, [`DcqlQuery::validate`] lists every broken
//!   requirement of §6/§7/Appendix B with the section it breaks;
//! - the Wallet-side evaluation of §6.4 ([`CredentialQuery::matches`], [`select`]);
//! - the Verifier-side checks that a response answers the query
//!   ([`check_vp_token_shape`], §8.1, and [`check_disclosed`], §8.6 step 2.2).
//!
//! It sees credentials only as JSON claims: signature checks and credential
//! decoding happen before it is called. `trusted_authorities` is validated
//! but never evaluated, since that needs the issuer's certificate chain or
//! trust framework (a Wallet SHOULD, §6.1).
//!
//! Section numbers are those of OpenID4VP 1.0 final; the §6, §7, §8.1 and
//! Appendix B rules are unchanged in the errata text
//! (`1.0/openid-4-verifiable-presentations-1_0.md` in `openid/OpenID4VP`).

use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

const SD_JWT_VC: &str = "dc+sd-jwt";
const MDOC: &str = "mso_mdoc";
const W3C_FORMATS: [&str; 2] = ["jwt_vc_json", "ldp_vc"];

/// A DCQL query (OpenID4VP 1.0 §6). Deserialize from JSON.
///
/// Unknown properties are ignored everywhere, because §6 says implementations
/// MUST ignore them (future extensions).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DcqlQuery {
    pub credentials: Vec<CredentialQuery>,
    pub credential_sets: Option<Vec<CredentialSetQuery>>,
}

/// A Credential Query (§6.1).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CredentialQuery {
    pub id: String,
    pub format: String,
    #[serde(default)]
    pub multiple: bool,
    pub meta: Map<String, Value>,
    pub claims: Option<Vec<ClaimsQuery>>,
    pub claim_sets: Option<Vec<Vec<String>>>,
    #[serde(default = "default_true")]
    pub require_cryptographic_holder_binding: bool,
    /// Kept as raw JSON: `validate` checks the entries (§6.1.1); nothing here
    /// evaluates them (see the module docs).
    pub trusted_authorities: Option<Vec<Value>>,
}

/// A Claims Query (§6.3).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ClaimsQuery {
    pub id: Option<String>,
    pub path: ClaimsPathPointer,
    /// Raw JSON so that `validate` can report wrongly typed entries with §6.3
    /// instead of failing the whole parse.
    pub values: Option<Vec<Value>>,
}

/// A Credential Set Query (§6.2).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CredentialSetQuery {
    pub options: Vec<Vec<String>>,
    #[serde(default = "default_true")]
    pub required: bool,
}

fn default_true() -> bool {
    true
}

/// Claims path pointer (§7): a non-empty array of string (object key),
/// non-negative integer (array index) or null (all array elements).
///
/// Deserialization rejects any other component type (§7: MUST); emptiness is
/// left to [`DcqlQuery::validate`] so it is reported alongside other violations.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "Vec<Value>")]
pub struct ClaimsPathPointer(pub Vec<PathElement>);

/// One component of a [`ClaimsPathPointer`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathElement {
    Key(String),
    Index(usize),
    All,
}

impl TryFrom<Vec<Value>> for ClaimsPathPointer {
    type Error = String;
    fn try_from(raw: Vec<Value>) -> Result<Self, String> {
        raw.into_iter()
            .map(|c| match c {
                Value::String(s) => Ok(PathElement::Key(s)),
                Value::Null => Ok(PathElement::All),
                Value::Number(ref n) => n
                    .as_u64()
                    .and_then(|i| usize::try_from(i).ok())
                    .map(PathElement::Index)
                    .ok_or_else(|| format!("path component {c} is not a non-negative integer")),
                other => Err(format!(
                    "path component {other} is not a string, null or non-negative integer"
                )),
            })
            .collect::<Result<_, _>>()
            .map(ClaimsPathPointer)
    }
}

/// Why processing a claims path pointer aborted (§7.1.1, §7.2.1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("claims path pointer is empty (§7: MUST be non-empty)")]
    Empty,
    #[error("component {index}: a selected element is not an object (§7.1.1 step 2.1)")]
    NotAnObject { index: usize },
    #[error("component {index}: a selected element is not an array (§7.1.1 step 2.2/2.3)")]
    NotAnArray { index: usize },
    #[error("the pointer selects no element (§7.1.1 step 3)")]
    NothingSelected,
    #[error("an mso_mdoc claims path pointer must be exactly two strings (§7.2.1 step 1)")]
    MdocShape,
}

impl ClaimsPathPointer {
    /// §7.1.1 processing: select the JSON values this pointer addresses in
    /// `claims`; error if processing aborts per the spec rules.
    pub fn select<'a>(&self, claims: &'a Value) -> Result<Vec<&'a Value>, PathError> {
        if self.0.is_empty() {
            return Err(PathError::Empty);
        }
        let mut selected = vec![claims];
        for (index, component) in self.0.iter().enumerate() {
            let mut next = Vec::new();
            for element in selected {
                match component {
                    PathElement::Key(key) => {
                        let obj = element
                            .as_object()
                            .ok_or(PathError::NotAnObject { index })?;
                        // A missing key only drops this element (step 2.1).
                        next.extend(obj.get(key));
                    }
                    PathElement::All => {
                        let arr = element.as_array().ok_or(PathError::NotAnArray { index })?;
                        next.extend(arr.iter());
                    }
                    PathElement::Index(i) => {
                        let arr = element.as_array().ok_or(PathError::NotAnArray { index })?;
                        next.extend(arr.get(*i));
                    }
                }
            }
            selected = next;
        }
        if selected.is_empty() {
            return Err(PathError::NothingSelected);
        }
        Ok(selected)
    }

    /// The pointer as the JSON array it was written as.
    pub fn to_json(&self) -> Value {
        Value::Array(
            self.0
                .iter()
                .map(|c| match c {
                    PathElement::Key(k) => Value::String(k.clone()),
                    PathElement::Index(i) => Value::from(*i),
                    PathElement::All => Value::Null,
                })
                .collect(),
        )
    }

    /// Format-aware selection: mdoc pointers are namespace + data element
    /// (§7.2.1); mdoc claims are given as `{namespace: {element: value}}` JSON,
    /// so after the shape check the JSON rules select the same element.
    fn select_for<'a>(&self, format: &str, claims: &'a Value) -> Result<Vec<&'a Value>, PathError> {
        if format == MDOC && !self.is_mdoc_shaped() {
            return Err(PathError::MdocShape);
        }
        self.select(claims)
    }

    fn is_mdoc_shaped(&self) -> bool {
        self.0.len() == 2 && self.0.iter().all(|c| matches!(c, PathElement::Key(_)))
    }
}

/// One violation of a rule of §6 (or of the sections it delegates to) in the
/// query or response, with the section it breaks. Messages start with the
/// requirement level the spec uses (REQUIRED, MUST, MUST NOT, SHOULD NOT).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("§{section}: {message}")]
pub struct QueryViolation {
    pub section: &'static str,
    pub message: String,
}

fn violation(section: &'static str, message: String) -> QueryViolation {
    QueryViolation { section, message }
}

/// `rule!(out, broken => section, "message", args..)` records a violation
/// when `broken` holds. The `=>` keeps rustfmt from spreading each rule over
/// six lines, so the rules read as a list.
macro_rules! rule {
    ($out:expr, $broken:expr => $section:expr, $($msg:tt)+) => {
        if $broken {
            $out.push(violation($section, format!($($msg)+)));
        }
    };
}

/// §6.1 and §6.3 share the identifier rule: non-empty, `[A-Za-z0-9_-]` only.
fn valid_id(id: &str) -> bool {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    !id.is_empty() && id.bytes().all(allowed)
}

fn is_string_array(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Array(a)) if !a.is_empty() && a.iter().all(Value::is_string))
}

impl DcqlQuery {
    /// Structural parse. Errors name the innermost failing object so the
    /// violation cites that object's section rather than §6 as a whole.
    pub fn parse(v: &Value) -> Result<DcqlQuery, QueryViolation> {
        DcqlQuery::deserialize(v).map_err(|top| blame(v, top))
    }

    /// Every requirement of §6 (and §7, Appendix B for `meta`) that the query
    /// breaks. An empty result means the query is valid.
    pub fn validate(&self) -> Vec<QueryViolation> {
        let mut out = Vec::new();
        rule!(out, self.credentials.is_empty() => "6", "REQUIRED: `credentials` is empty");
        let mut ids: Vec<&str> = Vec::new();
        for cq in &self.credentials {
            let id = cq.id.as_str();
            rule!(out, !valid_id(id) => "6.1", "MUST: id {id:?} is empty or not [A-Za-z0-9_-]");
            rule!(out, ids.contains(&id) => "6.1", "MUST NOT: id {id:?} used more than once");
            ids.push(id);
            cq.validate_into(&mut out);
        }
        let sets = self.credential_sets.as_deref().unwrap_or_default();
        let no_sets = self.credential_sets.is_some() && sets.is_empty();
        rule!(out, no_sets => "6", "`credential_sets` is present but empty");
        for (i, set) in sets.iter().enumerate() {
            let at = format!("credential_sets[{i}]");
            rule!(out, set.options.is_empty() => "6.2", "REQUIRED: {at}.options is empty");
            for (j, option) in set.options.iter().enumerate() {
                rule!(out, option.is_empty() => "6.2", "{at}.options[{j}] is empty");
                for id in option.iter().filter(|id| !ids.contains(&id.as_str())) {
                    rule!(out, true => "6.2", "{at}.options[{j}]: unknown credential {id:?}");
                }
            }
        }
        out
    }

    fn credential(&self, id: &str) -> Option<&CredentialQuery> {
        self.credentials.iter().find(|c| c.id == id)
    }
}

/// Re-deserializes the parts of a query that failed as a whole, innermost
/// first, to find which object (and so which section) is broken.
fn blame(v: &Value, top: serde_json::Error) -> QueryViolation {
    let list = |key: &str, v: &Value| {
        let items = v.get(key).and_then(Value::as_array);
        items.cloned().unwrap_or_default()
    };
    for (i, cq) in list("credentials", v).iter().enumerate() {
        for (j, claim) in list("claims", cq).iter().enumerate() {
            let at = format!("credentials[{i}].claims[{j}]");
            if let Some(Err(e)) = claim.get("path").map(ClaimsPathPointer::deserialize) {
                return violation("7", format!("MUST: {at}.path: {e}"));
            }
            if let Err(e) = ClaimsQuery::deserialize(claim) {
                return violation("6.3", format!("{at}: {e}"));
            }
        }
        if let Err(e) = CredentialQuery::deserialize(cq) {
            return violation("6.1", format!("credentials[{i}]: {e}"));
        }
    }
    for (i, set) in list("credential_sets", v).iter().enumerate() {
        if let Err(e) = CredentialSetQuery::deserialize(set) {
            return violation("6.2", format!("credential_sets[{i}]: {e}"));
        }
    }
    violation("6", format!("DCQL query: {top}"))
}

impl CredentialQuery {
    fn validate_into(&self, out: &mut Vec<QueryViolation>) {
        let at = format!("credential {:?}", self.id);
        if let Some((section, message)) = meta_violation(&self.format, &self.meta) {
            rule!(out, true => section, "REQUIRED: {at}: {message}");
        }
        let tas = self.trusted_authorities.as_deref().unwrap_or_default();
        let no_tas = self.trusted_authorities.is_some() && tas.is_empty();
        rule!(out, no_tas => "6.1", "{at}: `trusted_authorities` is present but empty");
        for (i, ta) in tas.iter().enumerate() {
            let typed = ta.get("type").is_some_and(Value::is_string);
            let ok = typed && is_string_array(ta.get("values"));
            rule!(out, !ok => "6.1.1", "REQUIRED: {at}: trusted_authorities[{i}] needs a \
                string `type` and non-empty string array `values`");
        }
        let claims = self.claims.as_deref().unwrap_or_default();
        let has_sets = self.claim_sets.is_some();
        let no_claims = self.claims.is_some() && claims.is_empty();
        rule!(out, no_claims => "6.1", "{at}: `claims` is present but empty");
        let orphan = has_sets && self.claims.is_none();
        rule!(out, orphan => "6.4.1", "MUST NOT: {at}: `claim_sets` without `claims`");
        let mut ids: Vec<&str> = Vec::new();
        for (j, claim) in claims.iter().enumerate() {
            let at = format!("{at} claims[{j}]");
            match claim.id.as_deref() {
                None => rule!(out, has_sets => "6.3", "REQUIRED: {at}: `id` (claim_sets present)"),
                Some(id) => {
                    rule!(out, !valid_id(id) => "6.3", "MUST: {at}: id {id:?} is empty or not \
                        [A-Za-z0-9_-]");
                    rule!(out, ids.contains(&id) => "6.3", "MUST NOT: {at}: id {id:?} repeated");
                    ids.push(id);
                }
            }
            let path = &claim.path;
            rule!(out, path.0.is_empty() => "6.3", "MUST: {at}: `path` is empty (§7)");
            let bad_mdoc = self.format == MDOC && !path.0.is_empty() && !path.is_mdoc_shaped();
            rule!(out, bad_mdoc => "7.2.1", "{at}: mso_mdoc path is not [namespace, element] \
                (processing aborts)");
            let repeated = claims[..j].iter().any(|earlier| &earlier.path == path);
            rule!(out, repeated => "6.1", "MUST NOT: {at}: points to an already queried claim");
            if let Some(values) = &claim.values {
                let scalar =
                    |v: &Value| v.is_string() || v.is_boolean() || v.is_i64() || v.is_u64();
                let ok = !values.is_empty() && values.iter().all(scalar);
                rule!(out, !ok => "6.3", "{at}: `values` is not a non-empty array of strings, \
                    integers or booleans");
            }
        }
        let sets = self.claim_sets.as_deref().unwrap_or_default();
        rule!(out, has_sets && sets.is_empty() => "6.1", "{at}: `claim_sets` is present but empty");
        for (k, set) in sets.iter().enumerate() {
            for id in set.iter().filter(|id| !ids.contains(&id.as_str())) {
                rule!(out, true => "6.1", "{at}: claim_sets[{k}]: unknown claim id {id:?}");
            }
        }
    }

    /// §6.4.1: does `c` match this query, and which claim paths must then be
    /// disclosed? An empty `paths` means no selectively disclosable claims are
    /// requested (`claims` absent). With `claim_sets`, the first satisfiable set
    /// in the Verifier's order of preference wins (SHOULD).
    pub fn matches(&self, c: &Candidate) -> Option<Match> {
        if c.format != self.format || type_mismatch(self, c.vct, c.claims).is_some() {
            return None;
        }
        // Appendix B.1/B.3: a credential that cannot bind to the holder cannot
        // answer a query that requires holder binding.
        if self.require_cryptographic_holder_binding && !c.cryptographic_holder_binding {
            return None;
        }
        let mut paths: Vec<ClaimsPathPointer> = Vec::new();
        // Duplicate claim queries are ignored (§6.1: Wallets SHOULD).
        for claim in self.satisfied_claims(c.claims).ok()? {
            if !paths.contains(&claim.path) {
                paths.push(claim.path.clone());
            }
        }
        Some(Match { paths })
    }

    /// The claims queries to disclose under §6.4.1, or why each alternative
    /// fails (one entry per claim set, or one without `claim_sets`).
    fn satisfied_claims<'q>(
        &'q self,
        claims: &Value,
    ) -> Result<Vec<&'q ClaimsQuery>, Vec<ClaimFailure<'q>>> {
        let Some(all) = &self.claims else {
            return Ok(Vec::new());
        };
        let check = |set: Vec<&'q ClaimsQuery>| {
            let failure = set
                .iter()
                .find_map(|q| claim_failure(&self.format, q, claims));
            failure.map_or(Ok(set), Err)
        };
        let Some(sets) = &self.claim_sets else {
            return check(all.iter().collect()).map_err(|f| vec![f]);
        };
        let mut failures = Vec::new();
        for set in sets {
            let by_id = |id: &String| all.iter().find(|q| q.id.as_ref() == Some(id));
            match set.iter().map(by_id).collect::<Option<Vec<_>>>().map(check) {
                Some(Ok(chosen)) => return Ok(chosen),
                Some(Err(f)) => failures.push(f),
                // A set naming an unknown claim id can never be satisfied.
                None => failures.push(ClaimFailure::UnknownId),
            }
        }
        Err(failures)
    }
}

/// Why one claims query is not satisfied by a credential's claims.
enum ClaimFailure<'q> {
    Missing(&'q ClaimsQuery, PathError),
    ValueMismatch(&'q ClaimsQuery),
    UnknownId,
}

impl std::fmt::Display for ClaimFailure<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing(q, e) => write!(f, "{} not present: {e}", q.path.to_json()),
            Self::ValueMismatch(q) => write!(f, "{} matches none of `values`", q.path.to_json()),
            Self::UnknownId => write!(f, "claim set names an unknown claim id"),
        }
    }
}

/// §6.3/§6.4.1: the claim must exist and, with `values`, at least one selected
/// element must equal one of them in type and value. A `null` path component
/// can select several elements; one match is enough.
fn claim_failure<'q>(format: &str, q: &'q ClaimsQuery, claims: &Value) -> Option<ClaimFailure<'q>> {
    match (q.path.select_for(format, claims), &q.values) {
        (Err(e), _) => Some(ClaimFailure::Missing(q, e)),
        (Ok(selected), Some(values)) if !selected.iter().any(|s| values.contains(s)) => {
            Some(ClaimFailure::ValueMismatch(q))
        }
        _ => None,
    }
}

/// Appendix B `meta` requirements per known format; unknown formats define
/// their own and only need `meta` to be an object (§6.1), which parsing ensures.
fn meta_violation(format: &str, meta: &Map<String, Value>) -> Option<(&'static str, &'static str)> {
    let type_values_ok = || {
        let alternatives = meta.get("type_values").and_then(Value::as_array);
        alternatives.is_some_and(|a| !a.is_empty() && a.iter().all(|t| is_string_array(Some(t))))
    };
    match format {
        SD_JWT_VC if !is_string_array(meta.get("vct_values")) => {
            Some(("B.3.5", "meta.vct_values is not a non-empty string array"))
        }
        MDOC if !meta.get("doctype_value").is_some_and(Value::is_string) => {
            Some(("B.2.3", "meta.doctype_value is not a string"))
        }
        f if W3C_FORMATS.contains(&f) && !type_values_ok() => Some((
            "B.1.1",
            "meta.type_values is not a non-empty array of non-empty string arrays",
        )),
        _ => None,
    }
}

/// The credential's type against `meta`, or why it does not match.
/// `type_id` is the `vct` (SD-JWT VC) or doctype (mdoc). W3C `type_values`
/// are compared with the credential's types expanded by its `@context`
/// (and, for types no context defines, as written).
fn type_mismatch(
    q: &CredentialQuery,
    type_id: Option<&str>,
    claims: &Value,
) -> Option<QueryViolation> {
    let meta_list = |key: &str| q.meta.get(key).and_then(Value::as_array);
    let (section, ok) = match q.format.as_str() {
        SD_JWT_VC => {
            let listed =
                |t: &str| meta_list("vct_values").is_some_and(|a| a.iter().any(|v| v == t));
            ("B.3.5", type_id.is_some_and(listed))
        }
        MDOC => {
            let doctype = q.meta.get("doctype_value").and_then(Value::as_str);
            ("B.2.3", type_id.is_some() && doctype == type_id)
        }
        f if W3C_FORMATS.contains(&f) => {
            // B.1.1: the fully expanded types, after applying the credential's `@context`
            // (with the bundled contexts; never fetched). A type no context defines stays as
            // written, so the literal types match too.
            let mut types: Vec<Value> = claims
                .get("type")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if let Ok(expanded) = crate::formats::data_integrity::rdfc::expanded_types(
                claims,
                crate::formats::data_integrity::rdfc::Contexts::bundled(),
            ) {
                types.extend(expanded.into_iter().map(Value::String));
            }
            let has = |t: &Value| types.contains(t);
            let alternatives = meta_list("type_values").into_iter().flatten();
            (
                "B.1.1",
                alternatives
                    .filter_map(Value::as_array)
                    .any(|alt| alt.iter().all(has)),
            )
        }
        _ => return None,
    };
    let msg = format!(
        "credential type {type_id:?} is not accepted by `meta` of {:?}",
        q.id
    );
    (!ok).then(|| violation(section, msg))
}

/// A credential the wallet holds, as DCQL sees it: its format, its type, and
/// its full claims (all disclosures unpacked, as JSON).
///
/// `vct` carries the type identifier the format's `meta` is matched against:
/// the `vct` for `dc+sd-jwt`, the doctype for `mso_mdoc`; W3C formats read
/// `type` from `claims` instead. For `mso_mdoc`, `claims` is
/// `{namespace: {data_element: value}}` with CBOR values already converted to
/// JSON (§6.3); for W3C formats it is the credential object (B.1.2).
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub format: &'a str,
    pub vct: Option<&'a str>,
    pub claims: &'a Value,
    pub cryptographic_holder_binding: bool,
}

/// The result of matching one credential query against one candidate: the
/// claim paths that must be disclosed to satisfy it. Empty when `claims` is
/// absent: only the claims mandatory for the format are presented (§6.4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub paths: Vec<ClaimsPathPointer>,
}

/// For each credential query id that is to be answered, the candidates
/// (indices into the candidate slice) to present and what to disclose.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selection {
    pub chosen: BTreeMap<String, Vec<(usize, Match)>>,
}

/// Why the Wallet must return nothing at all (§6.4.2, last paragraph).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unsatisfiable {
    #[error("no credential matches {0:?} and `credential_sets` is absent (§6.4.2)")]
    Credential(String),
    #[error("no option of required credential_sets[{0}] can be satisfied (§6.4.2)")]
    CredentialSet(usize),
}

/// Wallet side (§6.4.2): choose, for each credential query id, the candidates
/// to present. Without `credential_sets` every query must match. With them,
/// every required set must be satisfied and optional ones are answered when
/// possible, each by its first satisfiable option (the Verifier's preference);
/// queries no chosen option names are not answered. A query with `multiple`
/// gets every matching candidate, otherwise the first (§8.1: one Presentation).
/// One candidate may answer several queries (§6.1 allows it).
pub fn select(query: &DcqlQuery, candidates: &[Candidate]) -> Result<Selection, Unsatisfiable> {
    let mut matched: BTreeMap<&str, Vec<(usize, Match)>> = BTreeMap::new();
    for cq in &query.credentials {
        let found = candidates
            .iter()
            .enumerate()
            .filter_map(|(i, c)| Some((i, cq.matches(c)?)));
        let found: Vec<_> = found
            .take(if cq.multiple { usize::MAX } else { 1 })
            .collect();
        if !found.is_empty() {
            matched.insert(&cq.id, found);
        }
    }
    let mut wanted: Vec<&str> = Vec::new();
    match &query.credential_sets {
        None => {
            if let Some(cq) = query
                .credentials
                .iter()
                .find(|c| !matched.contains_key(&*c.id))
            {
                return Err(Unsatisfiable::Credential(cq.id.clone()));
            }
            wanted.extend(query.credentials.iter().map(|c| c.id.as_str()));
        }
        Some(sets) => {
            for (i, set) in sets.iter().enumerate() {
                let usable = |o: &&Vec<String>| {
                    !o.is_empty() && o.iter().all(|id| matched.contains_key(id.as_str()))
                };
                match set.options.iter().find(usable) {
                    Some(option) => wanted.extend(option.iter().map(String::as_str)),
                    None if set.required => return Err(Unsatisfiable::CredentialSet(i)),
                    None => {}
                }
            }
        }
    }
    let mut chosen = BTreeMap::new();
    for id in wanted {
        if let Some(found) = matched.remove(id) {
            chosen.insert(id.to_owned(), found);
        }
    }
    Ok(Selection { chosen })
}

/// Verifier side: does a `vp_token` (§8.1: an object keyed by credential query
/// id, each value a non-empty array of Presentations) answer the query?
/// Checks the shape (§8.1) and that the set of answered queries satisfies
/// §6.4.2, which §8.6 step 3 makes the Verifier check.
pub fn check_vp_token_shape(query: &DcqlQuery, vp_token: &Value) -> Vec<QueryViolation> {
    let mut out = Vec::new();
    let Some(entries) = vp_token.as_object() else {
        rule!(out, true => "8.1", "REQUIRED: vp_token is not a JSON object");
        return out;
    };
    for (key, value) in entries {
        let at = format!("vp_token[{key:?}]");
        let Some(cq) = query.credential(key) else {
            rule!(out, true => "8.1", "{at}: key is not a credential query id");
            continue;
        };
        let list = value.as_array().map(Vec::as_slice).unwrap_or_default();
        rule!(out, list.is_empty() => "8.1", "{at}: not an array of one or more Presentations");
        let n = list.len();
        rule!(out, n > 1 && !cq.multiple => "8.1", "MUST: {at}: {n} Presentations, `multiple` \
            is false");
        let shaped = list.iter().all(|p| p.is_string() || p.is_object());
        rule!(out, !shaped => "8.1", "{at}: a Presentation is neither a string nor an object");
    }
    let answered = |id: &String| entries.contains_key(id);
    match &query.credential_sets {
        None => {
            for cq in query.credentials.iter().filter(|c| !answered(&c.id)) {
                rule!(out, true => "6.4.2", "MUST: credential {:?} is not answered (without \
                    `credential_sets` all are required)", cq.id);
            }
        }
        Some(sets) => {
            for (i, set) in sets.iter().enumerate() {
                let met = set
                    .options
                    .iter()
                    .any(|o| !o.is_empty() && o.iter().all(answered));
                rule!(out, set.required && !met => "6.4.2", "MUST: required credential_sets[{i}] \
                    has no fully answered option");
            }
        }
    }
    out
}

/// Verifier side, after verifying a presentation: do the disclosed claims
/// satisfy the credential query (claims present, `values` match, type in
/// `meta`)? §8.6 step 2.2 requires this check, and Security Considerations
/// ("Security Checks on the Returned Credentials and Presentations", §14.9 in
/// 1.0 final) says the Verifier MUST NOT rely on the Wallet for it.
/// `vct` is the presented `vct` (SD-JWT VC) or doctype (mdoc), as in [`Candidate`].
pub fn check_disclosed(
    query: &CredentialQuery,
    vct: Option<&str>,
    disclosed_claims: &Value,
) -> Vec<QueryViolation> {
    let mut out: Vec<_> = type_mismatch(query, vct, disclosed_claims)
        .into_iter()
        .collect();
    if let Err(failures) = query.satisfied_claims(disclosed_claims) {
        let why = failures.iter().map(ToString::to_string).collect::<Vec<_>>();
        let (id, why) = (&query.id, why.join("; "));
        // A value outside `values` only breaks a Wallet SHOULD NOT (§6.4.1);
        // value matching is best effort, so it is reported at that level.
        let only_values = failures
            .iter()
            .all(|f| matches!(f, ClaimFailure::ValueMismatch(_)));
        rule!(out, only_values => "6.4.1", "SHOULD NOT: credential {id:?}: {why}");
        rule!(out, !only_values => "6.4.1", "MUST NOT: credential {id:?}: not disclosed: {why}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // ---- Spec examples (OpenID4VP 1.0, 1.0/examples/ and inline text) ----

    /// §7.4 (examples/query_lang/simple.json).
    const SIMPLE: &str = r#"{
  "credentials": [
    {
      "id": "my_credential",
      "format": "dc+sd-jwt",
      "meta": {
        "vct_values": [ "https://credentials.example.com/identity_credential" ]
      },
      "claims": [
          {"path": ["family_name"]},
          {"path": ["given_name"]},
          {"path": ["address", "street_address"]}
      ]
    }
  ]
}"#;

    /// §5.4, decoded Request Object payload's `dcql_query`.
    const REQUEST_OBJECT: &str = r#"{
    "credentials": [
      {
        "id": "some_identity_credential",
        "format": "dc+sd-jwt",
        "meta": {
          "vct_values": [ "https://credentials.example.com/identity_credential" ]
        },
        "claims": [
            {"path": ["family_name"]},
            {"path": ["given_name"]}
        ]
      }
    ]
  }"#;

    /// §8.3, request asking for an encrypted response.
    const ENCRYPTED_RESPONSE_REQUEST: &str = r#"{
  "credentials": [
   {
    "id": "my_credential",
    "format": "dc+sd-jwt",
    "meta": {
      "vct_values": ["https://credentials.example.com/identity_credential"]
    },
    "claims": [
      {"path": ["family_name"]},
      {"path": ["given_name"]},
      {"path": ["address", "postal_code"]}
     ]
    }
   ]
 }"#;

    /// Appendix D (examples/query_lang/simple_mdoc.json).
    const SIMPLE_MDOC: &str = r#"{
  "credentials": [
    {
      "id": "my_credential",
      "format": "mso_mdoc",
      "meta": {
        "doctype_value": "org.iso.7367.1.mVRC"
      },
      "claims": [
        {"path": ["org.iso.7367.1", "vehicle_holder"]},
        {"path": ["org.iso.18013.5.1", "given_name"]}
      ]
    }
  ]
}"#;

    /// Appendix D (examples/query_lang/multi_credentials.json).
    const MULTI_CREDENTIALS: &str = r#"{
  "credentials": [
    {
      "id": "pid",
      "format": "dc+sd-jwt",
      "meta": {
        "vct_values": ["https://credentials.example.com/identity_credential"]
      },
      "claims": [
        {"path": ["given_name"]},
        {"path": ["family_name"]},
        {"path": ["address", "street_address"]}
      ]
    },
    {
      "id": "mdl",
      "format": "mso_mdoc",
      "meta": {
        "doctype_value": "org.iso.7367.1.mVRC"
      },
      "claims": [
        {"path": ["org.iso.7367.1", "vehicle_holder"]},
        {"path": ["org.iso.18013.5.1", "given_name"]}
      ]
    }
]
}"#;

    /// Appendix D (examples/query_lang/credentials_alternatives.json).
    const CREDENTIALS_ALTERNATIVES: &str = r#"{
  "credentials": [
    {
      "id": "pid",
      "format": "dc+sd-jwt",
      "meta": {
        "vct_values": ["https://credentials.example.com/identity_credential"]
      },
      "claims": [
        {"path": ["given_name"]},
        {"path": ["family_name"]},
        {"path": ["address", "street_address"]}
      ]
    },
    {
      "id": "other_pid",
      "format": "dc+sd-jwt",
      "meta": {
        "vct_values": ["https://othercredentials.example/pid"]
      },
      "claims": [
        {"path": ["given_name"]},
        {"path": ["family_name"]},
        {"path": ["address", "street_address"]}
      ]
    },
    {
      "id": "pid_reduced_cred_1",
      "format": "dc+sd-jwt",
      "meta": {
        "vct_values": ["https://credentials.example.com/reduced_identity_credential"]
      },
      "claims": [
        {"path": ["family_name"]},
        {"path": ["given_name"]}
      ]
    },
    {
      "id": "pid_reduced_cred_2",
      "format": "dc+sd-jwt",
      "meta": {
        "vct_values": ["https://cred.example/residence_credential"]
      },
      "claims": [
        {"path": ["postal_code"]},
        {"path": ["locality"]},
        {"path": ["region"]}
      ]
    },
    {
      "id": "nice_to_have",
      "format": "dc+sd-jwt",
      "meta": {
        "vct_values": ["https://company.example/company_rewards"]
      },
      "claims": [
        {"path": ["rewards_number"]}
      ]
    }
  ],
  "credential_sets": [
    {
      "options": [
        [ "pid" ],
        [ "other_pid" ],
        [ "pid_reduced_cred_1", "pid_reduced_cred_2" ]
      ]
    },
    {
      "required": false,
      "options": [
        [ "nice_to_have" ]
      ]
    }
  ]
}"#;

    /// Appendix D (examples/query_lang/complex_mdoc.json).
    const COMPLEX_MDOC: &str = r#"{
  "credentials": [
    {
      "id": "mdl-id",
      "format": "mso_mdoc",
      "meta": {
        "doctype_value": "org.iso.18013.5.1.mDL"
      },
      "claims": [
        {
          "id": "given_name",
          "path": ["org.iso.18013.5.1", "given_name"]
        },
        {
          "id": "family_name",
          "path": ["org.iso.18013.5.1", "family_name"]
        },
        {
          "id": "portrait",
          "path": ["org.iso.18013.5.1", "portrait"]
        }
      ]
    },
    {
      "id": "mdl-address",
      "format": "mso_mdoc",
      "meta": {
        "doctype_value": "org.iso.18013.5.1.mDL"
      },
      "claims": [
        {
          "id": "resident_address",
          "path": ["org.iso.18013.5.1", "resident_address"]
        },
        {
          "id": "resident_country",
          "path": ["org.iso.18013.5.1", "resident_country"]
        }
      ]
    },
    {
      "id": "photo_card-id",
      "format": "mso_mdoc",
      "meta": {
        "doctype_value": "org.iso.23220.photoid.1"
      },
      "claims": [
        {
          "id": "given_name",
          "path": ["org.iso.18013.5.1", "given_name"]
        },
        {
          "id": "family_name",
          "path": ["org.iso.18013.5.1", "family_name"]
        },
        {
          "id": "portrait",
          "path": ["org.iso.18013.5.1", "portrait"]
        }
      ]
    },
    {
      "id": "photo_card-address",
      "format": "mso_mdoc",
      "meta": {
        "doctype_value": "org.iso.23220.photoid.1"
      },
      "claims": [
        {
          "id": "resident_address",
          "path": ["org.iso.18013.5.1", "resident_address"]
        },
        {
          "id": "resident_country",
          "path": ["org.iso.18013.5.1", "resident_country"]
        }
      ]
    }
  ],
  "credential_sets": [
    {
      "options": [
        [ "mdl-id" ],
        [ "photo_card-id" ]
      ]
    },
    {
      "required": false,
      "options": [
        [ "mdl-address" ],
        [ "photo_card-address" ]
      ]
    }
  ]
}"#;

    /// Appendix D (examples/query_lang/claims_alternatives.json).
    const CLAIMS_ALTERNATIVES: &str = r#"{
  "credentials": [
    {
      "id": "pid",
      "format": "dc+sd-jwt",
      "meta": {
        "vct_values": [ "https://credentials.example.com/identity_credential" ]
      },
      "claims": [
        {"id": "a", "path": ["family_name"]},
        {"id": "b", "path": ["postal_code"]},
        {"id": "c", "path": ["locality"]},
        {"id": "d", "path": ["region"]},
        {"id": "e", "path": ["date_of_birth"]}
      ],
      "claim_sets": [
        ["a", "c", "d", "e"],
        ["a", "b", "e"]
      ]
    }
  ]
}"#;

    /// Appendix D (examples/query_lang/value_matching_simple.json).
    const VALUE_MATCHING: &str = r#"{
  "credentials": [
    {
      "id": "my_credential",
      "format": "dc+sd-jwt",
      "meta": {
        "vct_values": [ "https://credentials.example.com/identity_credential" ]
      },
      "claims": [
          {
            "path": ["family_name"],
            "values": ["Doe"]
          },
          {"path": ["given_name"]},
          {"path": ["address", "street_address"]},
          {
            "path": ["postal_code"],
            "values": ["90210", "90211"]
          }
      ]
    }
  ]
}"#;

    /// Appendix B.1.3.1.4 (examples/request/dcql_jwt_vc.json).
    const JWT_VC: &str = r#"{
  "credentials": [
    {
      "id": "example_jwt_vc",
      "format": "jwt_vc_json",
      "meta": {
        "type_values": [["IDCredential"]]
      },
      "claims": [
        {"path": ["credentialSubject", "family_name"]},
        {"path": ["credentialSubject", "given_name"]}
      ]
    }
  ]
}"#;

    /// Appendix B.1.3.2.4 (examples/request/dcql_ldp_vc.json).
    const LDP_VC: &str = r#"{
  "credentials": [
    {
      "id": "example_ldp_vc",
      "format": "ldp_vc",
      "meta": {
        "type_values": [["IDCredential"]]
      },
      "claims": [
        {"path": ["credentialSubject", "family_name"]},
        {"path": ["credentialSubject", "given_name"]},
        {"path": ["credentialSubject", "birthdate"]},
        {"path": ["credentialSubject", "address", "street_address"]},
        {"path": ["credentialSubject", "address", "locality"]},
        {"path": ["credentialSubject", "address", "postal_code"]},
        {"path": ["credentialSubject", "address", "country"]}
      ]
    }
  ]
}"#;

    /// §7.3 example credential.
    const ARTHUR: &str = r#"{
  "name": "Arthur Dent",
  "address": {
    "street_address": "42 Market Street",
    "locality": "Milliways",
    "postal_code": "12345"
  },
  "degrees": [
    {
      "type": "Bachelor of Science",
      "university": "University of Betelgeuse"
    },
    {
      "type": "Master of Science",
      "university": "University of Betelgeuse"
    }
  ],
  "nationalities": ["British", "Betelgeusian"]
}"#;

    const PID_VCT: &str = "https://credentials.example.com/identity_credential";

    fn json_of(s: &str) -> Value {
        serde_json::from_str(s).expect("test JSON")
    }

    fn query(s: &str) -> DcqlQuery {
        DcqlQuery::parse(&json_of(s)).expect("spec example parses")
    }

    fn path(v: Value) -> ClaimsPathPointer {
        serde_json::from_value(v).expect("valid path")
    }

    /// Sections of the violations `validate` reports for `v`.
    fn sections(v: &Value) -> Vec<&'static str> {
        let q = DcqlQuery::parse(v).expect("structurally valid");
        q.validate().iter().map(|x| x.section).collect()
    }

    /// SIMPLE with one member set (added or replaced) at a JSON pointer.
    fn simple_with(pointer: &str, value: Value) -> Value {
        let mut v = json_of(SIMPLE);
        let (parent, key) = pointer.rsplit_once('/').expect("pointer");
        match v.pointer_mut(parent).expect("parent exists") {
            Value::Array(items) => items[key.parse::<usize>().expect("index")] = value,
            parent => parent[key] = value,
        }
        v
    }

    fn sd_jwt<'a>(vct: &'a str, claims: &'a Value) -> Candidate<'a> {
        Candidate {
            format: SD_JWT_VC,
            vct: Some(vct),
            claims,
            cryptographic_holder_binding: true,
        }
    }

    fn person() -> Value {
        json!({
            "given_name": "John", "family_name": "Doe",
            "address": {"street_address": "123 Main St"},
            "postal_code": "90210", "locality": "Anytown", "region": "Anystate",
            "date_of_birth": "1940-01-01"
        })
    }

    #[test]
    fn every_spec_example_parses_and_validates_clean() {
        let examples = [
            SIMPLE,
            REQUEST_OBJECT,
            ENCRYPTED_RESPONSE_REQUEST,
            SIMPLE_MDOC,
            MULTI_CREDENTIALS,
            CREDENTIALS_ALTERNATIVES,
            COMPLEX_MDOC,
            CLAIMS_ALTERNATIVES,
            VALUE_MATCHING,
            JWT_VC,
            LDP_VC,
        ];
        for example in examples {
            let q = query(example);
            assert_eq!(q.validate(), vec![], "{example}");
        }
    }

    #[test]
    fn trusted_authorities_examples_of_6_1_1_validate_clean() {
        let tas = json!([
            {"type": "aki", "values": ["s9tIpPmhxdiuNkHMEWNpYim8S8Y"]},
            {"type": "etsi_tl", "values": ["https://lotl.example.com"]},
            {"type": "openid_federation", "values": ["https://trustanchor.example.com"]}
        ]);
        let mut v = json_of(SIMPLE);
        v["credentials"][0]["trusted_authorities"] = tas;
        assert_eq!(sections(&v), Vec::<&str>::new());
    }

    #[test]
    fn defaults_and_unknown_properties() {
        let q = query(CREDENTIALS_ALTERNATIVES);
        let pid = &q.credentials[0];
        assert!(!pid.multiple);
        assert!(pid.require_cryptographic_holder_binding);
        let sets = q.credential_sets.as_deref().unwrap_or_default();
        assert!(sets[0].required);
        assert!(!sets[1].required);
        // §6: unknown properties MUST be ignored, at every level.
        let mut v = json_of(SIMPLE);
        v["future"] = json!(1);
        v["credentials"][0]["future"] = json!({});
        v["credentials"][0]["claims"][0]["intent_to_retain"] = json!("x");
        assert_eq!(sections(&v), Vec::<&str>::new());
    }

    // ---- Structural errors (parse) ----

    #[test]
    fn parse_reports_the_section_of_the_broken_object() {
        let cases = [
            (json!([]), "6"),
            (json!({}), "6"),
            (json!({"credentials": {}}), "6"),
            (simple_with("/credentials/0/meta", json!([])), "6.1"),
            (simple_with("/credentials/0/multiple", json!("yes")), "6.1"),
            (simple_with("/credentials/0/format", json!(1)), "6.1"),
            (
                simple_with("/credentials/0/claims/0/values", json!("Doe")),
                "6.3",
            ),
            (
                simple_with("/credentials/0/claims/0/path", json!("family_name")),
                "7",
            ),
            (
                simple_with("/credentials/0/claims/0/path", json!(["a", -1])),
                "7",
            ),
            (
                simple_with("/credentials/0/claims/0/path", json!(["a", 1.5])),
                "7",
            ),
            (
                simple_with("/credentials/0/claims/0/path", json!([true])),
                "7",
            ),
            (
                simple_with("/credentials/0/claims/0/path", json!([{}])),
                "7",
            ),
            (json!({"credentials": [{"id": "x", "format": "f"}]}), "6.1"),
            (json!({"credentials": [{"format": "f", "meta": {}}]}), "6.1"),
            (
                json!({"credentials": [{"id": "x", "format": "f", "meta": {}, "claims": [{}]}]}),
                "6.3",
            ),
        ];
        for (v, section) in cases {
            let err = DcqlQuery::parse(&v).expect_err("structural error");
            assert_eq!(err.section, section, "{v}: {err}");
        }
        let mut v = json_of(CREDENTIALS_ALTERNATIVES);
        v["credential_sets"][1]["required"] = json!("no");
        assert_eq!(DcqlQuery::parse(&v).map_err(|e| e.section), Err("6.2"));
        v["credential_sets"][1] = json!({"required": true});
        assert_eq!(DcqlQuery::parse(&v).map_err(|e| e.section), Err("6.2"));
    }

    // ---- One failing test per MUST / REQUIRED rule (validate) ----

    #[test]
    fn credentials_must_be_non_empty() {
        assert_eq!(sections(&json!({"credentials": []})), vec!["6"]);
    }

    #[test]
    fn credential_sets_must_be_non_empty() {
        let mut v = json_of(SIMPLE);
        v["credential_sets"] = json!([]);
        assert_eq!(sections(&v), vec!["6"]);
    }

    #[test]
    fn credential_id_must_use_allowed_charset() {
        for bad in ["", "my credential", "a.b", "ümlaut", "id/1"] {
            let v = simple_with("/credentials/0/id", json!(bad));
            assert_eq!(sections(&v), vec!["6.1"], "{bad:?}");
        }
        let v = simple_with("/credentials/0/id", json!("Az09_-"));
        assert_eq!(sections(&v), Vec::<&str>::new());
    }

    #[test]
    fn credential_id_must_be_unique() {
        let mut v = json_of(MULTI_CREDENTIALS);
        v["credentials"][1]["id"] = json!("pid");
        assert_eq!(sections(&v), vec!["6.1"]);
    }

    #[test]
    fn meta_requirements_per_format() {
        let bad_vct = [
            json!({}),
            json!({"vct_values": []}),
            json!({"vct_values": [1]}),
        ];
        for meta in bad_vct {
            assert_eq!(
                sections(&simple_with("/credentials/0/meta", meta)),
                vec!["B.3.5"]
            );
        }
        let mut v = json_of(SIMPLE_MDOC);
        v["credentials"][0]["meta"] = json!({"doctype_value": ["org.iso.7367.1.mVRC"]});
        assert_eq!(sections(&v), vec!["B.2.3"]);
        for meta in [
            json!({}),
            json!({"type_values": ["IDCredential"]}),
            json!({"type_values": [[]]}),
        ] {
            let mut v = json_of(JWT_VC);
            v["credentials"][0]["meta"] = meta;
            assert_eq!(sections(&v), vec!["B.1.1"]);
        }
        // Formats this spec does not define only need `meta` to be an object.
        let v = json!({"credentials": [{"id": "x", "format": "other", "meta": {}}]});
        assert_eq!(sections(&v), Vec::<&str>::new());
    }

    #[test]
    fn trusted_authorities_must_be_well_formed() {
        let v = simple_with("/credentials/0/claims", json!(null));
        let mut v = v;
        v["credentials"][0]["trusted_authorities"] = json!([]);
        assert_eq!(sections(&v), vec!["6.1"]);
        for entry in [
            json!({"values": ["x"]}),
            json!({"type": "aki", "values": []}),
            json!("aki"),
        ] {
            v["credentials"][0]["trusted_authorities"] = json!([entry]);
            assert_eq!(sections(&v), vec!["6.1.1"]);
        }
    }

    #[test]
    fn claims_must_be_non_empty() {
        assert_eq!(
            sections(&simple_with("/credentials/0/claims", json!([]))),
            vec!["6.1"]
        );
    }

    #[test]
    fn claims_must_not_point_to_the_same_claim_twice() {
        let v = simple_with("/credentials/0/claims/1/path", json!(["family_name"]));
        assert_eq!(sections(&v), vec!["6.1"]);
    }

    #[test]
    fn claim_sets_must_be_non_empty_and_name_known_claims() {
        let mut v = json_of(CLAIMS_ALTERNATIVES);
        v["credentials"][0]["claim_sets"] = json!([]);
        assert_eq!(sections(&v), vec!["6.1"]);
        v["credentials"][0]["claim_sets"] = json!([["a", "z"]]);
        assert_eq!(sections(&v), vec!["6.1"]);
    }

    #[test]
    fn claim_sets_must_not_appear_without_claims() {
        let mut v = simple_with("/credentials/0/claims", json!(null));
        v["credentials"][0]["claim_sets"] = json!([["a"]]);
        let q = DcqlQuery::parse(&v).expect("parses");
        let found: Vec<_> = q.validate().iter().map(|x| x.section).collect();
        assert!(found.contains(&"6.4.1"), "{found:?}");
    }

    #[test]
    fn claim_ids_required_with_claim_sets_valid_and_unique() {
        let mut v = json_of(CLAIMS_ALTERNATIVES);
        v["credentials"][0]["claims"][4]
            .as_object_mut()
            .expect("object")
            .remove("id");
        // The missing id is flagged, and so is the claim set naming "e".
        assert_eq!(sections(&v), vec!["6.3", "6.1", "6.1"]);
        let mut v = json_of(CLAIMS_ALTERNATIVES);
        v["credentials"][0]["claims"][1]["id"] = json!("a");
        // The repeated id is flagged, and "b" is no longer a known claim id.
        assert_eq!(sections(&v), vec!["6.3", "6.1"]);
        let mut v = json_of(CLAIMS_ALTERNATIVES);
        v["credentials"][0]["claims"][1]["id"] = json!("");
        assert_eq!(sections(&v)[0], "6.3");
        // Without claim_sets, ids stay optional (SIMPLE has none).
        assert_eq!(sections(&json_of(SIMPLE)), Vec::<&str>::new());
    }

    #[test]
    fn claim_path_must_be_non_empty() {
        let v = simple_with("/credentials/0/claims/0/path", json!([]));
        assert_eq!(sections(&v), vec!["6.3"]);
    }

    #[test]
    fn mdoc_paths_must_be_namespace_and_element() {
        for p in [
            json!(["org.iso.7367.1"]),
            json!(["a", "b", "c"]),
            json!(["a", 0]),
        ] {
            let mut v = json_of(SIMPLE_MDOC);
            v["credentials"][0]["claims"][0]["path"] = p;
            assert_eq!(sections(&v), vec!["7.2.1"]);
        }
    }

    #[test]
    fn values_must_be_strings_integers_or_booleans() {
        for bad in [
            json!([]),
            json!([1.5]),
            json!([null]),
            json!([{}]),
            json!([["Doe"]]),
        ] {
            let v = simple_with("/credentials/0/claims/0/values", bad.clone());
            assert_eq!(sections(&v), vec!["6.3"], "{bad}");
        }
        let v = simple_with(
            "/credentials/0/claims/0/values",
            json!(["Doe", 42, -1, true]),
        );
        assert_eq!(sections(&v), Vec::<&str>::new());
    }

    #[test]
    fn credential_set_options_must_be_non_empty_and_known() {
        for (options, count) in [
            (json!([]), 1),
            (json!([[]]), 1),
            (json!([["pid", "nope"]]), 1),
        ] {
            let mut v = json_of(CREDENTIALS_ALTERNATIVES);
            v["credential_sets"][0]["options"] = options;
            assert_eq!(sections(&v), vec!["6.2"; count]);
        }
    }

    // ---- Claims path pointer processing (§7.1.1, §7.3) ----

    #[test]
    fn path_examples_of_7_3() {
        let cred = json_of(ARTHUR);
        let sel = |p: Value| path(p).select(&cred).expect("selects");
        assert_eq!(sel(json!(["name"])), vec![&json!("Arthur Dent")]);
        assert_eq!(sel(json!(["address"])), vec![&cred["address"]]);
        assert_eq!(
            sel(json!(["address", "street_address"])),
            vec![&json!("42 Market Street")]
        );
        assert_eq!(
            sel(json!(["degrees", null, "type"])),
            vec![&json!("Bachelor of Science"), &json!("Master of Science")]
        );
        assert_eq!(
            sel(json!(["nationalities", 1])),
            vec![&json!("Betelgeusian")]
        );
        assert_eq!(sel(json!(["nationalities", null])).len(), 2);
    }

    #[test]
    fn path_processing_aborts_per_7_1_1() {
        let cred = json_of(ARTHUR);
        let err = |p: Value| path(p).select(&cred).expect_err("aborts");
        assert_eq!(
            err(json!(["name", "first"])),
            PathError::NotAnObject { index: 1 }
        );
        assert_eq!(
            err(json!(["address", null])),
            PathError::NotAnArray { index: 1 }
        );
        assert_eq!(
            err(json!(["address", 0])),
            PathError::NotAnArray { index: 1 }
        );
        assert_eq!(
            err(json!(["nationalities", null, "x"])),
            PathError::NotAnObject { index: 2 }
        );
        assert_eq!(err(json!(["missing"])), PathError::NothingSelected);
        assert_eq!(err(json!(["nationalities", 2])), PathError::NothingSelected);
        assert_eq!(
            err(json!(["degrees", null, "gpa"])),
            PathError::NothingSelected
        );
        assert_eq!(err(json!([])), PathError::Empty);
        assert_eq!(
            path(json!([0])).select(&json!("x")),
            Err(PathError::NotAnArray { index: 0 })
        );
        assert_eq!(
            path(json!(["a"])).select(&json!([1])),
            Err(PathError::NotAnObject { index: 0 })
        );
        assert_eq!(
            path(json!(["a", null])).select(&json!({"a": []})),
            Err(PathError::NothingSelected)
        );
    }

    #[test]
    fn path_keeps_elements_that_have_the_key_and_drops_the_rest() {
        let cred = json!({"items": [{"a": 1}, {"b": 2}, {"a": 3}]});
        let got = path(json!(["items", null, "a"])).select(&cred);
        assert_eq!(got, Ok(vec![&json!(1), &json!(3)]));
        // One non-object among the selected elements aborts everything.
        let cred = json!({"items": [{"a": 1}, "text"]});
        let got = path(json!(["items", null, "a"])).select(&cred);
        assert_eq!(got, Err(PathError::NotAnObject { index: 2 }));
    }

    #[test]
    fn path_round_trips_to_json() {
        let raw = json!(["degrees", null, 0, "type"]);
        assert_eq!(path(raw.clone()).to_json(), raw);
        assert_eq!(
            path(raw).0,
            vec![
                PathElement::Key("degrees".into()),
                PathElement::All,
                PathElement::Index(0),
                PathElement::Key("type".into())
            ]
        );
    }

    // ---- Matching (§6.4.1) ----

    #[test]
    fn simple_query_matches_and_lists_paths() {
        let q = query(SIMPLE);
        let claims = person();
        let m = q.credentials[0]
            .matches(&sd_jwt(PID_VCT, &claims))
            .expect("matches");
        let want: Vec<_> = q.credentials[0]
            .claims
            .iter()
            .flatten()
            .map(|c| c.path.clone())
            .collect();
        assert_eq!(m.paths, want);
    }

    #[test]
    fn format_type_and_holder_binding_must_fit() {
        let q = query(SIMPLE);
        let cq = &q.credentials[0];
        let claims = person();
        assert_eq!(
            cq.matches(&sd_jwt("https://other.example/vct", &claims)),
            None
        );
        let mut c = sd_jwt(PID_VCT, &claims);
        c.vct = None;
        assert_eq!(cq.matches(&c), None);
        let mut c = sd_jwt(PID_VCT, &claims);
        c.format = "jwt_vc_json";
        assert_eq!(cq.matches(&c), None);
        let mut c = sd_jwt(PID_VCT, &claims);
        c.cryptographic_holder_binding = false;
        assert_eq!(cq.matches(&c), None);
        let mut relaxed = cq.clone();
        relaxed.require_cryptographic_holder_binding = false;
        assert!(relaxed.matches(&c).is_some());
    }

    #[test]
    fn missing_claim_means_no_match() {
        let q = query(SIMPLE);
        let claims = json!({"family_name": "Doe", "given_name": "John"});
        assert_eq!(q.credentials[0].matches(&sd_jwt(PID_VCT, &claims)), None);
    }

    #[test]
    fn absent_claims_requests_no_specific_claims() {
        let q = DcqlQuery::parse(&simple_with("/credentials/0/claims", json!(null))).expect("ok");
        let m = q.credentials[0].matches(&sd_jwt(PID_VCT, &json!({})));
        assert_eq!(m, Some(Match { paths: vec![] }));
    }

    #[test]
    fn claim_sets_first_satisfiable_set_wins() {
        let q = query(CLAIMS_ALTERNATIVES);
        let cq = &q.credentials[0];
        let paths = |claims: &Value| {
            let m = cq.matches(&sd_jwt(PID_VCT, claims))?;
            Some(
                m.paths
                    .iter()
                    .map(ClaimsPathPointer::to_json)
                    .collect::<Vec<_>>(),
            )
        };
        let all = person();
        let preferred = [
            json!(["family_name"]),
            json!(["locality"]),
            json!(["region"]),
            json!(["date_of_birth"]),
        ];
        assert_eq!(paths(&all), Some(preferred.to_vec()));
        let mut no_locality = person();
        no_locality
            .as_object_mut()
            .expect("object")
            .remove("locality");
        let fallback = [
            json!(["family_name"]),
            json!(["postal_code"]),
            json!(["date_of_birth"]),
        ];
        assert_eq!(paths(&no_locality), Some(fallback.to_vec()));
        let mut no_birth = person();
        no_birth
            .as_object_mut()
            .expect("object")
            .remove("date_of_birth");
        assert_eq!(paths(&no_birth), None);
    }

    #[test]
    fn values_must_match_in_type_and_value() {
        let q = query(VALUE_MATCHING);
        let cq = &q.credentials[0];
        let claims = person();
        assert!(cq.matches(&sd_jwt(PID_VCT, &claims)).is_some());
        let mut smith = person();
        smith["family_name"] = json!("Smith");
        assert_eq!(cq.matches(&sd_jwt(PID_VCT, &smith)), None);
        let mut numeric = person();
        numeric["postal_code"] = json!(90210);
        assert_eq!(cq.matches(&sd_jwt(PID_VCT, &numeric)), None);
        let mut other = person();
        other["postal_code"] = json!("90211");
        assert!(cq.matches(&sd_jwt(PID_VCT, &other)).is_some());
    }

    #[test]
    fn values_over_an_array_need_one_matching_element() {
        let mut v = simple_with(
            "/credentials/0/claims",
            json!([{"path": ["nationalities", null], "values": ["British"]}]),
        );
        let q = DcqlQuery::parse(&v).expect("ok");
        let cred = json_of(ARTHUR);
        assert!(q.credentials[0].matches(&sd_jwt(PID_VCT, &cred)).is_some());
        v["credentials"][0]["claims"][0]["values"] = json!(["Vogon"]);
        let q = DcqlQuery::parse(&v).expect("ok");
        assert_eq!(q.credentials[0].matches(&sd_jwt(PID_VCT, &cred)), None);
    }

    #[test]
    fn duplicate_claim_queries_are_disclosed_once() {
        let v = simple_with("/credentials/0/claims/1/path", json!(["family_name"]));
        let q = DcqlQuery::parse(&v).expect("ok");
        let claims = person();
        let m = q.credentials[0]
            .matches(&sd_jwt(PID_VCT, &claims))
            .expect("matches");
        assert_eq!(m.paths.len(), 2);
    }

    #[test]
    fn mdoc_matches_on_doctype_and_namespaced_elements() {
        let q = query(SIMPLE_MDOC);
        let claims = json!({
            "org.iso.7367.1": {"vehicle_holder": "Jane"},
            "org.iso.18013.5.1": {"given_name": "Jane", "family_name": "Roe"}
        });
        let mdoc = |doctype| Candidate {
            format: MDOC,
            vct: Some(doctype),
            claims: &claims,
            cryptographic_holder_binding: true,
        };
        let m = q.credentials[0]
            .matches(&mdoc("org.iso.7367.1.mVRC"))
            .expect("matches");
        assert_eq!(m.paths.len(), 2);
        assert_eq!(
            q.credentials[0].matches(&mdoc("org.iso.18013.5.1.mDL")),
            None
        );
    }

    #[test]
    fn w3c_type_values_examples_of_b_1_1() {
        let meta = json!({"type_values": [
            ["https://www.w3.org/2018/credentials#VerifiableCredential",
             "https://example.org/examples#AlumniCredential",
             "https://example.org/examples#BachelorDegree"],
            ["https://www.w3.org/2018/credentials#VerifiableCredential",
             "https://example.org/examples#UniversityDegreeCredential"],
            ["IdentityCredential"]
        ]});
        let v = json!({"credentials": [{"id": "vc", "format": "ldp_vc", "meta": meta}]});
        let q = DcqlQuery::parse(&v).expect("ok");
        assert_eq!(q.validate(), vec![]);
        // Literal types only: the third B.1.1 example needs no JSON-LD expansion.
        let identity = json!({"@context": ["https://www.w3.org/2018/credentials/v1"],
                              "type": ["VerifiableCredential", "IdentityCredential"]});
        let other = json!({"type": ["VerifiableCredential", "LibraryCard"]});
        let cand = |claims| Candidate {
            format: "ldp_vc",
            vct: None,
            claims,
            cryptographic_holder_binding: true,
        };
        assert!(q.credentials[0].matches(&cand(&identity)).is_some());
        assert_eq!(q.credentials[0].matches(&cand(&other)), None);
        let jwt_vc = query(JWT_VC);
        let id_credential = json!({"type": ["VerifiableCredential", "IDCredential"],
            "credentialSubject": {"given_name": "Max", "family_name": "Mustermann"}});
        let mut c = cand(&id_credential);
        c.format = "jwt_vc_json";
        assert!(jwt_vc.credentials[0].matches(&c).is_some());
    }

    // ---- Selecting credentials (§6.4.2) ----

    fn wallet() -> Vec<(&'static str, Value)> {
        vec![
            ("https://othercredentials.example/pid", person()),
            (
                "https://credentials.example.com/reduced_identity_credential",
                person(),
            ),
            ("https://cred.example/residence_credential", person()),
            (
                "https://company.example/company_rewards",
                json!({"rewards_number": 7}),
            ),
            (PID_VCT, person()),
        ]
    }

    fn candidates<'a>(held: &'a [(&'static str, Value)]) -> Vec<Candidate<'a>> {
        held.iter()
            .map(|(vct, claims)| sd_jwt(vct, claims))
            .collect()
    }

    fn chosen(s: &Selection) -> Vec<(&str, Vec<usize>)> {
        s.chosen
            .iter()
            .map(|(id, found)| (id.as_str(), found.iter().map(|(i, _)| *i).collect()))
            .collect()
    }

    #[test]
    fn credential_sets_prefer_the_first_option_and_add_optional_sets() {
        let q = query(CREDENTIALS_ALTERNATIVES);
        let held = wallet();
        let s = select(&q, &candidates(&held)).expect("satisfiable");
        assert_eq!(
            chosen(&s),
            vec![("nice_to_have", vec![3]), ("pid", vec![4])]
        );
    }

    #[test]
    fn credential_sets_fall_back_to_later_options() {
        let q = query(CREDENTIALS_ALTERNATIVES);
        let held: Vec<_> = wallet().into_iter().skip(1).take(2).collect();
        let s = select(&q, &candidates(&held)).expect("satisfiable");
        // The optional set cannot be met and is simply left out.
        assert_eq!(
            chosen(&s),
            vec![
                ("pid_reduced_cred_1", vec![0]),
                ("pid_reduced_cred_2", vec![1])
            ]
        );
        let held: Vec<_> = wallet().into_iter().take(1).collect();
        let s = select(&q, &candidates(&held)).expect("satisfiable");
        assert_eq!(chosen(&s), vec![("other_pid", vec![0])]);
    }

    #[test]
    fn unsatisfiable_required_set_returns_nothing() {
        let q = query(CREDENTIALS_ALTERNATIVES);
        // Only half of the third option and the optional credential.
        let held: Vec<_> = wallet().into_iter().skip(1).step_by(2).take(2).collect();
        assert_eq!(
            select(&q, &candidates(&held)),
            Err(Unsatisfiable::CredentialSet(0))
        );
    }

    #[test]
    fn without_credential_sets_every_query_is_required() {
        let q = query(MULTI_CREDENTIALS);
        let pid = person();
        let held = [sd_jwt(PID_VCT, &pid)];
        assert_eq!(
            select(&q, &held),
            Err(Unsatisfiable::Credential("mdl".into()))
        );
        let mdoc = json!({
            "org.iso.7367.1": {"vehicle_holder": "Jane"},
            "org.iso.18013.5.1": {"given_name": "Jane"}
        });
        let held = [
            sd_jwt(PID_VCT, &pid),
            Candidate {
                format: MDOC,
                vct: Some("org.iso.7367.1.mVRC"),
                claims: &mdoc,
                cryptographic_holder_binding: true,
            },
        ];
        let s = select(&q, &held).expect("satisfiable");
        assert_eq!(chosen(&s), vec![("mdl", vec![1]), ("pid", vec![0])]);
    }

    #[test]
    fn multiple_controls_how_many_candidates_are_chosen() {
        let a = person();
        let b = person();
        let held = [sd_jwt(PID_VCT, &a), sd_jwt(PID_VCT, &b)];
        let mut q = query(SIMPLE);
        let s = select(&q, &held).expect("satisfiable");
        assert_eq!(chosen(&s), vec![("my_credential", vec![0])]);
        q.credentials[0].multiple = true;
        let s = select(&q, &held).expect("satisfiable");
        assert_eq!(chosen(&s), vec![("my_credential", vec![0, 1])]);
    }

    #[test]
    fn complex_mdoc_optional_set_uses_any_satisfiable_option() {
        let q = query(COMPLEX_MDOC);
        let mdl = json!({"org.iso.18013.5.1": {
            "given_name": "A", "family_name": "B", "portrait": "..."}});
        let photo = json!({"org.iso.18013.5.1": {
            "resident_address": "X", "resident_country": "Y"}});
        let held = [
            Candidate {
                format: MDOC,
                vct: Some("org.iso.18013.5.1.mDL"),
                claims: &mdl,
                cryptographic_holder_binding: true,
            },
            Candidate {
                format: MDOC,
                vct: Some("org.iso.23220.photoid.1"),
                claims: &photo,
                cryptographic_holder_binding: true,
            },
        ];
        let s = select(&q, &held).expect("satisfiable");
        assert_eq!(
            chosen(&s),
            vec![("mdl-id", vec![0]), ("photo_card-address", vec![1])]
        );
    }

    // ---- vp_token shape (§8.1, §6.4.2) ----

    fn shape(q: &str, vp_token: Value) -> Vec<&'static str> {
        let q = query(q);
        check_vp_token_shape(&q, &vp_token)
            .iter()
            .map(|v| v.section)
            .collect()
    }

    #[test]
    fn vp_token_examples_of_8_1_1() {
        assert_eq!(
            shape(SIMPLE, json!({"my_credential": ["eyJhbGci...QMA"]})),
            Vec::<&str>::new()
        );
        let many = json!({"my_credential": ["eyJhbGci...QMA", "eyJhbGci...QMA"]});
        assert_eq!(shape(SIMPLE, many.clone()), vec!["8.1"]);
        let mut q = query(SIMPLE);
        q.credentials[0].multiple = true;
        assert_eq!(check_vp_token_shape(&q, &many), vec![]);
    }

    #[test]
    fn vp_token_shape_violations() {
        assert_eq!(shape(SIMPLE, json!(["eyJ"])), vec!["8.1"]);
        let unknown = json!({"my_credential": ["eyJ"], "other": ["eyJ"]});
        assert_eq!(shape(SIMPLE, unknown), vec!["8.1"]);
        assert_eq!(shape(SIMPLE, json!({"my_credential": []})), vec!["8.1"]);
        assert_eq!(shape(SIMPLE, json!({"my_credential": "eyJ"})), vec!["8.1"]);
        assert_eq!(shape(SIMPLE, json!({"my_credential": [42]})), vec!["8.1"]);
        let mdoc_object =
            json!({"my_credential": [{"@context": [], "type": ["VerifiablePresentation"]}]});
        assert_eq!(shape(SIMPLE, mdoc_object), Vec::<&str>::new());
    }

    #[test]
    fn vp_token_must_answer_required_queries() {
        assert_eq!(shape(SIMPLE, json!({})), vec!["6.4.2"]);
        assert_eq!(
            shape(MULTI_CREDENTIALS, json!({"pid": ["eyJ"]})),
            vec!["6.4.2"]
        );
        assert_eq!(
            shape(MULTI_CREDENTIALS, json!({"pid": ["eyJ"], "mdl": ["o2d2"]})),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn vp_token_and_credential_sets() {
        let alt = CREDENTIALS_ALTERNATIVES;
        assert_eq!(
            shape(alt, json!({"other_pid": ["eyJ"]})),
            Vec::<&str>::new()
        );
        let both = json!({
            "pid_reduced_cred_1": ["eyJ"],
            "pid_reduced_cred_2": ["eyJ"],
            "nice_to_have": ["eyJ"]
        });
        assert_eq!(shape(alt, both), Vec::<&str>::new());
        // Half an option does not satisfy the required set; the optional one alone neither.
        assert_eq!(
            shape(alt, json!({"pid_reduced_cred_1": ["eyJ"]})),
            vec!["6.4.2"]
        );
        assert_eq!(shape(alt, json!({"nice_to_have": ["eyJ"]})), vec!["6.4.2"]);
        assert_eq!(
            shape(COMPLEX_MDOC, json!({"photo_card-id": ["o2d2"]})),
            Vec::<&str>::new()
        );
    }

    // ---- Disclosed claims (§8.6 step 2.2) ----

    fn disclosed(q: &str, vct: Option<&str>, claims: Value) -> Vec<String> {
        let q = query(q);
        check_disclosed(&q.credentials[0], vct, &claims)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn disclosed_claims_satisfy_the_query() {
        assert_eq!(
            disclosed(SIMPLE, Some(PID_VCT), person()),
            Vec::<String>::new()
        );
        let partial = json!({"family_name": "Doe", "given_name": "John"});
        let got = disclosed(SIMPLE, Some(PID_VCT), partial);
        assert_eq!(got.len(), 1);
        assert!(got[0].starts_with("§6.4.1: MUST NOT"), "{got:?}");
        assert!(got[0].contains("street_address"), "{got:?}");
    }

    #[test]
    fn disclosed_type_must_be_accepted_by_meta() {
        let got = disclosed(SIMPLE, Some("https://other.example/vct"), person());
        assert_eq!(got.len(), 1);
        assert!(got[0].starts_with("§B.3.5"), "{got:?}");
        assert_eq!(disclosed(SIMPLE, None, person()).len(), 1);
        let mdoc = json!({
            "org.iso.7367.1": {"vehicle_holder": "J"},
            "org.iso.18013.5.1": {"given_name": "J"}
        });
        assert_eq!(
            disclosed(SIMPLE_MDOC, Some("org.iso.7367.1.mVRC"), mdoc.clone()),
            Vec::<String>::new()
        );
        let got = disclosed(SIMPLE_MDOC, Some("org.iso.18013.5.1.mDL"), mdoc);
        assert!(got[0].starts_with("§B.2.3"), "{got:?}");
    }

    #[test]
    fn disclosed_value_outside_values_is_a_should_not() {
        let mut smith = person();
        smith["family_name"] = json!("Smith");
        let got = disclosed(VALUE_MATCHING, Some(PID_VCT), smith);
        assert_eq!(got.len(), 1);
        assert!(got[0].starts_with("§6.4.1: SHOULD NOT"), "{got:?}");
    }

    #[test]
    fn disclosed_claims_must_satisfy_some_claim_set() {
        let second_set = json!({"family_name": "Doe", "postal_code": "1", "date_of_birth": "x"});
        assert_eq!(
            disclosed(CLAIMS_ALTERNATIVES, Some(PID_VCT), second_set),
            Vec::<String>::new()
        );
        let neither = json!({"family_name": "Doe", "postal_code": "1"});
        let got = disclosed(CLAIMS_ALTERNATIVES, Some(PID_VCT), neither);
        assert_eq!(got.len(), 1);
        assert!(got[0].contains("MUST NOT"), "{got:?}");
    }
}
