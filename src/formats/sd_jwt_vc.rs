//! SD-JWT VC (draft-ietf-oauth-sd-jwt-vc) rules on top of a verified SD-JWT: the `typ`, `vct`,
//! registered claims that may never be selectively disclosed, `cnf` and `status` shapes.

use serde_json::Value;

use super::sd_jwt::verify::Verification;
use crate::requirements::{Violation, catalogue as req};

/// The media type of an SD-JWT VC (SD-JWT VC §2.2.1).
pub const TYP: &str = "dc+sd-jwt";
/// The earlier media type, accepted only in lenient mode.
pub const LEGACY_TYP: &str = "vc+sd-jwt";

/// Registered claims that must never be inside a disclosure (SD-JWT VC §2.2.2.3).
pub const NEVER_DISCLOSABLE: &[&str] = &[
    "iss",
    "nbf",
    "exp",
    "cnf",
    "vct",
    "vct#integrity",
    "aka_vcts",
    "status",
];

/// How strictly `typ` is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TypMode {
    /// Only `dc+sd-jwt`.
    #[default]
    Strict,
    /// `vc+sd-jwt` is accepted too, and reported as a MAY-level finding.
    Lenient,
}

/// Checks the SD-JWT VC rules. `key_binding_used` is true when the presentation carries or
/// the verifier requires a KB-JWT.
pub fn check(v: &Verification, mode: TypMode, key_binding_used: bool) -> Vec<Violation> {
    let mut out = Vec::new();
    let typ = v.header.get("typ").and_then(Value::as_str);
    match (typ, mode) {
        (Some(TYP), _) => {}
        (Some(LEGACY_TYP), TypMode::Lenient) => out.push(
            Violation::new(
                &req::SDJWTVC_TYP_LEGACY,
                "accepted legacy `typ: vc+sd-jwt` because lenient mode is on; strict verifiers reject it",
            )
            .at("issuer-jwt.header.typ"),
        ),
        (other, _) => out.push(
            Violation::new(
                &req::SDJWTVC_TYP,
                format!("`typ` is {other:?}, expected \"{TYP}\""),
            )
            .at("issuer-jwt.header.typ"),
        ),
    }
    for path in &v.disclosed {
        if let Some(name) = path.top_level_name()
            && NEVER_DISCLOSABLE.contains(&name)
        {
            out.push(
                Violation::new(
                    &req::SDJWTVC_REGISTERED_NOT_DISCLOSABLE,
                    format!("`{path}` was selectively disclosed; `{name}` must be in the issuer-signed payload"),
                )
                .at(path.to_string()),
            );
        }
    }
    match v.claims.get("vct") {
        Some(Value::String(s)) if !s.is_empty() => {}
        Some(_) => out.push(
            Violation::new(&req::SDJWTVC_VCT, "`vct` is not a non-empty string")
                .at("issuer-jwt.payload.vct"),
        ),
        None => {
            out.push(Violation::new(&req::SDJWTVC_VCT, "no `vct` claim").at("issuer-jwt.payload"))
        }
    }
    if let Some(iss) = v.claims.get("iss")
        && !iss.as_str().is_some_and(|s| s.contains(':'))
    {
        out.push(
            Violation::new(&req::SDJWTVC_ISS, format!("`iss` is {iss}, not a URI"))
                .at("issuer-jwt.payload.iss"),
        );
    }
    if let Some(iat) = v.claims.get("iat")
        && !iat.is_number()
    {
        out.push(
            Violation::new(
                &req::SDJWTVC_IAT,
                format!("`iat` is {iat}, not a NumericDate"),
            )
            .at("issuer-jwt.payload.iat"),
        );
    }
    if key_binding_used && v.claims.get("cnf").and_then(|c| c.get("jwk")).is_none() {
        out.push(
            Violation::new(
                &req::SDJWTVC_CNF,
                "key binding is used but there is no `cnf.jwk`",
            )
            .at("issuer-jwt.payload.cnf"),
        );
    }
    if let Some(status) = v.claims.get("status")
        && !status.is_object()
    {
        out.push(
            Violation::new(&req::SDJWTVC_STATUS, "`status` is not an object")
                .at("issuer-jwt.payload.status"),
        );
    }
    out
}
