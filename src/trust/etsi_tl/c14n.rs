//! XML canonicalisation for the XAdES signatures of trusted lists: Canonical XML 1.0 and 1.1
//! (inclusive, <https://www.w3.org/TR/xml-c14n>) and Exclusive XML Canonicalization 1.0
//! (<https://www.w3.org/TR/xml-exc-c14n/>), both without comments, over a subtree of a parsed
//! document, optionally leaving one element out (the enveloped-signature transform).
//!
//! The parser (`roxmltree`) has already normalised line ends and attribute values, expanded
//! references and replaced CDATA by text, as C14N's data model asks. What is left here is the
//! serialisation: namespace declarations first and sorted by prefix, attributes sorted by
//! (namespace URI, local name), start and end tags for empty elements, and the escaping
//! rules of C14N clause 2.3. Canonical XML 1.1 differs from 1.0 only in how `xml:*`
//! attributes of ancestors outside the subtree are inherited; trusted lists carry `xml:lang`
//! only on leaf `Name` elements, so Accord treats 1.1 as 1.0 for subtrees and says so here.

use std::collections::BTreeMap;

use roxmltree::{Node, NodeId};

pub const C14N_10: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
pub const C14N_11: &str = "http://www.w3.org/2006/12/xml-c14n11";
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Which canonicalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Canonical XML 1.0 or 1.1, without comments.
    Inclusive,
    /// Exclusive XML Canonicalization 1.0, without comments (no inclusive prefix list).
    Exclusive,
}

impl Method {
    /// The method an algorithm URI names, or `None` when Accord does not implement it
    /// (the `#WithComments` variants among them).
    pub fn from_uri(uri: &str) -> Option<Method> {
        match uri {
            C14N_10 | C14N_11 => Some(Method::Inclusive),
            EXC_C14N => Some(Method::Exclusive),
            _ => None,
        }
    }
}

/// The canonical form of the subtree at `apex` (an element), without the subtree at
/// `omit` when given.
pub fn canonicalize(apex: Node<'_, '_>, method: Method, omit: Option<NodeId>) -> Vec<u8> {
    let mut out = String::new();
    // What the nearest output ancestor declared: prefix ("" for the default) -> URI.
    let rendered = BTreeMap::new();
    element(apex, method, omit, &rendered, &mut out);
    out.into_bytes()
}

/// The prefix an element or attribute was written with, read from the source (the parser
/// keeps the resolved URI, not the prefix, and one URI may have two prefixes).
fn element_prefix<'a>(node: Node<'a, '_>) -> &'a str {
    let text = node.document().input_text();
    let start = node.range().start + 1;
    let rest = &text[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(rest.len());
    let qname = &rest[..end];
    qname.split_once(':').map_or("", |(p, _)| p)
}

fn qualified_name(prefix: &str, local: &str) -> String {
    if prefix.is_empty() {
        local.to_string()
    } else {
        format!("{prefix}:{local}")
    }
}

fn element(
    node: Node<'_, '_>,
    method: Method,
    omit: Option<NodeId>,
    rendered: &BTreeMap<String, String>,
    out: &mut String,
) {
    let prefix = element_prefix(node);
    let name = qualified_name(prefix, node.tag_name().name());
    // In-scope namespaces of this element, by prefix.
    let in_scope: BTreeMap<String, String> = node
        .namespaces()
        .filter(|ns| ns.uri() != XML_NS)
        .map(|ns| (ns.name().unwrap_or("").to_string(), ns.uri().to_string()))
        .collect();
    let doc_text = node.document().input_text();
    let attributes: Vec<(String, String, &str, &str)> = node
        .attributes()
        .map(|a| {
            let qname = &doc_text[a.range_qname()];
            let prefix = qname.split_once(':').map_or("", |(p, _)| p).to_string();
            (
                a.namespace().unwrap_or("").to_string(),
                prefix,
                a.name(),
                a.value(),
            )
        })
        .collect();
    let mut declare: BTreeMap<String, String> = BTreeMap::new();
    match method {
        Method::Inclusive => {
            for (p, uri) in &in_scope {
                if rendered.get(p) != Some(uri) {
                    declare.insert(p.clone(), uri.clone());
                }
            }
            // A default namespace undeclared here but rendered above: xmlns="".
            if !in_scope.contains_key("") && rendered.get("").is_some_and(|u| !u.is_empty()) {
                declare.insert(String::new(), String::new());
            }
        }
        Method::Exclusive => {
            let mut used: Vec<&str> = vec![prefix];
            used.extend(
                attributes
                    .iter()
                    .filter(|(_, p, _, _)| !p.is_empty() && p != "xml")
                    .map(|(_, p, _, _)| p.as_str()),
            );
            for p in used {
                match in_scope.get(p) {
                    Some(uri) if rendered.get(p) != Some(uri) => {
                        declare.insert(p.to_string(), uri.clone());
                    }
                    None if p.is_empty() && rendered.get("").is_some_and(|u| !u.is_empty()) => {
                        declare.insert(String::new(), String::new());
                    }
                    _ => {}
                }
            }
        }
    }
    out.push('<');
    out.push_str(&name);
    for (p, uri) in &declare {
        if p.is_empty() {
            out.push_str(" xmlns=\"");
        } else {
            out.push_str(" xmlns:");
            out.push_str(p);
            out.push_str("=\"");
        }
        escape_attribute(uri, out);
        out.push('"');
    }
    let mut sorted = attributes;
    sorted.sort_by(|a, b| (a.0.as_str(), a.2).cmp(&(b.0.as_str(), b.2)));
    for (_, p, local, value) in &sorted {
        out.push(' ');
        out.push_str(&qualified_name(p, local));
        out.push_str("=\"");
        escape_attribute(value, out);
        out.push('"');
    }
    out.push('>');
    let mut now_rendered = rendered.clone();
    for (p, uri) in declare {
        now_rendered.insert(p, uri);
    }
    for child in node.children() {
        if Some(child.id()) == omit {
            continue;
        }
        if child.is_element() {
            element(child, method, omit, &now_rendered, out);
        } else if child.is_text() {
            escape_text(child.text().unwrap_or(""), out);
        } else if let Some(pi) = child.pi() {
            out.push_str("<?");
            out.push_str(pi.target);
            if let Some(v) = pi.value {
                out.push(' ');
                out.push_str(v);
            }
            out.push_str("?>");
        }
        // Comments are dropped (the "without comments" forms).
    }
    out.push_str("</");
    out.push_str(&name);
    out.push('>');
}

fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

fn escape_attribute(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c14n(xml: &str, method: Method) -> String {
        let doc = roxmltree::Document::parse(xml).unwrap();
        String::from_utf8(canonicalize(doc.root_element(), method, None)).unwrap()
    }

    /// Canonical XML 1.0 clause 3.3 (start and end tags): attribute order, empty elements,
    /// superfluous namespace declarations removed, quotes normalised.
    #[test]
    fn the_recommendations_start_and_end_tags_example() {
        let input = r#"<doc xmlns:b="http://www.ietf.org" xmlns:a="http://www.w3.org">
   <e1   />
   <e2   ></e2>
   <e3   name = "elem3"   id="elem3"   />
   <e5 a:attr="out" b:attr="sorted" attr2="all" attr="I'm"
      xmlns:b="http://www.ietf.org"
      xmlns:a="http://www.w3.org"
      xmlns="http://example.org"/>
</doc>"#;
        let expected = "<doc xmlns:a=\"http://www.w3.org\" xmlns:b=\"http://www.ietf.org\">\n   <e1></e1>\n   <e2></e2>\n   <e3 id=\"elem3\" name=\"elem3\"></e3>\n   <e5 xmlns=\"http://example.org\" attr=\"I'm\" attr2=\"all\" b:attr=\"sorted\" a:attr=\"out\"></e5>\n</doc>";
        assert_eq!(c14n(input, Method::Inclusive), expected);
    }

    /// Exclusive C14N renders only the namespaces an element visibly uses, where inclusive
    /// C14N renders every one in scope at the apex.
    #[test]
    fn exclusive_drops_unused_namespaces_inclusive_keeps_them() {
        let xml = r#"<a:root xmlns:a="urn:a" xmlns:b="urn:b"><a:child x="1">t &amp; &lt;</a:child><!-- c --></a:root>"#;
        let doc = roxmltree::Document::parse(xml).unwrap();
        let child = doc.root_element().first_element_child().unwrap();
        assert_eq!(
            String::from_utf8(canonicalize(child, Method::Exclusive, None)).unwrap(),
            r#"<a:child xmlns:a="urn:a" x="1">t &amp; &lt;</a:child>"#
        );
        assert_eq!(
            String::from_utf8(canonicalize(child, Method::Inclusive, None)).unwrap(),
            r#"<a:child xmlns:a="urn:a" xmlns:b="urn:b" x="1">t &amp; &lt;</a:child>"#
        );
        assert_eq!(
            c14n(xml, Method::Exclusive),
            r#"<a:root xmlns:a="urn:a"><a:child x="1">t &amp; &lt;</a:child></a:root>"#
        );
    }

    #[test]
    fn an_omitted_subtree_leaves_no_trace_and_default_namespaces_are_undeclared() {
        let xml = r#"<r xmlns="urn:r"><s>1</s><k xmlns=""><i/></k></r>"#;
        let doc = roxmltree::Document::parse(xml).unwrap();
        let s = doc.root_element().first_element_child().unwrap();
        assert_eq!(
            String::from_utf8(canonicalize(
                doc.root_element(),
                Method::Inclusive,
                Some(s.id())
            ))
            .unwrap(),
            r#"<r xmlns="urn:r"><k xmlns=""><i></i></k></r>"#
        );
    }
}
