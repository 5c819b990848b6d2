//! A PDF file's structure (ISO 32000-2 clause 7.5): the cross-reference sections (tables and
//! streams, with their /Prev chain and a hybrid file's /XRefStm), the objects they locate
//! (in the file or inside object streams), the trailer, and the revisions an incremental
//! update (clause 7.5.6) leaves: each one ends at an `%%EOF`.
//!
//! Reading is eager and bounded: every object the newest cross-reference names is parsed once
//! into [`Document::objects`], so change analysis can compare two revisions object by object.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::PdfError;
use super::filters;
use super::object::{Dict, ObjRef, Object, Parser, Stream, find, rfind};

/// The most cross-reference sections a /Prev chain may hold.
pub const MAX_SECTIONS: usize = 1024;
/// The most objects one document may declare.
pub const MAX_OBJECTS: usize = 1_000_000;
/// The most revisions (incremental updates) analysed.
pub const MAX_REVISIONS: usize = 256;
/// How many references in a row may be followed to reach an object.
const MAX_INDIRECTION: usize = 32;

/// Where the cross-reference says an object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XrefEntry {
    Free,
    InFile { offset: usize, generation: u16 },
    InStream { stream: u32, index: u32 },
}

/// One cross-reference section and its trailer.
#[derive(Debug, Clone, PartialEq)]
pub struct XrefSection {
    /// Byte offset of the section (`xref` keyword or the stream object).
    pub offset: usize,
    pub entries: BTreeMap<u32, XrefEntry>,
    /// The trailer dictionary (or the cross-reference stream's dictionary).
    pub trailer: Dict,
}

/// A parsed PDF: the newest view of every object.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The file's length in bytes.
    pub len: usize,
    /// The newest trailer.
    pub trailer: Dict,
    /// Every object in use, by object number, as the newest cross-reference defines it.
    pub objects: BTreeMap<u32, Object>,
    /// The cross-reference sections, newest first.
    pub sections: Vec<XrefSection>,
}

fn structure(offset: usize, message: impl Into<String>) -> PdfError {
    PdfError::Structure {
        offset,
        message: message.into(),
    }
}

impl Document {
    /// Parses `bytes` as a whole PDF file.
    pub fn parse(bytes: &[u8]) -> Result<Self, PdfError> {
        let head = &bytes[..bytes.len().min(1024)];
        if find(head, b"%PDF-").is_none() {
            return Err(structure(0, "no `%PDF-` header in the first 1024 bytes"));
        }
        let start = startxref(bytes)?;
        let sections = read_sections(bytes, start)?;
        let trailer = sections
            .first()
            .map(|s| s.trailer.clone())
            .ok_or_else(|| structure(start, "no cross-reference section"))?;
        // The newest definition of each object wins.
        let mut entries: BTreeMap<u32, XrefEntry> = BTreeMap::new();
        for section in &sections {
            for (num, entry) in &section.entries {
                entries.entry(*num).or_insert(*entry);
            }
            if entries.len() > MAX_OBJECTS {
                return Err(structure(
                    section.offset,
                    format!("more than {MAX_OBJECTS} objects"),
                ));
            }
        }
        let objects = load_objects(bytes, &entries)?;
        Ok(Self {
            len: bytes.len(),
            trailer,
            objects,
            sections,
        })
    }

    /// The object a reference points to (`Null` when it points nowhere, as ISO 32000-2
    /// 7.3.10 says of a reference to an undefined object).
    pub fn get(&self, r: ObjRef) -> &Object {
        self.objects.get(&r.num).unwrap_or(&Object::Null)
    }

    /// Follows references until a direct object.
    pub fn resolve<'a>(&'a self, mut object: &'a Object) -> &'a Object {
        for _ in 0..MAX_INDIRECTION {
            match object {
                Object::Reference(r) => object = self.get(*r),
                _ => return object,
            }
        }
        &Object::Null
    }

    /// A dictionary entry, references followed.
    pub fn lookup<'a>(&'a self, dict: &'a Dict, key: &str) -> Option<&'a Object> {
        dict.get(key)
            .map(|o| self.resolve(o))
            .filter(|o| **o != Object::Null)
    }

    /// The document catalog (trailer /Root).
    pub fn catalog(&self) -> Result<&Dict, PdfError> {
        self.lookup(&self.trailer, "Root")
            .and_then(Object::as_dict)
            .ok_or_else(|| structure(self.len, "the trailer has no /Root catalog dictionary"))
    }

    /// A stream's decoded bytes.
    pub fn stream_data(&self, object: &Object, what: &str) -> Result<Vec<u8>, PdfError> {
        match self.resolve(object) {
            Object::Stream(s) => filters::decode(s, what),
            other => Err(PdfError::Stream {
                what: what.into(),
                message: format!("expected a stream, found a {}", other.kind()),
            }),
        }
    }
}

/// The offset after the last `startxref`.
fn startxref(bytes: &[u8]) -> Result<usize, PdfError> {
    let tail_start = bytes.len().saturating_sub(4096);
    let at = rfind(&bytes[tail_start..], b"startxref")
        .map(|p| p + tail_start)
        .ok_or_else(|| structure(bytes.len(), "no `startxref` in the last 4096 bytes"))?;
    let mut parser = Parser::new(bytes, at + b"startxref".len());
    let offset = parser.read_unsigned()?;
    usize::try_from(offset)
        .ok()
        .filter(|o| *o < bytes.len())
        .ok_or_else(|| structure(at, format!("startxref {offset} points outside the file")))
}

fn read_sections(bytes: &[u8], start: usize) -> Result<Vec<XrefSection>, PdfError> {
    let mut sections = Vec::new();
    let mut visited = BTreeSet::new();
    let mut next = Some(start);
    while let Some(offset) = next {
        if !visited.insert(offset) {
            return Err(structure(offset, "the /Prev chain loops"));
        }
        if sections.len() >= MAX_SECTIONS {
            return Err(structure(
                offset,
                format!("more than {MAX_SECTIONS} cross-reference sections"),
            ));
        }
        let mut section = read_section(bytes, offset)?;
        // A hybrid file (clause 7.5.8.4): the table's trailer points at a stream holding the
        // objects stored in object streams; the table's own entries take precedence.
        if let Some(Object::Integer(stm)) = section.trailer.get("XRefStm") {
            let stm = usize::try_from(*stm)
                .ok()
                .filter(|o| *o < bytes.len())
                .ok_or_else(|| structure(offset, "/XRefStm points outside the file"))?;
            let hidden = read_section(bytes, stm)?;
            for (num, entry) in hidden.entries {
                section.entries.entry(num).or_insert(entry);
            }
        }
        next = match section.trailer.get("Prev") {
            None => None,
            Some(Object::Integer(p)) => Some(
                usize::try_from(*p)
                    .ok()
                    .filter(|o| *o < bytes.len())
                    .ok_or_else(|| {
                        structure(offset, format!("/Prev {p} points outside the file"))
                    })?,
            ),
            Some(other) => return Err(structure(offset, format!("/Prev is a {}", other.kind()))),
        };
        sections.push(section);
    }
    Ok(sections)
}

fn read_section(bytes: &[u8], offset: usize) -> Result<XrefSection, PdfError> {
    let mut parser = Parser::new(bytes, offset);
    parser.skip_space();
    if bytes[parser.pos..].starts_with(b"xref") {
        read_table(bytes, parser.pos)
    } else {
        read_xref_stream(bytes, offset)
    }
}

/// A classic table (clause 7.5.4) and its trailer (7.5.5).
fn read_table(bytes: &[u8], offset: usize) -> Result<XrefSection, PdfError> {
    let mut parser = Parser::new(bytes, offset);
    parser.expect_keyword("xref")?;
    let mut entries = BTreeMap::new();
    loop {
        parser.skip_space();
        if bytes[parser.pos..].starts_with(b"trailer") {
            parser.expect_keyword("trailer")?;
            let trailer = match parser.read_object(0)? {
                Object::Dictionary(d) => d,
                other => return Err(parser.error(format!("trailer is a {}", other.kind()))),
            };
            return Ok(XrefSection {
                offset,
                entries,
                trailer,
            });
        }
        let first = parser.read_unsigned()?;
        let count = parser.read_unsigned()?;
        // Each entry takes 20 bytes: a count beyond what is left is a lie.
        if count > ((bytes.len() - parser.pos) / 18) as u64 || first + count > u64::from(u32::MAX) {
            return Err(parser.error(format!(
                "subsection of {count} entries does not fit the file"
            )));
        }
        for i in 0..count {
            let field1 = parser.read_unsigned()?;
            let generation = parser.read_unsigned()?;
            parser.skip_space();
            let kind = bytes.get(parser.pos).copied();
            parser.pos += 1;
            let num = (first + i) as u32;
            let entry = match kind {
                Some(b'n') => XrefEntry::InFile {
                    offset: usize::try_from(field1).unwrap_or(usize::MAX),
                    generation: u16::try_from(generation).unwrap_or(u16::MAX),
                },
                Some(b'f') => XrefEntry::Free,
                _ => return Err(parser.error("cross-reference entry is neither `n` nor `f`")),
            };
            entries.insert(num, entry);
        }
    }
}

/// A cross-reference stream (clause 7.5.8).
fn read_xref_stream(bytes: &[u8], offset: usize) -> Result<XrefSection, PdfError> {
    let mut parser = Parser::new(bytes, offset);
    let (r, object) = parser.read_indirect(&|_| None)?;
    let Object::Stream(stream) = object else {
        return Err(structure(
            offset,
            "expected `xref` or a cross-reference stream",
        ));
    };
    if stream.dict.get("Type").and_then(Object::as_name) != Some("XRef") {
        return Err(structure(
            offset,
            "the object at the cross-reference offset is not /Type /XRef",
        ));
    }
    let data = filters::decode(&stream, &format!("cross-reference stream {}", r.num))?;
    let widths: Vec<usize> = stream
        .dict
        .get("W")
        .and_then(Object::as_array)
        .map(|w| {
            w.iter()
                .map(|x| x.as_int().and_then(|v| usize::try_from(v).ok()))
                .collect()
        })
        .and_then(|w: Option<Vec<usize>>| w)
        .filter(|w| w.len() == 3 && w.iter().all(|x| *x <= 8))
        .ok_or_else(|| structure(offset, "/W must be three widths of at most 8 bytes"))?;
    let size = stream
        .dict
        .get("Size")
        .and_then(Object::as_int)
        .unwrap_or(0);
    let index: Vec<i64> = match stream.dict.get("Index").and_then(Object::as_array) {
        Some(a) => a.iter().map(|x| x.as_int().unwrap_or(-1)).collect(),
        None => vec![0, size],
    };
    if !index.len().is_multiple_of(2) || index.iter().any(|x| *x < 0 || *x > i64::from(u32::MAX)) {
        return Err(structure(
            offset,
            "/Index must be pairs of non-negative integers",
        ));
    }
    let row: usize = widths.iter().sum();
    if row == 0 {
        return Err(structure(offset, "/W sums to zero"));
    }
    let field = |slice: &[u8]| slice.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let mut rows = data.chunks_exact(row);
    let mut entries = BTreeMap::new();
    for pair in index.chunks(2) {
        let (first, count) = (pair[0] as u64, pair[1] as u64);
        for i in 0..count {
            let Some(bytes) = rows.next() else {
                return Err(structure(
                    offset,
                    "cross-reference stream shorter than its /Index",
                ));
            };
            let (a, rest) = bytes.split_at(widths[0]);
            let (b, c) = rest.split_at(widths[1]);
            // A missing type field means type 1 (clause 7.5.8.2, Table 17).
            let kind = if widths[0] == 0 { 1 } else { field(a) };
            let num = u32::try_from(first + i)
                .map_err(|_| structure(offset, "object number out of range"))?;
            let entry = match kind {
                0 => XrefEntry::Free,
                1 => XrefEntry::InFile {
                    offset: usize::try_from(field(b)).unwrap_or(usize::MAX),
                    generation: u16::try_from(field(c)).unwrap_or(u16::MAX),
                },
                2 => XrefEntry::InStream {
                    stream: u32::try_from(field(b)).unwrap_or(u32::MAX),
                    index: u32::try_from(field(c)).unwrap_or(u32::MAX),
                },
                // Unknown types are to be read as null references (Table 17).
                _ => XrefEntry::Free,
            };
            entries.insert(num, entry);
        }
    }
    Ok(XrefSection {
        offset,
        entries,
        trailer: stream.dict,
    })
}

fn load_objects(
    bytes: &[u8],
    entries: &BTreeMap<u32, XrefEntry>,
) -> Result<BTreeMap<u32, Object>, PdfError> {
    // A /Length given by reference: the integer object the cross-reference points to.
    let length_of = |r: ObjRef| -> Option<i64> {
        match entries.get(&r.num)? {
            XrefEntry::InFile { offset, .. } if *offset < bytes.len() => {
                let mut p = Parser::new(bytes, *offset);
                p.read_indirect(&|_| None).ok()?.1.as_int()
            }
            _ => None,
        }
    };
    let mut objects = BTreeMap::new();
    let mut object_streams: HashMap<u32, Vec<(u32, Object)>> = HashMap::new();
    for (num, entry) in entries {
        match entry {
            XrefEntry::Free => {}
            XrefEntry::InFile { offset, .. } => {
                if *num == 0 {
                    continue;
                }
                if *offset >= bytes.len() {
                    return Err(structure(
                        *offset,
                        format!("object {num} is said to lie outside the file"),
                    ));
                }
                let mut parser = Parser::new(bytes, *offset);
                let (r, object) = parser.read_indirect(&length_of)?;
                if r.num != *num {
                    return Err(structure(
                        *offset,
                        format!(
                            "the cross-reference says object {num} is here, the file has object {}",
                            r.num
                        ),
                    ));
                }
                objects.insert(*num, object);
            }
            XrefEntry::InStream { stream, index } => {
                if !object_streams.contains_key(stream) {
                    let decoded = read_object_stream(bytes, entries, *stream, &length_of)?;
                    object_streams.insert(*stream, decoded);
                }
                let members = &object_streams[stream];
                let found = members
                    .get(*index as usize)
                    .filter(|(n, _)| n == num)
                    .or_else(|| members.iter().find(|(n, _)| n == num))
                    .ok_or_else(|| {
                        structure(0, format!("object {num} is not in object stream {stream}"))
                    })?;
                objects.insert(*num, found.1.clone());
            }
        }
    }
    Ok(objects)
}

/// The objects of an object stream (clause 7.5.7), in order.
fn read_object_stream(
    bytes: &[u8],
    entries: &BTreeMap<u32, XrefEntry>,
    num: u32,
    length_of: &dyn Fn(ObjRef) -> Option<i64>,
) -> Result<Vec<(u32, Object)>, PdfError> {
    let Some(XrefEntry::InFile { offset, .. }) = entries.get(&num) else {
        return Err(structure(
            0,
            format!("object stream {num} is not an object in the file"),
        ));
    };
    if *offset >= bytes.len() {
        return Err(structure(
            *offset,
            format!("object stream {num} lies outside the file"),
        ));
    }
    let (_, object) = Parser::new(bytes, *offset).read_indirect(length_of)?;
    let Object::Stream(stream) = object else {
        return Err(structure(*offset, format!("object {num} is not a stream")));
    };
    parse_object_stream(&stream, num, *offset)
}

fn parse_object_stream(
    stream: &Stream,
    num: u32,
    offset: usize,
) -> Result<Vec<(u32, Object)>, PdfError> {
    if stream.dict.get("Type").and_then(Object::as_name) != Some("ObjStm") {
        return Err(structure(
            offset,
            format!("object {num} is not /Type /ObjStm"),
        ));
    }
    let data = filters::decode(stream, &format!("object stream {num}"))?;
    let n = stream.dict.get("N").and_then(Object::as_int).unwrap_or(-1);
    let first = stream
        .dict
        .get("First")
        .and_then(Object::as_int)
        .unwrap_or(-1);
    if n < 0 || first < 0 || first as u64 > data.len() as u64 || n as u64 > data.len() as u64 {
        return Err(structure(
            offset,
            format!("object stream {num}: bad /N or /First"),
        ));
    }
    let mut header = Parser::in_object_stream(&data, 0, num);
    let mut members = Vec::with_capacity(n as usize);
    let mut positions = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let object_num = header.read_unsigned()?;
        let at = header.read_unsigned()?;
        positions.push((
            u32::try_from(object_num).map_err(|_| header.error("object number out of range"))?,
            at,
        ));
    }
    for (object_num, at) in positions {
        let pos = (first as u64).saturating_add(at);
        if pos >= data.len() as u64 {
            return Err(header.error(format!(
                "object {object_num} lies outside the object stream"
            )));
        }
        let mut parser = Parser::in_object_stream(&data, pos as usize, num);
        members.push((object_num, parser.read_object(0)?));
    }
    Ok(members)
}

/// Where each revision ends: after each `%%EOF` (and its end-of-line) that closes a
/// cross-reference section of the /Prev chain, oldest first (clause 7.5.6).
pub fn revision_ends(bytes: &[u8], document: &Document) -> Vec<usize> {
    let mut ends: Vec<usize> = document
        .sections
        .iter()
        .filter_map(|s| {
            let at = s.offset + find(&bytes[s.offset..], b"%%EOF")?;
            let mut end = at + 5;
            if bytes.get(end) == Some(&b'\r') {
                end += 1;
            }
            if bytes.get(end) == Some(&b'\n') {
                end += 1;
            }
            Some(end)
        })
        .collect();
    ends.sort_unstable();
    ends.dedup();
    ends.truncate(MAX_REVISIONS);
    ends
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_what_is_not_a_pdf() {
        let err = Document::parse(b"hello").expect_err("not a PDF");
        assert!(err.to_string().contains("%PDF-"), "{err}");
        let err = Document::parse(b"%PDF-1.7\nstartxref\n999999\n%%EOF\n").expect_err("bad offset");
        assert!(err.to_string().contains("outside the file"), "{err}");
    }

    #[test]
    fn a_looping_prev_chain_is_an_error() {
        let text = b"%PDF-1.7\nxref\n0 1\n0000000000 65535 f \ntrailer << /Size 1 /Prev 9 >>\nstartxref\n9\n%%EOF\n";
        let err = Document::parse(text).expect_err("loop");
        assert!(err.to_string().contains("loops"), "{err}");
    }
}
