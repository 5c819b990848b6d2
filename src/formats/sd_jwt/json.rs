//! The JWS JSON serialisation of SD-JWT (RFC 9901 §8), flattened and general.
//!
//! Disclosures and the KB-JWT travel in the unprotected header as `disclosures` and `kb_jwt`;
//! in the general form they must be in the first signature's header (§8.3). Verification and
//! `sd_hash` work on the equivalent compact form, built from the protected header, the payload
//! and the signature (§8.1). With several signatures in the general form, the first one is
//! used for that, the same one that carries the disclosures: §8.1 says "the signature"
//! without saying which, and the first is the only reading consistent with §8.3.

use serde_json::{Map, Value, json};

use super::{FormatError, SdJwt};

/// Which JSON form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonForm {
    Flattened,
    General,
}

fn str_field<'a>(obj: &'a Map<String, Value>, key: &str, at: &str) -> Result<&'a str, FormatError> {
    obj.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| FormatError::Json(format!("`{at}{key}` is missing or not a string")))
}

/// Parses either JSON form into the parts of an SD-JWT.
pub fn parse(value: &Value) -> Result<(SdJwt, JsonForm), FormatError> {
    let Value::Object(top) = value else {
        return Err(FormatError::Json("not a JSON object".into()));
    };
    let payload = str_field(top, "payload", "")?;
    let (form, protected, signature, header, at) = match top.get("signatures") {
        Some(Value::Array(sigs)) => {
            for (i, later) in sigs.iter().enumerate().skip(1) {
                let h = later.get("header");
                if h.is_some_and(|h| h.get("disclosures").is_some() || h.get("kb_jwt").is_some()) {
                    return Err(FormatError::Json(format!(
                        "`signatures[{i}].header` carries disclosures or kb_jwt; only the first signature's header may (RFC 9901 §8.3)"
                    )));
                }
            }
            let Some(Value::Object(first)) = sigs.first() else {
                return Err(FormatError::Json(
                    "`signatures` is empty or its first entry is not an object".into(),
                ));
            };
            (
                JsonForm::General,
                str_field(first, "protected", "signatures[0].")?,
                str_field(first, "signature", "signatures[0].")?,
                first.get("header"),
                "signatures[0].header",
            )
        }
        Some(_) => return Err(FormatError::Json("`signatures` is not an array".into())),
        None => (
            JsonForm::Flattened,
            str_field(top, "protected", "")?,
            str_field(top, "signature", "")?,
            top.get("header"),
            "header",
        ),
    };
    let header = match header {
        None => None,
        Some(Value::Object(h)) => Some(h),
        Some(_) => return Err(FormatError::Json(format!("`{at}` is not an object"))),
    };
    let mut disclosures = Vec::new();
    let mut kb_jwt = None;
    if let Some(h) = header {
        match h.get("disclosures") {
            None => {}
            Some(Value::Array(ds)) => {
                for (i, d) in ds.iter().enumerate() {
                    match d {
                        Value::String(s) if !s.is_empty() => disclosures.push(s.clone()),
                        _ => {
                            return Err(FormatError::Json(format!(
                                "`{at}.disclosures[{i}]` is not a non-empty string"
                            )));
                        }
                    }
                }
            }
            Some(_) => {
                return Err(FormatError::Json(format!(
                    "`{at}.disclosures` is not an array"
                )));
            }
        }
        match h.get("kb_jwt") {
            None => {}
            Some(Value::String(s)) if s.split('.').count() == 3 => kb_jwt = Some(s.clone()),
            Some(_) => {
                return Err(FormatError::Json(format!(
                    "`{at}.kb_jwt` is not a compact JWT"
                )));
            }
        }
    }
    Ok((
        SdJwt {
            issuer_jwt: format!("{protected}.{payload}.{signature}"),
            disclosures,
            kb_jwt,
        },
        form,
    ))
}

/// Serialises `sd` in the given JSON form.
pub fn to_json(sd: &SdJwt, form: JsonForm) -> Result<Value, FormatError> {
    let parts: Vec<&str> = sd.issuer_jwt.split('.').collect();
    let [protected, payload, signature] = parts[..] else {
        return Err(FormatError::IssuerJwt(format!(
            "{} dot-separated parts",
            parts.len()
        )));
    };
    let mut header = Map::new();
    header.insert("disclosures".into(), json!(sd.disclosures));
    if let Some(kb) = &sd.kb_jwt {
        header.insert("kb_jwt".into(), Value::String(kb.clone()));
    }
    Ok(match form {
        JsonForm::Flattened => json!({
            "header": header,
            "payload": payload,
            "protected": protected,
            "signature": signature,
        }),
        JsonForm::General => json!({
            "payload": payload,
            "signatures": [{
                "header": header,
                "protected": protected,
                "signature": signature,
            }],
        }),
    })
}

/// Reads an SD-JWT from text: the compact form, or JSON (either form) when the text starts
/// with `{`.
pub fn parse_any(text: &str) -> Result<(SdJwt, Option<JsonForm>), FormatError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            FormatError::Json(format!("line {} column {}: {e}", e.line(), e.column()))
        })?;
        let (sd, form) = parse(&value)?;
        Ok((sd, Some(form)))
    } else {
        Ok((SdJwt::parse_compact(text)?, None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_round_trip() {
        let sd = SdJwt {
            issuer_jwt: "h.p.s".into(),
            disclosures: vec!["d1".into(), "d2".into()],
            kb_jwt: Some("k.b.j".into()),
        };
        for form in [JsonForm::Flattened, JsonForm::General] {
            let v = to_json(&sd, form).unwrap();
            let (back, f) = parse(&v).unwrap();
            assert_eq!(back, sd);
            assert_eq!(f, form);
        }
    }

    #[test]
    fn json_errors_name_the_field() {
        let err = parse(&json!({"payload": "p", "protected": "h"})).unwrap_err();
        assert!(err.to_string().contains("`signature`"), "{err}");
        let err = parse(&json!({"payload": "p", "protected": "h", "signature": "s", "header": {"disclosures": [1]}}))
            .unwrap_err();
        assert!(err.to_string().contains("header.disclosures[0]"), "{err}");
        let err = parse(&json!({"payload": "p", "signatures": []})).unwrap_err();
        assert!(err.to_string().contains("signatures"), "{err}");
    }
}
