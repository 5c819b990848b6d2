//! A JSON-LD document as canonical N-Quads: JSON-LD 1.1 to RDF (the `json-ld` crate) with
//! the contexts bundled in the binary, then RDF Dataset Canonicalization (RDFC-1.0, the
//! `rdf-canon` crate). This is the transformation of `eddsa-rdfc-2022`.
//!
//! Two rules of VC Data Integrity 1.0 clause 4.3 shape it: nothing may be dropped silently on
//! the way to RDF (an undefined term is an error here, not a warning: a dropped term would not
//! be signed), and the base URL is null. No context is ever fetched: a context that is not
//! bundled (or given by the caller) makes the transformation impossible, and says which.

use std::collections::HashMap;
use std::sync::OnceLock;

use json_ld::syntax::Parse;
use json_ld::{IriBuf, JsonLdProcessor, Options, RemoteDocument};
use serde_json::Value;

/// The contexts Accord carries, by the URL credentials name them with. Sources and commits are
/// in `contexts/README.md`.
const BUNDLED: &[(&str, &str)] = &[
    (
        "https://www.w3.org/ns/credentials/v2",
        include_str!("contexts/credentials-v2.jsonld"),
    ),
    (
        "https://www.w3.org/ns/credentials/examples/v2",
        include_str!("contexts/credentials-examples-v2.jsonld"),
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        include_str!("contexts/ob-v3p0-context-3.0.1.jsonld"),
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        include_str!("contexts/ob-v3p0-context-3.0.2.jsonld"),
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        include_str!("contexts/ob-v3p0-context-3.0.3.jsonld"),
    ),
];

/// Past this many calls of the Hash N-Degree Quads algorithm a dataset is refused: RDFC-1.0
/// clause 4.4 lets a "poison graph" take exponential time, and an implementation under test may
/// send one. Credentials need a handful of calls.
pub const MAX_HNDQ_CALLS: usize = 4096;

/// Why a document has no canonical form here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonError {
    /// A context Accord does not carry; it loads none from the network.
    #[error(
        "context {0} is not bundled with Accord and none is fetched from the network (bundled: {1})"
    )]
    ContextNotAvailable(String, String),
    /// A term or value JSON-LD would drop (VC Data Integrity 1.0 clause 4.3:
    /// DATA_LOSS_DETECTION_ERROR).
    #[error("JSON-LD would drop data, which then would not be signed: {0}")]
    DataLoss(String),
    /// Not valid JSON-LD (a context error, a protected term redefined, …).
    #[error("not valid JSON-LD: {0}")]
    JsonLd(String),
    /// RDFC-1.0 refused the dataset (past [`MAX_HNDQ_CALLS`]).
    #[error("RDF canonicalization (RDFC-1.0) failed: {0}")]
    Canonicalization(String),
}

/// The contexts a transformation may use: Accord's bundle, plus any the caller adds.
#[derive(Clone)]
pub struct Contexts {
    documents: HashMap<IriBuf, RemoteDocument>,
}

impl std::fmt::Debug for Contexts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.urls()).finish()
    }
}

fn remote(url: &str, text: &str) -> Result<(IriBuf, RemoteDocument), String> {
    let iri = IriBuf::new(url.to_owned()).map_err(|e| format!("{url} is not an IRI: {e:?}"))?;
    let (value, _) = json_ld::syntax::Value::parse_str(text)
        .map_err(|e| format!("the context for {url} is not JSON: {e}"))?;
    let media = "application/ld+json".parse().ok();
    Ok((iri.clone(), RemoteDocument::new(Some(iri), media, value)))
}

impl Contexts {
    /// The bundled contexts alone (parsed once per process).
    pub fn bundled() -> &'static Contexts {
        static BUNDLE: OnceLock<Contexts> = OnceLock::new();
        BUNDLE.get_or_init(|| Contexts {
            documents: BUNDLED
                .iter()
                .map(|(url, text)| remote(url, text).expect("a bundled context parses"))
                .collect(),
        })
    }

    /// These contexts and `text` served as `url` (a context the caller has on disk).
    pub fn with(mut self, url: &str, text: &str) -> Result<Self, String> {
        let (iri, doc) = remote(url, text)?;
        self.documents.insert(iri, doc);
        Ok(self)
    }

    /// The URLs these contexts answer for, sorted.
    pub fn urls(&self) -> Vec<String> {
        let mut urls: Vec<String> = self.documents.keys().map(|k| k.to_string()).collect();
        urls.sort();
        urls
    }

    fn has(&self, url: &str) -> bool {
        self.documents.keys().any(|k| k.as_str() == url)
    }
}

/// Every context URL `doc` names, at any depth (scoped contexts included).
fn context_urls(doc: &Value, out: &mut Vec<String>) {
    match doc {
        Value::Object(map) => {
            for (key, value) in map {
                if key == "@context" {
                    let items = match value {
                        Value::Array(items) => items.iter().collect(),
                        other => vec![other],
                    };
                    for item in items {
                        match item {
                            Value::String(url) => out.push(url.clone()),
                            nested @ Value::Object(_) => context_urls(nested, out),
                            _ => {}
                        }
                    }
                } else {
                    context_urls(value, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| context_urls(v, out)),
        _ => {}
    }
}

/// `doc` converted to RDF and canonicalized: the canonical N-Quads, one statement per line,
/// each ending in a newline, sorted (RDFC-1.0 clause 4.4 step 7).
pub fn canonical_nquads(doc: &Value, contexts: &Contexts) -> Result<String, CanonError> {
    let mut named = Vec::new();
    context_urls(doc, &mut named);
    if let Some(missing) = named.iter().find(|url| !contexts.has(url)) {
        return Err(CanonError::ContextNotAvailable(
            missing.clone(),
            contexts.urls().join(", "),
        ));
    }
    let text = serde_json::to_string(doc).expect("a JSON value serialises");
    let (value, _) =
        json_ld::syntax::Value::parse_str(&text).map_err(|e| CanonError::JsonLd(e.to_string()))?;
    // Base URL null (clause 4.3): the document has no URL of its own.
    let input = RemoteDocument::new(None, None, value);
    let options: Options = Options {
        expansion_policy: json_ld::expansion::Policy {
            invalid: json_ld::expansion::Action::Reject,
            vocab: json_ld::expansion::Action::Keep,
            allow_undefined: false,
        },
        ..Options::default()
    };
    let mut generator = rdf_types::generator::Blank::new();
    let mut rdf = futures::executor::block_on(input.to_rdf_using(
        &mut generator,
        &contexts.documents,
        options,
    ))
    .map_err(|e| match &e {
        // What the expansion policy above refuses: a key that expands to no IRI, which
        // JSON-LD would otherwise drop.
        json_ld::ToRdfError::Expand(json_ld::ExpandError::Expansion(
            json_ld::expansion::Error::KeyExpansionFailed(_),
        )) => CanonError::DataLoss(e.to_string()),
        _ => CanonError::JsonLd(e.to_string()),
    })?;
    let mut quads = Vec::new();
    for quad in rdf.cloned_quads() {
        quads.push(to_oxrdf(quad)?);
    }
    let options = rdf_canon::CanonicalizationOptions {
        hndq_call_limit: Some(MAX_HNDQ_CALLS),
    };
    rdf_canon::canonicalize_quads_with::<sha2_010::Sha256>(&quads, &options)
        .map_err(|e| CanonError::Canonicalization(e.to_string()))
}

/// The types of the JSON-LD document `doc` as IRIs, after applying its `@context` (what
/// OpenID4VP B.1.1 matches `type_values` against): the `rdf:type` objects of the node whose
/// `id` is the document's. Empty for a document without an `id` (its node is a blank node
/// that cannot be told from the others after canonicalization).
pub fn expanded_types(doc: &Value, contexts: &Contexts) -> Result<Vec<String>, CanonError> {
    const RDF_TYPE: &str = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>";
    let Some(id) = doc.get("id").and_then(Value::as_str) else {
        return Ok(Vec::new());
    };
    let subject = format!("<{id}>");
    let nquads = canonical_nquads(doc, contexts)?;
    Ok(nquads
        .lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, ' ');
            let (s, p, rest) = (parts.next()?, parts.next()?, parts.next()?);
            (s == subject && p == RDF_TYPE)
                .then(|| rest.split(' ').next())
                .flatten()
                .and_then(|o| o.strip_prefix('<')?.strip_suffix('>'))
                .map(str::to_owned)
        })
        .collect())
}

fn named(iri: &str) -> oxrdf::NamedNode {
    oxrdf::NamedNode::new_unchecked(iri)
}

fn blank(id: &str) -> oxrdf::BlankNode {
    oxrdf::BlankNode::new_unchecked(id.strip_prefix("_:").unwrap_or(id))
}

type LdId = rdf_types::Id<IriBuf, rdf_types::BlankIdBuf>;

fn node(id: &LdId) -> oxrdf::NamedOrBlankNode {
    match id {
        rdf_types::Id::Iri(iri) => named(iri.as_str()).into(),
        rdf_types::Id::Blank(b) => blank(b.as_str()).into(),
    }
}

/// One statement of the JSON-LD processor as the canonicalizer's type. Predicates are IRIs:
/// generalized RDF (blank node predicates) is never produced.
fn to_oxrdf(
    quad: rdf_types::Quad<LdId, LdId, rdf_types::Term<LdId, rdf_types::Literal>, LdId>,
) -> Result<oxrdf::Quad, CanonError> {
    let rdf_types::Quad(s, p, o, g) = quad;
    let subject: oxrdf::Subject = match node(&s) {
        oxrdf::NamedOrBlankNode::NamedNode(n) => n.into(),
        oxrdf::NamedOrBlankNode::BlankNode(b) => b.into(),
    };
    let predicate = match &p {
        rdf_types::Id::Iri(iri) => named(iri.as_str()),
        rdf_types::Id::Blank(b) => {
            return Err(CanonError::JsonLd(format!(
                "blank node {b} used as a property (generalized RDF)"
            )));
        }
    };
    let object: oxrdf::Term = match &o {
        rdf_types::Term::Id(id) => match node(id) {
            oxrdf::NamedOrBlankNode::NamedNode(n) => n.into(),
            oxrdf::NamedOrBlankNode::BlankNode(b) => b.into(),
        },
        rdf_types::Term::Literal(literal) => match &literal.type_ {
            rdf_types::LiteralType::Any(datatype) => {
                oxrdf::Literal::new_typed_literal(literal.value.clone(), named(datatype.as_str()))
                    .into()
            }
            // Lower case, as JSON-LD processors normalise tags (JSON-LD 1.1 API allows it, and
            // jsonld.js and pyld, which sign most of these credentials, do it).
            rdf_types::LiteralType::LangString(tag) => {
                oxrdf::Literal::new_language_tagged_literal_unchecked(
                    literal.value.clone(),
                    tag.as_str().to_ascii_lowercase(),
                )
                .into()
            }
        },
    };
    let graph = match g.as_ref().map(node) {
        None => oxrdf::GraphName::DefaultGraph,
        Some(oxrdf::NamedOrBlankNode::NamedNode(n)) => n.into(),
        Some(oxrdf::NamedOrBlankNode::BlankNode(b)) => b.into(),
    };
    Ok(oxrdf::Quad::new(subject, predicate, object, graph))
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_badge_has_its_types_as_iris() {
        let badge = crate::profiles::micro_credential::example_badge(
            "did:example:issuer",
            "Universiteit Dijleland",
            "BE",
            "did:example:learner",
            "2026-03-02T09:00:00Z",
        );
        let types = expanded_types(&badge, Contexts::bundled()).unwrap();
        assert_eq!(
            types,
            vec![
                "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential",
                "https://www.w3.org/2018/credentials#VerifiableCredential",
            ]
        );
    }

    use super::*;

    /// The bundled base context is the published one: VCDM 2.0 gives readers its SHA-256 to
    /// check (contexts/README.md).
    #[test]
    fn the_bundled_base_context_is_the_published_one() {
        let digest = aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA256,
            include_bytes!("contexts/credentials-v2.jsonld"),
        );
        let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"
        );
    }

    #[test]
    fn every_bundled_context_parses_and_answers_for_its_url() {
        let urls = Contexts::bundled().urls();
        assert_eq!(urls.len(), BUNDLED.len());
        assert!(urls.iter().all(|u| Contexts::bundled().has(u)));
    }
}
