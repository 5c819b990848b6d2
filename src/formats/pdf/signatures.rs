//! What a signed PDF says about its signatures: the signature fields of the interactive form
//! (ISO 32000-2 clause 12.7.5.5), their signature dictionaries (12.8.1, Table 255: /Type /Sig
//! or /DocTimeStamp, /Filter, /SubFilter, /ByteRange, /Contents, /M), which revision each
//! covers, and the Document Security Store (ISO 32000-2 12.8.4.3, EN 319 142-1 clause 5.4.2:
//! /Certs, /OCSPs, /CRLs, /VRI).

use std::collections::{BTreeMap, BTreeSet};

use super::PdfError;
use super::document::{Document, revision_ends};
use super::object::{Dict, ObjRef, Object};

/// How deep the field tree (/Kids) is followed.
const MAX_FIELD_DEPTH: usize = 32;
/// The most fields read.
const MAX_FIELDS: usize = 10_000;
/// The most entries a DSS array may hold.
const MAX_DSS_ENTRIES: usize = 10_000;

/// A signature dictionary's /Type: a signature or a document time-stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureKind {
    /// /Type /Sig (or absent, which Table 255 allows).
    Signature,
    /// /Type /DocTimeStamp (ISO 32000-2 12.8.5, EN 319 142-1 clause 5.4.3).
    DocTimeStamp,
}

/// One signed signature field.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfSignature {
    /// The field's fully qualified name (/T of it and its parents, dot-separated).
    pub field_name: String,
    pub field: Option<ObjRef>,
    /// The signature dictionary's object, when indirect.
    pub dictionary: Option<ObjRef>,
    pub kind: SignatureKind,
    pub filter: Option<String>,
    pub sub_filter: Option<String>,
    /// Pairs of (offset, length).
    pub byte_range: Vec<(usize, usize)>,
    /// The /Contents bytes (the CMS or the time-stamp token, usually zero-padded).
    pub contents: Vec<u8>,
    /// /M as written (`D:20260101120000Z`).
    pub signing_time: Option<String>,
    /// The index (oldest first) of the revision the byte range ends with, if it ends at one.
    pub revision: Option<usize>,
}

impl PdfSignature {
    /// The end of the signed range.
    pub fn covered_end(&self) -> usize {
        self.byte_range.last().map(|(o, l)| o + l).unwrap_or(0)
    }

    /// The bytes the byte range covers, or `None` when a range lies outside the file.
    pub fn signed_bytes(&self, file: &[u8]) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        for (offset, len) in &self.byte_range {
            out.extend_from_slice(file.get(*offset..offset.checked_add(*len)?)?);
        }
        Some(out)
    }

    /// The /Contents value with its trailing zero padding removed: a DER value's own length
    /// says where it ends, so this only shortens the slice to the outer TLV.
    pub fn contents_der(&self) -> &[u8] {
        der_outer_len(&self.contents)
            .map(|n| &self.contents[..n])
            .unwrap_or(&self.contents)
    }
}

/// The length of the outer DER TLV at the start of `bytes`, if it fits.
fn der_outer_len(bytes: &[u8]) -> Option<usize> {
    let first_len = *bytes.get(1)?;
    let (header, len) = if first_len < 0x80 {
        (2usize, usize::from(first_len))
    } else {
        let n = usize::from(first_len & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let len = bytes
            .get(2..2 + n)?
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (2 + n, len)
    };
    let total = header.checked_add(len)?;
    (total <= bytes.len()).then_some(total)
}

/// The Document Security Store: validation data added for LT and LTA.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dss {
    pub certs: Vec<Vec<u8>>,
    pub ocsps: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
    /// /VRI keys (upper-case hex SHA-1 of a signature's /Contents), each with how many
    /// certificates, OCSP responses and CRLs it names.
    pub vri: BTreeMap<String, (usize, usize, usize)>,
}

/// Every signature of the document, in field order, and the revision each covers.
pub fn signatures(file: &[u8], document: &Document) -> Result<Vec<PdfSignature>, PdfError> {
    let catalog = document.catalog()?;
    let Some(form) = document
        .lookup(catalog, "AcroForm")
        .and_then(Object::as_dict)
    else {
        return Ok(Vec::new());
    };
    let Some(fields) = document.lookup(form, "Fields").and_then(Object::as_array) else {
        return Ok(Vec::new());
    };
    let ends = revision_ends(file, document);
    let mut out = Vec::new();
    let mut visited = BTreeSet::new();
    for field in fields {
        walk_field(document, field, None, "", 0, &mut visited, &ends, &mut out)?;
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn walk_field(
    document: &Document,
    field: &Object,
    inherited_type: Option<&str>,
    parent_name: &str,
    depth: usize,
    visited: &mut BTreeSet<ObjRef>,
    ends: &[usize],
    out: &mut Vec<PdfSignature>,
) -> Result<(), PdfError> {
    if depth > MAX_FIELD_DEPTH || visited.len() > MAX_FIELDS {
        return Err(PdfError::Structure {
            offset: 0,
            message: format!(
                "form field tree deeper than {MAX_FIELD_DEPTH} or larger than {MAX_FIELDS}"
            ),
        });
    }
    let field_ref = field.as_ref();
    if let Some(r) = field_ref
        && !visited.insert(r)
    {
        return Ok(());
    }
    let Some(dict) = document.resolve(field).as_dict() else {
        return Ok(());
    };
    let field_type = dict.get("FT").and_then(Object::as_name).or(inherited_type);
    let partial = dict.get("T").and_then(Object::as_string).map(text_string);
    let name = match (&partial, parent_name.is_empty()) {
        (Some(p), true) => p.clone(),
        (Some(p), false) => format!("{parent_name}.{p}"),
        (None, _) => parent_name.to_owned(),
    };
    if let Some(kids) = document.lookup(dict, "Kids").and_then(Object::as_array) {
        for kid in kids {
            walk_field(
                document,
                kid,
                field_type,
                &name,
                depth + 1,
                visited,
                ends,
                out,
            )?;
        }
    }
    if field_type != Some("Sig") {
        return Ok(());
    }
    let Some(value) = dict.get("V") else {
        return Ok(()); // an empty signature field
    };
    let Some(sig) = document.resolve(value).as_dict() else {
        return Ok(());
    };
    out.push(read_signature_dictionary(
        sig,
        name,
        field_ref,
        value.as_ref(),
        ends,
    )?);
    Ok(())
}

fn read_signature_dictionary(
    sig: &Dict,
    field_name: String,
    field: Option<ObjRef>,
    dictionary: Option<ObjRef>,
    ends: &[usize],
) -> Result<PdfSignature, PdfError> {
    let name = |key: &str| sig.get(key).and_then(Object::as_name).map(str::to_owned);
    let kind = match name("Type").as_deref() {
        Some("DocTimeStamp") => SignatureKind::DocTimeStamp,
        _ => SignatureKind::Signature,
    };
    let bad = |message: String| PdfError::Signature {
        field: field_name.clone(),
        message,
    };
    let numbers = sig
        .get("ByteRange")
        .and_then(Object::as_array)
        .ok_or_else(|| bad("no /ByteRange array".into()))?;
    if numbers.len() % 2 != 0 || numbers.is_empty() || numbers.len() > 64 {
        return Err(bad(format!(
            "/ByteRange has {} numbers, not pairs",
            numbers.len()
        )));
    }
    let mut byte_range = Vec::new();
    for pair in numbers.chunks(2) {
        let (Some(o), Some(l)) = (pair[0].as_int(), pair[1].as_int()) else {
            return Err(bad("/ByteRange holds a non-integer".into()));
        };
        let (Ok(o), Ok(l)) = (usize::try_from(o), usize::try_from(l)) else {
            return Err(bad("/ByteRange holds a negative number".into()));
        };
        byte_range.push((o, l));
    }
    let contents = sig
        .get("Contents")
        .and_then(Object::as_string)
        .ok_or_else(|| bad("no /Contents string".into()))?
        .to_vec();
    let end = byte_range
        .last()
        .map(|(o, l)| o.saturating_add(*l))
        .unwrap_or(0);
    // The range may stop at the `%%EOF` or after its end-of-line.
    let revision = ends
        .iter()
        .position(|e| end <= *e && end + 2 >= *e && end >= 5);
    Ok(PdfSignature {
        field_name,
        field,
        dictionary,
        kind,
        filter: name("Filter"),
        sub_filter: name("SubFilter"),
        byte_range,
        contents,
        signing_time: sig.get("M").and_then(Object::as_string).map(text_string),
        revision,
    })
}

/// A PDF text string (clause 7.9.2.2): UTF-16BE with a byte-order mark, or PDFDocEncoding
/// (read here as Latin-1, which agrees with it on the printable ASCII range).
pub fn text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes.iter().map(|b| char::from(*b)).collect()
}

/// The catalog's /DSS, decoded, or `None` when there is none.
pub fn dss(document: &Document) -> Result<Option<Dss>, PdfError> {
    let catalog = document.catalog()?;
    let Some(dss) = document.lookup(catalog, "DSS").and_then(Object::as_dict) else {
        return Ok(None);
    };
    let streams = |dict: &Dict, key: &str| -> Result<Vec<Vec<u8>>, PdfError> {
        let Some(items) = document.lookup(dict, key).and_then(Object::as_array) else {
            return Ok(Vec::new());
        };
        if items.len() > MAX_DSS_ENTRIES {
            return Err(PdfError::Structure {
                offset: 0,
                message: format!("/DSS /{key} holds more than {MAX_DSS_ENTRIES} entries"),
            });
        }
        items
            .iter()
            .enumerate()
            .map(|(i, item)| document.stream_data(item, &format!("/DSS /{key} [{i}]")))
            .collect()
    };
    let count = |dict: &Dict, key: &str| {
        document
            .lookup(dict, key)
            .and_then(Object::as_array)
            .map_or(0, <[Object]>::len)
    };
    let mut vri = BTreeMap::new();
    if let Some(entries) = document.lookup(dss, "VRI").and_then(Object::as_dict) {
        for (key, value) in entries.iter().take(MAX_DSS_ENTRIES) {
            if let Some(v) = document.resolve(value).as_dict() {
                vri.insert(
                    key.to_uppercase(),
                    (count(v, "Cert"), count(v, "OCSP"), count(v, "CRL")),
                );
            }
        }
    }
    Ok(Some(Dss {
        certs: streams(dss, "Certs")?,
        ocsps: streams(dss, "OCSPs")?,
        crls: streams(dss, "CRLs")?,
        vri,
    }))
}
