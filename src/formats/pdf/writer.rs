//! Writing PDFs for Accord's reference roles: a one-page certificate (a degree certificate of
//! a seeded graduate), incremental updates (ISO 32000-2 clause 7.5.6) that add a signature or
//! a document time-stamp (a signature field, its widget, a signature dictionary whose
//! /ByteRange and /Contents are written as placeholders and filled once the bytes are
//! known), a Document Security Store, and the faults a validator must catch (a later update
//! that changes the page).
//!
//! Output is deterministic for the same inputs: no clock, no randomness of its own.

use std::collections::BTreeMap;

use super::PdfError;
use super::document::Document;
use super::filters::deflate;
use super::object::{Dict, ObjRef, Object, Stream, is_delimiter, is_whitespace};
use super::signatures::SignatureKind;

/// Appends the PDF form of `object` to `out`.
pub fn write_object(object: &Object, out: &mut Vec<u8>) {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => {
            let text = format!("{r:.4}");
            let text = text.trim_end_matches('0').trim_end_matches('.');
            out.extend_from_slice(if text.is_empty() || text == "-" {
                b"0"
            } else {
                text.as_bytes()
            });
        }
        Object::String(s) => write_string(s, out),
        Object::Name(n) => write_name(n, out),
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(item, out);
            }
            out.push(b']');
        }
        Object::Dictionary(dict) => write_dict(dict, out),
        Object::Stream(stream) => {
            let mut dict = stream.dict.clone();
            dict.insert("Length".into(), Object::Integer(stream.raw.len() as i64));
            write_dict(&dict, out);
            out.extend_from_slice(b"\nstream\n");
            out.extend_from_slice(&stream.raw);
            out.extend_from_slice(b"\nendstream");
        }
        Object::Reference(r) => {
            out.extend_from_slice(format!("{} {} R", r.num, r.generation).as_bytes())
        }
    }
}

fn write_dict(dict: &Dict, out: &mut Vec<u8>) {
    out.extend_from_slice(b"<<");
    for (key, value) in dict {
        write_name(key, out);
        out.push(b' ');
        write_object(value, out);
    }
    out.extend_from_slice(b">>");
}

fn write_name(name: &str, out: &mut Vec<u8>) {
    out.push(b'/');
    for b in name.bytes() {
        if b == b'#' || is_whitespace(b) || is_delimiter(b) || !(0x21..=0x7e).contains(&b) {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        } else {
            out.push(b);
        }
    }
}

fn write_string(bytes: &[u8], out: &mut Vec<u8>) {
    if bytes.iter().all(|b| (0x20..=0x7e).contains(b)) {
        out.push(b'(');
        for b in bytes {
            if matches!(b, b'(' | b')' | b'\\') {
                out.push(b'\\');
            }
            out.push(*b);
        }
        out.push(b')');
    } else {
        out.push(b'<');
        out.extend_from_slice(hex(bytes).as_bytes());
        out.push(b'>');
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// A dictionary from pairs, for brevity.
pub fn dict<const N: usize>(pairs: [(&str, Object); N]) -> Dict {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

pub fn name(n: &str) -> Object {
    Object::Name(n.into())
}

fn reference(num: u32) -> Object {
    Object::Reference(ObjRef { num, generation: 0 })
}

/// A PDF date string (ISO 32000-2 clause 7.9.4), in UTC.
pub fn pdf_date(unix: i64) -> String {
    let t =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// What the certificate page says.
#[derive(Debug, Clone)]
pub struct CertificateText {
    pub university: String,
    pub graduate: String,
    pub degree: String,
    /// Unix seconds: the conferral date printed and the document's /CreationDate.
    pub conferred: i64,
    /// The degree data as JSON, embedded as `degree.json`, a PDF/A-3 associated file
    /// (`/AF`, `/AFRelationship /Data`) and an embedded file of the name tree; `None`: the
    /// page is all there is.
    pub attachment: Option<Vec<u8>>,
    /// The lines of a second page (a transcript of records, 成績証明), when there is one.
    pub transcript: Option<Vec<String>>,
}

/// A one-page PDF certificate (学位記) with a classic cross-reference table. The text is
/// ASCII, set in Helvetica.
pub fn certificate_pdf(text: &CertificateText) -> Vec<u8> {
    let lines = [
        (24, 740, text.university.clone()),
        (18, 690, "Certificate of Degree / Gakui-ki".to_owned()),
        (
            14,
            640,
            format!("This is to certify that {}", text.graduate),
        ),
        (
            14,
            615,
            format!("has been awarded the degree of {}", text.degree),
        ),
        (
            12,
            560,
            format!("Conferred on {}", &pdf_date(text.conferred)[2..10]),
        ),
        (
            10,
            120,
            "Signed electronically (PAdES). Verify the signature, not this page.".to_owned(),
        ),
    ];
    let mut content = Vec::new();
    for (size, y, line) in lines {
        let mut literal = Vec::new();
        write_string(line.as_bytes(), &mut literal);
        content.extend_from_slice(format!("BT /F1 {size} Tf 72 {y} Td ").as_bytes());
        content.extend_from_slice(&literal);
        content.extend_from_slice(b" Tj ET\n");
    }
    page_pdf(&content, text)
}

/// An A4 page of the certificate (object 2 its parent, Helvetica object 4), its content
/// stream object `contents`.
fn page(contents: u32) -> Object {
    Object::Dictionary(dict([
        ("Type", name("Page")),
        ("Parent", reference(2)),
        (
            "MediaBox",
            Object::Array(
                vec![0, 0, 595, 842]
                    .into_iter()
                    .map(Object::Integer)
                    .collect(),
            ),
        ),
        (
            "Resources",
            Object::Dictionary(dict([(
                "Font",
                Object::Dictionary(dict([("F1", reference(4))])),
            )])),
        ),
        ("Contents", reference(contents)),
    ]))
}

fn page_pdf(content: &[u8], text: &CertificateText) -> Vec<u8> {
    let mut info = Dict::new();
    info.insert(
        "Producer".into(),
        Object::String(b"Accord (conformance harness)".to_vec()),
    );
    info.insert(
        "Title".into(),
        Object::String(format!("Degree certificate: {}", text.graduate).into_bytes()),
    );
    info.insert(
        "CreationDate".into(),
        Object::String(pdf_date(text.conferred).into_bytes()),
    );
    let objects: Vec<Object> = vec![
        Object::Dictionary(dict([("Type", name("Catalog")), ("Pages", reference(2))])),
        Object::Dictionary(dict([
            ("Type", name("Pages")),
            ("Kids", Object::Array(vec![reference(3)])),
            ("Count", Object::Integer(1)),
        ])),
        page(5),
        Object::Dictionary(dict([
            ("Type", name("Font")),
            ("Subtype", name("Type1")),
            ("BaseFont", name("Helvetica")),
            ("Encoding", name("WinAnsiEncoding")),
        ])),
        Object::Stream(Stream {
            dict: dict([("Filter", name("FlateDecode"))]),
            raw: deflate(content),
        }),
        Object::Dictionary(info),
    ];
    let mut objects = objects;
    if let Some(data) = &text.attachment {
        // 7: the embedded file; 8: its file specification, named by the catalog's name
        // tree and associated with the document (ISO 32000-2 clause 14.13).
        objects.push(Object::Stream(Stream {
            dict: dict([
                ("Type", name("EmbeddedFile")),
                ("Subtype", name("application/json")),
                ("Filter", name("FlateDecode")),
            ]),
            raw: deflate(data),
        }));
        objects.push(Object::Dictionary(dict([
            ("Type", name("Filespec")),
            ("F", Object::String(DEGREE_ATTACHMENT.as_bytes().to_vec())),
            ("UF", Object::String(DEGREE_ATTACHMENT.as_bytes().to_vec())),
            ("AFRelationship", name("Data")),
            (
                "Desc",
                Object::String(b"The degree data of this certificate".to_vec()),
            ),
            ("EF", Object::Dictionary(dict([("F", reference(7))]))),
        ])));
        if let Object::Dictionary(catalog) = &mut objects[0] {
            catalog.insert(
                "Names".into(),
                Object::Dictionary(dict([(
                    "EmbeddedFiles",
                    Object::Dictionary(dict([(
                        "Names",
                        Object::Array(vec![
                            Object::String(DEGREE_ATTACHMENT.as_bytes().to_vec()),
                            reference(8),
                        ]),
                    )])),
                )])),
            );
            catalog.insert("AF".into(), Object::Array(vec![reference(8)]));
        }
    }
    if let Some(lines) = &text.transcript {
        // The second page and its content stream go last, so the first page keeps its
        // object number (3) whatever else the file holds.
        let mut content = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let mut literal = Vec::new();
            write_string(line.as_bytes(), &mut literal);
            let y = 760 - 18 * i as i64;
            content.extend_from_slice(format!("BT /F1 11 Tf 72 {y} Td ").as_bytes());
            content.extend_from_slice(&literal);
            content.extend_from_slice(b" Tj ET\n");
        }
        let page_number = objects.len() as u32 + 1;
        objects.push(page(page_number + 1));
        objects.push(Object::Stream(Stream {
            dict: dict([("Filter", name("FlateDecode"))]),
            raw: deflate(&content),
        }));
        if let Object::Dictionary(pages) = &mut objects[1] {
            pages.insert(
                "Kids".into(),
                Object::Array(vec![reference(3), reference(page_number)]),
            );
            pages.insert("Count".into(), Object::Integer(2));
        }
    }
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        write_object(object, &mut out);
        out.extend_from_slice(b"\nendobj\n");
    }
    let id = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &out);
    let id = Object::String(id.as_ref()[..16].to_vec());
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    let trailer = dict([
        ("Size", Object::Integer(objects.len() as i64 + 1)),
        ("Root", reference(1)),
        ("Info", reference(6)),
        ("ID", Object::Array(vec![id.clone(), id])),
    ]);
    out.extend_from_slice(b"trailer\n");
    write_object(&Object::Dictionary(trailer), &mut out);
    out.extend_from_slice(format!("\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    out
}

/// The file name of the degree data a certificate carries (Accord's proposal for Japanese
/// PDF certificates: docs/profiles.md).
pub const DEGREE_ATTACHMENT: &str = "degree.json";

/// An incremental update being built on top of `base`.
pub struct Update<'a> {
    base: &'a [u8],
    pub document: Document,
    next: u32,
    objects: BTreeMap<u32, Object>,
}

impl<'a> Update<'a> {
    pub fn new(base: &'a [u8]) -> Result<Self, PdfError> {
        let document = Document::parse(base)?;
        let size = document
            .trailer
            .get("Size")
            .and_then(Object::as_int)
            .unwrap_or(0);
        let highest = document.objects.keys().max().copied().unwrap_or(0);
        let next = u32::try_from(size.max(i64::from(highest) + 1))
            .map_err(|_| PdfError::Writer("trailer /Size out of range".into()))?;
        Ok(Self {
            base,
            document,
            next,
            objects: BTreeMap::new(),
        })
    }

    /// A new object; its reference.
    pub fn add(&mut self, object: Object) -> ObjRef {
        let num = self.next;
        self.next += 1;
        self.objects.insert(num, object);
        ObjRef { num, generation: 0 }
    }

    /// A new version of an existing object.
    pub fn replace(&mut self, r: ObjRef, object: Object) {
        self.objects.insert(r.num, object);
    }

    /// The object as this update will leave it.
    pub fn current(&self, r: ObjRef) -> Object {
        self.objects
            .get(&r.num)
            .cloned()
            .unwrap_or_else(|| self.document.get(r).clone())
    }

    /// The catalog's reference.
    pub fn root(&self) -> Result<ObjRef, PdfError> {
        self.document
            .trailer
            .get("Root")
            .and_then(Object::as_ref)
            .ok_or_else(|| PdfError::Writer("the trailer's /Root is not a reference".into()))
    }

    /// The first page (following /Kids from the page tree root).
    pub fn first_page(&self) -> Result<ObjRef, PdfError> {
        let catalog = self.current(self.root()?);
        let mut node = catalog
            .as_dict()
            .and_then(|c| c.get("Pages"))
            .and_then(Object::as_ref)
            .ok_or_else(|| PdfError::Writer("the catalog has no /Pages reference".into()))?;
        for _ in 0..32 {
            let object = self.current(node);
            let Some(d) = object.as_dict() else { break };
            if d.get("Type").and_then(Object::as_name) == Some("Page") {
                return Ok(node);
            }
            match d
                .get("Kids")
                .and_then(Object::as_array)
                .and_then(|k| k.first())
                .and_then(Object::as_ref)
            {
                Some(kid) => node = kid,
                None => break,
            }
        }
        Err(PdfError::Writer("no page found".into()))
    }

    /// The bytes of `base` followed by this update's objects, cross-reference table and trailer.
    pub fn finish(self) -> Vec<u8> {
        let mut out = self.base.to_vec();
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        let mut offsets = BTreeMap::new();
        for (num, object) in &self.objects {
            offsets.insert(*num, out.len());
            out.extend_from_slice(format!("{num} 0 obj\n").as_bytes());
            write_object(object, &mut out);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        out.extend_from_slice(b"xref\n");
        // Contiguous runs of object numbers, one subsection each.
        let nums: Vec<u32> = offsets.keys().copied().collect();
        let mut i = 0;
        while i < nums.len() {
            let mut j = i;
            while j + 1 < nums.len() && nums[j + 1] == nums[j] + 1 {
                j += 1;
            }
            out.extend_from_slice(format!("{} {}\n", nums[i], j - i + 1).as_bytes());
            for num in &nums[i..=j] {
                out.extend_from_slice(format!("{:010} 00000 n \n", offsets[num]).as_bytes());
            }
            i = j + 1;
        }
        let previous = self
            .document
            .sections
            .first()
            .map(|s| s.offset)
            .unwrap_or(0);
        let mut trailer = Dict::new();
        for key in ["Root", "Info", "ID"] {
            if let Some(v) = self.document.trailer.get(key) {
                trailer.insert(key.into(), v.clone());
            }
        }
        trailer.insert("Size".into(), Object::Integer(i64::from(self.next)));
        trailer.insert("Prev".into(), Object::Integer(previous as i64));
        out.extend_from_slice(b"trailer\n");
        write_object(&Object::Dictionary(trailer), &mut out);
        out.extend_from_slice(format!("\nstartxref\n{xref}\n%%EOF\n").as_bytes());
        out
    }

    /// Adds a signature field named `field` whose value is `signature` (a dictionary), with
    /// an invisible widget on the first page, and registers it in the AcroForm.
    fn add_signature_field(&mut self, field: &str, signature: ObjRef) -> Result<ObjRef, PdfError> {
        let page = self.first_page()?;
        let widget = self.add(Object::Dictionary(dict([
            ("FT", name("Sig")),
            ("T", Object::String(field.as_bytes().to_vec())),
            ("V", Object::Reference(signature)),
            ("Type", name("Annot")),
            ("Subtype", name("Widget")),
            ("Rect", Object::Array(vec![Object::Integer(0); 4])),
            // Print and Locked (Table 167): invisible, not to be moved.
            ("F", Object::Integer(132)),
            ("P", Object::Reference(page)),
        ])));
        // The page's /Annots grows by the widget.
        let mut page_dict = self
            .current(page)
            .as_dict()
            .cloned()
            .ok_or_else(|| PdfError::Writer("page is not a dictionary".into()))?;
        match page_dict.get("Annots").cloned() {
            Some(Object::Reference(r)) => {
                let mut annots = self
                    .current(r)
                    .as_array()
                    .map(<[Object]>::to_vec)
                    .unwrap_or_default();
                annots.push(Object::Reference(widget));
                self.replace(r, Object::Array(annots));
            }
            Some(Object::Array(mut annots)) => {
                annots.push(Object::Reference(widget));
                page_dict.insert("Annots".into(), Object::Array(annots));
                self.replace(page, Object::Dictionary(page_dict));
            }
            _ => {
                page_dict.insert(
                    "Annots".into(),
                    Object::Array(vec![Object::Reference(widget)]),
                );
                self.replace(page, Object::Dictionary(page_dict));
            }
        }
        // The AcroForm's /Fields grows by the field; SigFlags 3 (SignaturesExist, AppendOnly).
        let root = self.root()?;
        let mut catalog = self
            .current(root)
            .as_dict()
            .cloned()
            .ok_or_else(|| PdfError::Writer("catalog is not a dictionary".into()))?;
        match catalog.get("AcroForm").cloned() {
            Some(Object::Reference(form_ref)) => {
                let mut form = self
                    .current(form_ref)
                    .as_dict()
                    .cloned()
                    .unwrap_or_default();
                self.grow_fields(&mut form, widget);
                form.insert("SigFlags".into(), Object::Integer(3));
                self.replace(form_ref, Object::Dictionary(form));
            }
            Some(Object::Dictionary(mut form)) => {
                self.grow_fields(&mut form, widget);
                form.insert("SigFlags".into(), Object::Integer(3));
                catalog.insert("AcroForm".into(), Object::Dictionary(form));
                self.replace(root, Object::Dictionary(catalog));
            }
            _ => {
                let form = dict([
                    ("Fields", Object::Array(vec![Object::Reference(widget)])),
                    ("SigFlags", Object::Integer(3)),
                ]);
                catalog.insert("AcroForm".into(), Object::Dictionary(form));
                self.replace(root, Object::Dictionary(catalog));
            }
        }
        Ok(widget)
    }

    fn grow_fields(&mut self, form: &mut Dict, field: ObjRef) {
        match form.get("Fields").cloned() {
            Some(Object::Reference(r)) => {
                let mut fields = self
                    .current(r)
                    .as_array()
                    .map(<[Object]>::to_vec)
                    .unwrap_or_default();
                fields.push(Object::Reference(field));
                self.replace(r, Object::Array(fields));
            }
            Some(Object::Array(mut fields)) => {
                fields.push(Object::Reference(field));
                form.insert("Fields".into(), Object::Array(fields));
            }
            _ => {
                form.insert(
                    "Fields".into(),
                    Object::Array(vec![Object::Reference(field)]),
                );
            }
        }
    }
}

/// What to sign.
#[derive(Debug, Clone)]
pub struct SignatureRequest {
    pub field: String,
    pub kind: SignatureKind,
    /// `ETSI.CAdES.detached` for a PAdES signature, `ETSI.RFC3161` for a document time-stamp.
    pub sub_filter: String,
    /// /M, Unix seconds (a signature's claimed signing time; EN 319 142-1 clause 5.3).
    pub signing_time: Option<i64>,
    /// /Name, /Reason, /Location when wanted.
    pub signer_name: Option<String>,
    pub reason: Option<String>,
    pub location: Option<String>,
    /// Bytes reserved for the CMS (the hex placeholder holds twice as many digits).
    pub reserve: usize,
}

/// A PDF with a signature whose /ByteRange is filled and whose /Contents awaits the CMS.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub bytes: Vec<u8>,
    /// Offset and length of the `<…>` placeholder, delimiters included.
    pub contents: (usize, usize),
}

/// Width of each /ByteRange number slot: room for files up to 10^10 bytes.
const RANGE_SLOT: usize = 10;

impl Prepared {
    /// The bytes the signature covers: everything but the /Contents placeholder.
    pub fn to_be_signed(&self) -> Vec<u8> {
        let (start, len) = self.contents;
        let mut out = self.bytes[..start].to_vec();
        out.extend_from_slice(&self.bytes[start + len..]);
        out
    }

    /// Writes `der` (a CMS or a time-stamp token) into the placeholder.
    pub fn fill(mut self, der: &[u8]) -> Result<Vec<u8>, PdfError> {
        let (start, len) = self.contents;
        let digits = hex(der);
        if digits.len() > len - 2 {
            return Err(PdfError::Writer(format!(
                "the signature needs {} bytes, {} were reserved",
                der.len(),
                (len - 2) / 2
            )));
        }
        self.bytes[start + 1..start + 1 + digits.len()].copy_from_slice(digits.as_bytes());
        Ok(self.bytes)
    }
}

/// Adds a signature (or document time-stamp) field in an incremental update and fills the
/// /ByteRange; the caller signs [`Prepared::to_be_signed`] and calls [`Prepared::fill`].
pub fn prepare_signature(base: &[u8], request: &SignatureRequest) -> Result<Prepared, PdfError> {
    const PLACEHOLDER_RANGE: &str = "[0 ##########1 ##########2 ##########3]";
    let mut update = Update::new(base)?;
    let mut sig = dict([
        (
            "Type",
            name(match request.kind {
                SignatureKind::Signature => "Sig",
                SignatureKind::DocTimeStamp => "DocTimeStamp",
            }),
        ),
        ("Filter", name("Adobe.PPKLite")),
        ("SubFilter", name(&request.sub_filter)),
    ]);
    if let Some(t) = request.signing_time {
        sig.insert("M".into(), Object::String(pdf_date(t).into_bytes()));
    }
    for (key, value) in [
        ("Name", &request.signer_name),
        ("Reason", &request.reason),
        ("Location", &request.location),
    ] {
        if let Some(v) = value {
            sig.insert(key.into(), Object::String(v.as_bytes().to_vec()));
        }
    }
    // Markers the writer replaces once offsets are known: a name cannot collide with file
    // content elsewhere because the marker names are unique to this call.
    sig.insert("ByteRange".into(), name("AccordByteRangeMarker"));
    sig.insert("Contents".into(), name("AccordContentsMarker"));
    let sig_ref = update.add(Object::Dictionary(sig));
    update.add_signature_field(&request.field, sig_ref)?;
    let mut bytes = update.finish();
    let range_text = PLACEHOLDER_RANGE
        .replace("##########1", &" ".repeat(RANGE_SLOT))
        .replace("##########2", &" ".repeat(RANGE_SLOT))
        .replace("##########3", &" ".repeat(RANGE_SLOT));
    let placeholder = format!("<{}>", "0".repeat(request.reserve * 2));
    // Only the newest update can hold the markers; search from its start.
    let region = base.len();
    bytes = replace_once(
        bytes,
        region,
        b"/AccordByteRangeMarker",
        range_text.as_bytes(),
    )?;
    bytes = replace_once(
        bytes,
        region,
        b"/AccordContentsMarker",
        placeholder.as_bytes(),
    )?;
    // Replacing changed lengths after the markers: the xref offsets of later objects moved.
    // The signature dictionary is written first of the new objects only if its number is
    // the lowest; rather than rely on it, rebuild the offsets of the update.
    let bytes = fix_update_offsets(bytes, region)?;
    let start = super::object::find(&bytes[region..], placeholder.as_bytes())
        .map(|p| p + region)
        .ok_or_else(|| PdfError::Writer("placeholder lost".into()))?;
    let len = placeholder.len();
    let total = bytes.len();
    let range_at = super::object::find(&bytes[region..], range_text.as_bytes())
        .map(|p| p + region)
        .ok_or_else(|| PdfError::Writer("byte range lost".into()))?;
    let numbers = [start + len, total - (start + len)];
    let mut filled = format!(
        "[0 {:<w$} {:<w$} {:<w$}]",
        start,
        numbers[0],
        numbers[1],
        w = RANGE_SLOT
    );
    if filled.len() != range_text.len() {
        filled = format!("[0 {start} {} {}]", numbers[0], numbers[1]);
        if filled.len() > range_text.len() {
            return Err(PdfError::Writer(
                "file too large for the byte range slots".into(),
            ));
        }
        filled = format!("{filled:<w$}", w = range_text.len());
    }
    let mut bytes = bytes;
    bytes[range_at..range_at + range_text.len()].copy_from_slice(filled.as_bytes());
    Ok(Prepared {
        bytes,
        contents: (start, len),
    })
}

fn replace_once(
    bytes: Vec<u8>,
    from: usize,
    marker: &[u8],
    with: &[u8],
) -> Result<Vec<u8>, PdfError> {
    let at = super::object::find(&bytes[from..], marker)
        .map(|p| p + from)
        .ok_or_else(|| PdfError::Writer("marker not found".into()))?;
    let mut out = bytes[..at].to_vec();
    out.extend_from_slice(with);
    out.extend_from_slice(&bytes[at + marker.len()..]);
    Ok(out)
}

/// Rewrites the cross-reference table of the update that begins at `from` (the update's
/// objects moved when a marker was replaced by text of another length).
fn fix_update_offsets(bytes: Vec<u8>, from: usize) -> Result<Vec<u8>, PdfError> {
    use super::object::{Parser, rfind};
    let xref_at = rfind(&bytes[from..], b"\nxref\n")
        .map(|p| p + from + 1)
        .ok_or_else(|| PdfError::Writer("update without a table".into()))?;
    // Where each object of the update now starts.
    let mut offsets = BTreeMap::new();
    let mut parser = Parser::new(&bytes, from);
    while parser.pos < xref_at {
        parser.skip_space();
        if parser.pos >= xref_at {
            break;
        }
        let at = parser.pos;
        let (r, _) = parser.read_indirect(&|_| None)?;
        offsets.insert(r.num, at);
    }
    let table_end = super::object::find(&bytes[xref_at..], b"trailer")
        .map(|p| p + xref_at)
        .ok_or_else(|| PdfError::Writer("table without a trailer".into()))?;
    let mut table = b"xref\n".to_vec();
    let nums: Vec<u32> = offsets.keys().copied().collect();
    let mut i = 0;
    while i < nums.len() {
        let mut j = i;
        while j + 1 < nums.len() && nums[j + 1] == nums[j] + 1 {
            j += 1;
        }
        table.extend_from_slice(format!("{} {}\n", nums[i], j - i + 1).as_bytes());
        for num in &nums[i..=j] {
            table.extend_from_slice(format!("{:010} 00000 n \n", offsets[num]).as_bytes());
        }
        i = j + 1;
    }
    let mut out = bytes[..xref_at].to_vec();
    out.extend_from_slice(&table);
    // The table moved with the objects before it: startxref is written anew.
    let tail = &bytes[table_end..];
    let startxref = super::object::find(tail, b"startxref")
        .ok_or_else(|| PdfError::Writer("update without startxref".into()))?;
    out.extend_from_slice(&tail[..startxref]);
    out.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
    Ok(out)
}

/// Adds a Document Security Store (EN 319 142-1 clause 5.4.2) with `certs`, `ocsps` and
/// `crls` (DER), keyed in /VRI under each of `vri_keys` (upper-case hex SHA-1 of a
/// signature's /Contents), in an incremental update. An existing DSS is replaced by one
/// holding its old entries and the new ones.
pub fn add_dss(
    base: &[u8],
    certs: &[Vec<u8>],
    ocsps: &[Vec<u8>],
    crls: &[Vec<u8>],
    vri_keys: &[String],
) -> Result<Vec<u8>, PdfError> {
    let mut update = Update::new(base)?;
    let stream_refs = |update: &mut Update, items: &[Vec<u8>]| -> Vec<Object> {
        items
            .iter()
            .map(|der| {
                Object::Reference(update.add(Object::Stream(Stream {
                    dict: dict([("Filter", name("FlateDecode"))]),
                    raw: deflate(der),
                })))
            })
            .collect()
    };
    let certs = stream_refs(&mut update, certs);
    let ocsps = stream_refs(&mut update, ocsps);
    let crls = stream_refs(&mut update, crls);
    let root = update.root()?;
    let mut catalog = update
        .current(root)
        .as_dict()
        .cloned()
        .ok_or_else(|| PdfError::Writer("catalog is not a dictionary".into()))?;
    let old = catalog
        .get("DSS")
        .map(|d| update.document.resolve(d).clone())
        .and_then(|d| d.as_dict().cloned())
        .unwrap_or_default();
    let merged = |key: &str, new: Vec<Object>| -> Object {
        let mut all = old
            .get(key)
            .map(|a| update.document.resolve(a).clone())
            .and_then(|a| a.as_array().map(<[Object]>::to_vec))
            .unwrap_or_default();
        all.extend(new);
        Object::Array(all)
    };
    let mut dss = dict([("Type", name("DSS"))]);
    dss.insert("Certs".into(), merged("Certs", certs.clone()));
    dss.insert("OCSPs".into(), merged("OCSPs", ocsps.clone()));
    dss.insert("CRLs".into(), merged("CRLs", crls.clone()));
    let mut vri = old
        .get("VRI")
        .map(|v| update.document.resolve(v).clone())
        .and_then(|v| v.as_dict().cloned())
        .unwrap_or_default();
    for key in vri_keys {
        let mut entry = dict([("Cert", Object::Array(certs.clone()))]);
        if !ocsps.is_empty() {
            entry.insert("OCSP".into(), Object::Array(ocsps.clone()));
        }
        if !crls.is_empty() {
            entry.insert("CRL".into(), Object::Array(crls.clone()));
        }
        vri.insert(key.to_uppercase(), Object::Dictionary(entry));
    }
    if !vri.is_empty() {
        dss.insert("VRI".into(), Object::Dictionary(vri));
    }
    let dss_ref = update.add(Object::Dictionary(dss));
    catalog.insert("DSS".into(), Object::Reference(dss_ref));
    update.replace(root, Object::Dictionary(catalog));
    Ok(update.finish())
}

/// The fault: an incremental update after signing that replaces the first page's content
/// with `text` (what is shown is no longer what was signed).
pub fn change_page_text(base: &[u8], text: &str) -> Result<Vec<u8>, PdfError> {
    let mut update = Update::new(base)?;
    let page = update.first_page()?;
    let contents = update
        .current(page)
        .as_dict()
        .and_then(|d| d.get("Contents"))
        .and_then(Object::as_ref)
        .ok_or_else(|| PdfError::Writer("the page's /Contents is not a reference".into()))?;
    let mut line = b"BT /F1 14 Tf 72 500 Td ".to_vec();
    write_string(text.as_bytes(), &mut line);
    line.extend_from_slice(b" Tj ET\n");
    update.replace(
        contents,
        Object::Stream(Stream {
            dict: dict([("Filter", name("FlateDecode"))]),
            raw: deflate(&line),
        }),
    );
    Ok(update.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::pdf::signatures;

    #[test]
    fn a_transcript_is_a_second_page_and_the_first_keeps_its_number() {
        let pdf = certificate_pdf(&CertificateText {
            transcript: Some(vec!["Transcript of records".into(), "Algorithms  A".into()]),
            attachment: Some(b"{}".to_vec()),
            university: "Osaka Exemplar University".into(),
            graduate: "Hanako Yamada".into(),
            degree: "Master of Engineering".into(),
            conferred: 1_774_915_200,
        });
        let doc = Document::parse(&pdf).unwrap();
        let catalog = doc.catalog().unwrap();
        let pages = doc
            .lookup(catalog, "Pages")
            .and_then(Object::as_dict)
            .unwrap();
        assert_eq!(doc.lookup(pages, "Count").and_then(Object::as_int), Some(2));
        let kids = doc
            .lookup(pages, "Kids")
            .and_then(Object::as_array)
            .unwrap();
        assert_eq!(kids[0].as_ref().map(|r| r.num), Some(3));
        assert_eq!(kids.len(), 2);
    }

    pub(crate) fn sample() -> Vec<u8> {
        certificate_pdf(&CertificateText {
            transcript: None,
            attachment: None,
            university: "Osaka Exemplar University".into(),
            graduate: "Hanako Yamada".into(),
            degree: "Master of Engineering".into(),
            conferred: 1_774_915_200,
        })
    }

    #[test]
    fn the_certificate_reads_back() {
        let pdf = sample();
        let doc = Document::parse(&pdf).expect("parses");
        assert_eq!(doc.objects.len(), 6);
        let catalog = doc.catalog().expect("catalog");
        assert_eq!(
            catalog.get("Type").and_then(Object::as_name),
            Some("Catalog")
        );
        let content = doc
            .stream_data(
                &Object::Reference(ObjRef {
                    num: 5,
                    generation: 0,
                }),
                "content",
            )
            .expect("content");
        assert!(String::from_utf8_lossy(&content).contains("Hanako Yamada"));
        assert_eq!(sample(), pdf, "deterministic");
    }

    #[test]
    fn a_prepared_signature_covers_all_but_its_contents() {
        let pdf = sample();
        let prepared = prepare_signature(
            &pdf,
            &SignatureRequest {
                field: "Signature1".into(),
                kind: SignatureKind::Signature,
                sub_filter: "ETSI.CAdES.detached".into(),
                signing_time: Some(1_775_000_000),
                signer_name: None,
                reason: None,
                location: None,
                reserve: 64,
            },
        )
        .expect("prepared");
        let fake = [0x30u8, 0x03, 0x02, 0x01, 0x05];
        let signed = prepared.clone().fill(&fake).expect("fits");
        let doc = Document::parse(&signed).expect("parses");
        let sigs = signatures::signatures(&signed, &doc).expect("signatures");
        assert_eq!(sigs.len(), 1);
        let sig = &sigs[0];
        assert_eq!(sig.field_name, "Signature1");
        assert_eq!(sig.contents_der(), &fake);
        assert_eq!(sig.covered_end(), signed.len());
        assert_eq!(sig.revision, Some(1));
        assert_eq!(sig.signed_bytes(&signed), Some(prepared.to_be_signed()));
        assert_eq!(sig.signing_time.as_deref(), Some("D:20260331233320Z"));
        // Too large for the reservation: an error, not a truncation.
        assert!(prepared.fill(&[0u8; 65]).is_err());
    }

    #[test]
    fn a_dss_update_reads_back() {
        let pdf = sample();
        let with_dss = add_dss(
            &pdf,
            &[vec![0x30, 0x00]],
            &[],
            &[vec![0x30, 0x01, 0x00]],
            &["ABCD".into()],
        )
        .expect("dss");
        let doc = Document::parse(&with_dss).expect("parses");
        let dss = signatures::dss(&doc).expect("dss").expect("present");
        assert_eq!(dss.certs, vec![vec![0x30, 0x00]]);
        assert_eq!(dss.crls.len(), 1);
        assert_eq!(dss.vri.get("ABCD"), Some(&(1, 0, 1)));
    }
}
