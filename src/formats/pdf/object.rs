//! PDF objects (ISO 32000-2 clause 7.3) and the bounded parser that reads them from bytes.
//!
//! The parser owns the lexical layer only: tokens, direct objects, `N G obj … endobj` with an
//! optional stream. Which object lives where (cross-reference tables, object streams) is
//! [`super::document`]'s. Every nesting level and every count is bounded, and every error
//! names the byte offset where reading stopped.

use std::collections::BTreeMap;

use super::PdfError;

/// How deep arrays and dictionaries may nest: real signed PDFs stay under ten.
pub const MAX_DEPTH: usize = 64;
/// The longest string, name or number token read, in bytes (a /Contents placeholder of a
/// signature with a long chain and revocation data stays far below).
pub const MAX_TOKEN: usize = 4 * 1024 * 1024;

/// An indirect reference `N G R`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjRef {
    pub num: u32,
    pub generation: u16,
}

/// A dictionary: keys are names without the slash, `#xx` escapes decoded.
pub type Dict = BTreeMap<String, Object>;

/// A stream object: its dictionary and its raw (still encoded) bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Stream {
    pub dict: Dict,
    pub raw: Vec<u8>,
}

/// One PDF object.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    Null,
    Bool(bool),
    Integer(i64),
    Real(f64),
    /// A literal or hexadecimal string, decoded to its bytes.
    String(Vec<u8>),
    /// A name without the slash.
    Name(String),
    Array(Vec<Object>),
    Dictionary(Dict),
    Stream(Stream),
    Reference(ObjRef),
}

impl Object {
    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Object::Dictionary(d) => Some(d),
            Object::Stream(s) => Some(&s.dict),
            _ => None,
        }
    }

    pub fn as_name(&self) -> Option<&str> {
        match self {
            Object::Name(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Object::Integer(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Object]> {
        match self {
            Object::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_string(&self) -> Option<&[u8]> {
        match self {
            Object::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_ref(&self) -> Option<ObjRef> {
        match self {
            Object::Reference(r) => Some(*r),
            _ => None,
        }
    }

    /// The kind of object, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Object::Null => "null",
            Object::Bool(_) => "boolean",
            Object::Integer(_) => "integer",
            Object::Real(_) => "real",
            Object::String(_) => "string",
            Object::Name(_) => "name",
            Object::Array(_) => "array",
            Object::Dictionary(_) => "dictionary",
            Object::Stream(_) => "stream",
            Object::Reference(_) => "reference",
        }
    }
}

/// Whether `b` is PDF white-space (ISO 32000-2 Table 1).
pub fn is_whitespace(b: u8) -> bool {
    matches!(b, 0 | 9 | 10 | 12 | 13 | 32)
}

/// Whether `b` is a PDF delimiter (ISO 32000-2 Table 2).
pub fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(b: u8) -> bool {
    !is_whitespace(b) && !is_delimiter(b)
}

/// Reads objects from `data`, starting at `pos`. Offsets in errors are absolute (`base` is
/// added when `data` is a slice of a larger buffer, e.g. a decoded object stream, where it is
/// the stream's own object offset).
pub struct Parser<'a> {
    data: &'a [u8],
    pub pos: usize,
    /// What the offsets refer to, for errors: `file` or `object stream 12`.
    origin: String,
}

impl<'a> Parser<'a> {
    pub fn new(data: &'a [u8], pos: usize) -> Self {
        Self {
            data,
            pos,
            origin: "file".into(),
        }
    }

    /// A parser over a decoded object stream: errors name it.
    pub fn in_object_stream(data: &'a [u8], pos: usize, stream: u32) -> Self {
        Self {
            data,
            pos,
            origin: format!("object stream {stream}"),
        }
    }

    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    pub fn error(&self, what: impl Into<String>) -> PdfError {
        PdfError::Syntax {
            offset: self.pos,
            origin: self.origin.clone(),
            message: what.into(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    /// Skips white-space and comments.
    pub fn skip_space(&mut self) {
        while let Some(b) = self.peek() {
            if is_whitespace(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// The next run of regular characters (a keyword or number), without consuming it.
    fn peek_word(&self) -> &'a [u8] {
        let start = self.pos;
        let mut end = start;
        while end < self.data.len() && is_regular(self.data[end]) && end - start < MAX_TOKEN {
            end += 1;
        }
        &self.data[start..end]
    }

    /// Consumes `word` (after white-space) or fails naming what was expected.
    pub fn expect_keyword(&mut self, word: &str) -> Result<(), PdfError> {
        self.skip_space();
        if self.peek_word() == word.as_bytes() {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.error(format!("expected `{word}`")))
        }
    }

    /// Reads an unsigned integer token (cross-reference sections, `N G obj` headers).
    pub fn read_unsigned(&mut self) -> Result<u64, PdfError> {
        self.skip_space();
        let word = self.peek_word();
        if word.is_empty() || word.len() > 19 || !word.iter().all(u8::is_ascii_digit) {
            return Err(self.error("expected an unsigned integer"));
        }
        let text = std::str::from_utf8(word).map_err(|_| self.error("bad integer"))?;
        let value = text
            .parse::<u64>()
            .map_err(|_| self.error("integer out of range"))?;
        self.pos += word.len();
        Ok(value)
    }

    /// Reads one direct object. A reference `N G R` is recognised by looking ahead.
    pub fn read_object(&mut self, depth: usize) -> Result<Object, PdfError> {
        if depth > MAX_DEPTH {
            return Err(self.error(format!("objects nested deeper than {MAX_DEPTH}")));
        }
        self.skip_space();
        let Some(b) = self.peek() else {
            return Err(self.error("unexpected end of data, expected an object"));
        };
        match b {
            b'/' => self.read_name().map(Object::Name),
            b'(' => self.read_literal_string().map(Object::String),
            b'<' => {
                if self.data.get(self.pos + 1) == Some(&b'<') {
                    self.read_dict(depth).map(Object::Dictionary)
                } else {
                    self.read_hex_string().map(Object::String)
                }
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_space();
                    match self.peek() {
                        None => return Err(self.error("unterminated array")),
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Object::Array(items));
                        }
                        Some(_) => items.push(self.read_object(depth + 1)?),
                    }
                }
            }
            b'+' | b'-' | b'.' | b'0'..=b'9' => self.read_number_or_ref(),
            _ => {
                let word = self.peek_word();
                let object = match word {
                    b"true" => Object::Bool(true),
                    b"false" => Object::Bool(false),
                    b"null" => Object::Null,
                    _ => {
                        return Err(self.error(format!(
                            "unexpected `{}`",
                            String::from_utf8_lossy(&word[..word.len().min(20)])
                        )));
                    }
                };
                self.pos += word.len();
                Ok(object)
            }
        }
    }

    fn read_dict(&mut self, depth: usize) -> Result<Dict, PdfError> {
        self.pos += 2;
        let mut dict = Dict::new();
        loop {
            self.skip_space();
            match self.peek() {
                None => return Err(self.error("unterminated dictionary")),
                Some(b'>') => {
                    if self.data.get(self.pos + 1) == Some(&b'>') {
                        self.pos += 2;
                        return Ok(dict);
                    }
                    return Err(self.error("expected `>>`"));
                }
                Some(b'/') => {
                    let key = self.read_name()?;
                    let value = self.read_object(depth + 1)?;
                    // ISO 32000-2 7.3.7: a null value is the same as an absent entry.
                    if value != Object::Null {
                        dict.insert(key, value);
                    }
                }
                Some(_) => return Err(self.error("expected a name as dictionary key")),
            }
        }
    }

    fn read_name(&mut self) -> Result<String, PdfError> {
        self.pos += 1; // the slash
        let mut bytes = Vec::new();
        while let Some(b) = self.peek() {
            if !is_regular(b) {
                break;
            }
            if bytes.len() >= MAX_TOKEN {
                return Err(self.error("name too long"));
            }
            if b == b'#' {
                let hex = self
                    .data
                    .get(self.pos + 1..self.pos + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        bytes.push(v);
                        self.pos += 3;
                    }
                    None => return Err(self.error("bad #xx escape in name")),
                }
            } else {
                bytes.push(b);
                self.pos += 1;
            }
        }
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn read_literal_string(&mut self) -> Result<Vec<u8>, PdfError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        let mut nesting = 1usize;
        loop {
            if out.len() > MAX_TOKEN {
                return Err(self.error("string too long"));
            }
            let Some(b) = self.peek() else {
                self.pos = start;
                return Err(self.error("unterminated literal string"));
            };
            self.pos += 1;
            match b {
                b'(' => {
                    nesting += 1;
                    out.push(b);
                }
                b')' => {
                    nesting -= 1;
                    if nesting == 0 {
                        return Ok(out);
                    }
                    out.push(b);
                }
                b'\\' => {
                    let Some(e) = self.peek() else { continue };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xff) as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(b),
            }
        }
    }

    fn read_hex_string(&mut self) -> Result<Vec<u8>, PdfError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        loop {
            let Some(b) = self.peek() else {
                self.pos = start;
                return Err(self.error("unterminated hexadecimal string"));
            };
            self.pos += 1;
            if b == b'>' {
                if let Some(h) = high {
                    out.push(h << 4);
                }
                return Ok(out);
            }
            if is_whitespace(b) {
                continue;
            }
            let v = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => {
                    self.pos -= 1;
                    return Err(self.error("non-hexadecimal character in hex string"));
                }
            };
            match high.take() {
                None => high = Some(v),
                Some(h) => out.push((h << 4) | v),
            }
            if out.len() > MAX_TOKEN {
                return Err(self.error("hex string too long"));
            }
        }
    }

    fn read_number_or_ref(&mut self) -> Result<Object, PdfError> {
        let first = self.read_number()?;
        // `N G R`: two unsigned integers then the keyword R.
        if let Object::Integer(num) = first {
            let save = self.pos;
            self.skip_space();
            let word = self.peek_word();
            if !word.is_empty() && word.iter().all(u8::is_ascii_digit) && word.len() <= 5 {
                let generation_pos = self.pos;
                self.pos += word.len();
                self.skip_space();
                if self.peek_word() == b"R" {
                    let generation: u32 = std::str::from_utf8(word)
                        .ok()
                        .and_then(|w| w.parse().ok())
                        .unwrap_or(u32::MAX);
                    let (Ok(num), Ok(generation)) = (u32::try_from(num), u16::try_from(generation))
                    else {
                        self.pos = generation_pos;
                        return Err(self.error("reference number out of range"));
                    };
                    self.pos += 1;
                    return Ok(Object::Reference(ObjRef { num, generation }));
                }
            }
            self.pos = save;
        }
        Ok(first)
    }

    fn read_number(&mut self) -> Result<Object, PdfError> {
        let word = self.peek_word();
        if word.len() > 64 {
            return Err(self.error("number too long"));
        }
        let text = std::str::from_utf8(word).map_err(|_| self.error("bad number"))?;
        let object = if text.contains('.') {
            // A real: PDF allows `.5`, `-.5`, `5.`; Rust's parser accepts those.
            text.parse::<f64>()
                .map(Object::Real)
                .map_err(|_| self.error(format!("bad real `{text}`")))?
        } else {
            text.parse::<i64>()
                .map(Object::Integer)
                .map_err(|_| self.error(format!("bad integer `{text}`")))?
        };
        self.pos += word.len();
        Ok(object)
    }

    /// Reads `N G obj <object> [stream … endstream] endobj` at the current position. A
    /// stream's `/Length` that is a reference is asked of `length_of`.
    pub fn read_indirect(
        &mut self,
        length_of: &dyn Fn(ObjRef) -> Option<i64>,
    ) -> Result<(ObjRef, Object), PdfError> {
        let num = self.read_unsigned()?;
        let generation = self.read_unsigned()?;
        let (Ok(num), Ok(generation)) = (u32::try_from(num), u16::try_from(generation)) else {
            return Err(self.error("object number out of range"));
        };
        self.expect_keyword("obj")?;
        let object = self.read_object(0)?;
        self.skip_space();
        let object = if self.peek_word() == b"stream" {
            let Object::Dictionary(dict) = object else {
                return Err(self.error("`stream` after an object that is not a dictionary"));
            };
            self.pos += b"stream".len();
            // ISO 32000-2 7.3.8.1: the keyword is followed by CRLF or LF.
            if self.peek() == Some(b'\r') {
                self.pos += 1;
            }
            if self.peek() == Some(b'\n') {
                self.pos += 1;
            }
            let length = match dict.get("Length") {
                Some(Object::Integer(n)) => Some(*n),
                Some(Object::Reference(r)) => length_of(*r),
                _ => None,
            };
            let start = self.pos;
            let raw = match length {
                Some(n) if n >= 0 && (n as u64) <= (self.data.len() - start) as u64 => {
                    let end = start + n as usize;
                    let mut after = Parser::new(self.data, end);
                    after.skip_space();
                    if after.peek_word() == b"endstream" {
                        self.pos = end;
                        self.data[start..end].to_vec()
                    } else {
                        self.scan_endstream(start)?
                    }
                }
                _ => self.scan_endstream(start)?,
            };
            self.expect_keyword("endstream")?;
            Object::Stream(Stream { dict, raw })
        } else {
            object
        };
        self.expect_keyword("endobj")?;
        Ok((ObjRef { num, generation }, object))
    }

    /// A /Length that is missing or wrong: the data ends before the next `endstream`
    /// (and the end-of-line that precedes it).
    fn scan_endstream(&mut self, start: usize) -> Result<Vec<u8>, PdfError> {
        let Some(found) = find(&self.data[start..], b"endstream") else {
            return Err(self.error("stream without `endstream`"));
        };
        let mut end = start + found;
        if end > start && self.data[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && self.data[end - 1] == b'\r' {
            end -= 1;
        }
        self.pos = end;
        Ok(self.data[start..end].to_vec())
    }
}

/// The first position of `needle` in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The last position of `needle` in `haystack`.
pub fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Object, PdfError> {
        Parser::new(text.as_bytes(), 0).read_object(0)
    }

    #[test]
    fn reads_the_basic_objects() {
        assert_eq!(parse("42").ok(), Some(Object::Integer(42)));
        assert_eq!(parse("-1.5").ok(), Some(Object::Real(-1.5)));
        assert_eq!(parse("/A#20B").ok(), Some(Object::Name("A B".into())));
        assert_eq!(
            parse("(a\\(b\\)\\101\\\nc)").ok(),
            Some(Object::String(b"a(b)Ac".to_vec()))
        );
        assert_eq!(
            parse("<48 65 6C6C6F 7>").ok(),
            Some(Object::String(b"Hellop".to_vec()))
        );
        assert_eq!(
            parse("[1 0 R 2 /X]").ok(),
            Some(Object::Array(vec![
                Object::Reference(ObjRef {
                    num: 1,
                    generation: 0
                }),
                Object::Integer(2),
                Object::Name("X".into()),
            ]))
        );
        let dict = parse("<< /Type /Sig /ByteRange [0 1 2 3] /Null null >>").expect("dict");
        let dict = dict.as_dict().expect("a dictionary");
        assert_eq!(dict.get("Type"), Some(&Object::Name("Sig".into())));
        assert!(!dict.contains_key("Null"));
    }

    #[test]
    fn errors_name_the_offset() {
        let Err(PdfError::Syntax { offset, .. }) = parse("<< /A (unterminated >>") else {
            panic!("an unterminated string must fail");
        };
        assert_eq!(offset, 6);
        assert!(parse("<< /A 1").is_err());
        assert!(parse("<zz>").is_err());
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = "[".repeat(MAX_DEPTH + 5);
        let err = parse(&deep).expect_err("too deep");
        assert!(err.to_string().contains("nested deeper"), "{err}");
    }

    #[test]
    fn reads_a_stream_with_an_indirect_length() {
        let text = b"7 0 obj << /Length 8 0 R >> stream\nabcdef\nendstream endobj";
        let (r, object) = Parser::new(text, 0)
            .read_indirect(&|r| (r.num == 8).then_some(6))
            .expect("stream");
        assert_eq!(r.num, 7);
        let Object::Stream(stream) = object else {
            panic!("not a stream")
        };
        assert_eq!(stream.raw, b"abcdef");
        // A wrong length falls back to the `endstream` keyword.
        let (_, object) = Parser::new(text, 0)
            .read_indirect(&|_| Some(3))
            .expect("stream");
        let Object::Stream(stream) = object else {
            panic!("not a stream")
        };
        assert_eq!(stream.raw, b"abcdef");
    }
}
