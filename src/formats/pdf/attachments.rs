//! The degree data a Japanese PDF certificate (学位記, 学修歴証明書) may carry beside its page:
//! an embedded JSON file, associated with the document (PDF/A-3 `/AF`, `/AFRelationship
//! /Data`) or listed in the catalog's embedded-files name tree, holding the JP degree claim
//! set (Accord's proposal: docs/profiles.md). Read when present and held to the JP degree
//! profile; otherwise the certificate is reported *not machine-readable: a person must read
//! it*. Nothing is ever guessed from the page text.

use serde_json::{Map, Value};

use super::{Dict, Document, Object};
use crate::requirements::Violation;

/// Embedded files looked at, at most, and the largest one read.
const MAX_FILES: usize = 32;
const MAX_BYTES: usize = 1 << 20;

/// What the certificate says in machine-readable form.
#[derive(Debug, Clone)]
pub enum DegreeData {
    /// An embedded JSON file with the claim set, and what the profile found wrong with it.
    Embedded {
        file: String,
        claims: Map<String, Value>,
        violations: Vec<Violation>,
    },
    /// No embedded degree data: only a person reading the page can tell what it says.
    NotMachineReadable,
    /// An embedded degree file that cannot be read (named, with why).
    Unreadable { file: String, why: String },
}

impl DegreeData {
    /// One line for reports.
    pub fn summary(&self) -> String {
        match self {
            DegreeData::Embedded {
                file, violations, ..
            } if violations.is_empty() => {
                format!("{file}: the JP degree claim set, holding the profile")
            }
            DegreeData::Embedded {
                file, violations, ..
            } => {
                format!(
                    "{file}: the JP degree claim set, {} profile violation(s)",
                    violations.len()
                )
            }
            DegreeData::NotMachineReadable => {
                "not machine-readable: a person must read it (no embedded degree data)".into()
            }
            DegreeData::Unreadable { file, why } => format!("{file}: unreadable ({why})"),
        }
    }
}

fn text(object: &Object) -> Option<String> {
    object
        .as_string()
        .map(|b| String::from_utf8_lossy(b).into_owned())
}

/// The file specifications the document associates (`/AF`) or embeds (name tree, flat or
/// one level of kids), in that order, without repeats.
fn file_specs<'a>(doc: &'a Document, catalog: &'a Dict) -> Vec<&'a Dict> {
    let mut specs: Vec<&Dict> = Vec::new();
    let mut push = |o: &'a Object| {
        if let Some(d) = doc.resolve(o).as_dict()
            && !specs.iter().any(|s| std::ptr::eq(*s, d))
            && specs.len() < MAX_FILES
        {
            specs.push(d);
        }
    };
    if let Some(af) = doc.lookup(catalog, "AF").and_then(Object::as_array) {
        af.iter().for_each(&mut push);
    }
    let tree = doc
        .lookup(catalog, "Names")
        .and_then(Object::as_dict)
        .and_then(|n| doc.lookup(n, "EmbeddedFiles"))
        .and_then(Object::as_dict);
    if let Some(tree) = tree {
        let mut nodes = vec![tree];
        if let Some(kids) = doc.lookup(tree, "Kids").and_then(Object::as_array) {
            nodes.extend(
                kids.iter()
                    .filter_map(|k| doc.resolve(k).as_dict())
                    .take(MAX_FILES),
            );
        }
        for node in nodes {
            if let Some(names) = doc.lookup(node, "Names").and_then(Object::as_array) {
                // Pairs of (name, file specification).
                names.iter().skip(1).step_by(2).for_each(&mut push);
            }
        }
    }
    specs
}

/// The degree data of `pdf`.
pub fn degree_data(pdf: &[u8]) -> DegreeData {
    let Ok(doc) = Document::parse(pdf) else {
        return DegreeData::NotMachineReadable;
    };
    let Ok(catalog) = doc.catalog() else {
        return DegreeData::NotMachineReadable;
    };
    for spec in file_specs(&doc, catalog) {
        let name = doc
            .lookup(spec, "UF")
            .or_else(|| doc.lookup(spec, "F"))
            .and_then(text)
            .unwrap_or_default();
        let relationship = doc.lookup(spec, "AFRelationship").and_then(Object::as_name);
        let stream = doc
            .lookup(spec, "EF")
            .and_then(Object::as_dict)
            .and_then(|ef| ef.get("F"));
        let Some(stream) = stream else { continue };
        let is_json = name.ends_with(".json")
            || matches!(doc.resolve(stream), Object::Stream(s)
                if s.dict.get("Subtype").and_then(Object::as_name) == Some("application/json"));
        if !is_json || !matches!(relationship, None | Some("Data" | "Source")) {
            continue;
        }
        let bytes = match doc.stream_data(stream, "the embedded degree data") {
            Ok(b) if b.len() <= MAX_BYTES => b,
            Ok(b) => {
                return DegreeData::Unreadable {
                    file: name,
                    why: format!("{} bytes; degree data is read up to {MAX_BYTES}", b.len()),
                };
            }
            Err(e) => {
                return DegreeData::Unreadable {
                    file: name,
                    why: e.to_string(),
                };
            }
        };
        return match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(claims)) => DegreeData::Embedded {
                violations: crate::profiles::jp_degree::validate(&claims),
                file: name,
                claims,
            },
            Ok(_) => DegreeData::Unreadable {
                file: name,
                why: "not a JSON object".into(),
            },
            Err(e) => DegreeData::Unreadable {
                file: name,
                why: format!("not JSON: {e}"),
            },
        };
    }
    DegreeData::NotMachineReadable
}

#[cfg(test)]
mod tests {
    use super::super::writer::{CertificateText, certificate_pdf};
    use super::*;

    fn pdf(attachment: Option<Vec<u8>>) -> Vec<u8> {
        certificate_pdf(&CertificateText {
            transcript: None,
            university: "Naniwa University of Science and Technology".into(),
            graduate: "Takahashi Shota".into(),
            degree: "Bachelor of Engineering".into(),
            conferred: 1_742_860_800,
            attachment,
        })
    }

    #[test]
    fn embedded_degree_data_is_read_and_held_to_the_profile() {
        let claims = crate::profiles::jp_degree::example_claims();
        let with = pdf(Some(serde_json::to_vec(&claims).unwrap()));
        match degree_data(&with) {
            DegreeData::Embedded {
                file,
                claims: read,
                violations,
            } => {
                assert_eq!(file, "degree.json");
                assert_eq!(read, claims);
                assert!(violations.is_empty(), "{violations:?}");
            }
            other => panic!("{other:?}"),
        }
        let mut broken = claims.clone();
        broken.remove("degree");
        match degree_data(&pdf(Some(serde_json::to_vec(&broken).unwrap()))) {
            DegreeData::Embedded { violations, .. } => assert!(!violations.is_empty()),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            degree_data(&pdf(Some(b"not json".to_vec()))),
            DegreeData::Unreadable { .. }
        ));
    }

    #[test]
    fn a_page_alone_is_not_machine_readable() {
        let d = degree_data(&pdf(None));
        assert!(matches!(d, DegreeData::NotMachineReadable));
        assert!(d.summary().contains("a person must read it"));
        assert!(matches!(
            degree_data(b"%PDF-garbage"),
            DegreeData::NotMachineReadable
        ));
    }
}
