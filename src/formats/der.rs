//! A small, strict DER (X.690 §10) reader and writer for the structures Accord parses by hand:
//! CMS SignedData (RFC 5652), RFC 3161 time-stamp requests, responses and tokens, ESS
//! attributes. The certificate parser (`x509-parser`) reads certificates; this module reads
//! what it does not expose byte for byte, because signatures cover exact encodings.
//!
//! Bounds, because the bytes come from whoever sent them:
//! - single-byte tags only (every structure Accord reads uses tag numbers below 31);
//! - definite lengths in their shortest form, at most 4 length octets, never past the input
//!   (a length is only a slice bound: nothing is allocated from it);
//! - nesting at most [`MAX_DEPTH`] readers deep ([`Tlv::reader`] counts);
//! - every error names what was being read and the byte offset it sits at.

use std::fmt;

/// How deep readers may nest (the deepest structure read, a token's ESS attribute, is 12).
pub const MAX_DEPTH: usize = 32;
/// The longest OBJECT IDENTIFIER accepted, in content bytes.
pub const MAX_OID_BYTES: usize = 64;

/// Universal tags used by Accord (X.680 §8.4) and the constructed forms.
pub mod tag {
    pub const BOOLEAN: u8 = 0x01;
    pub const INTEGER: u8 = 0x02;
    pub const BIT_STRING: u8 = 0x03;
    pub const OCTET_STRING: u8 = 0x04;
    pub const NULL: u8 = 0x05;
    pub const OID: u8 = 0x06;
    pub const ENUMERATED: u8 = 0x0a;
    pub const UTF8_STRING: u8 = 0x0c;
    pub const PRINTABLE_STRING: u8 = 0x13;
    pub const IA5_STRING: u8 = 0x16;
    pub const UTC_TIME: u8 = 0x17;
    pub const GENERALIZED_TIME: u8 = 0x18;
    pub const SEQUENCE: u8 = 0x30;
    pub const SET: u8 = 0x31;

    /// `[n]` context-specific, constructed (EXPLICIT tagging, or IMPLICIT of a constructed type).
    pub const fn context(n: u8) -> u8 {
        0xa0 | n
    }

    /// `[n]` context-specific, primitive (IMPLICIT of a primitive type).
    pub const fn context_primitive(n: u8) -> u8 {
        0x80 | n
    }
}

/// A DER decoding error: what was being read, at which byte of the input, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerError {
    pub what: String,
    pub offset: usize,
    pub reason: String,
}

impl fmt::Display for DerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DER: {} at byte {}: {}",
            self.what, self.offset, self.reason
        )
    }
}

impl std::error::Error for DerError {}

impl From<DerError> for String {
    fn from(e: DerError) -> Self {
        e.to_string()
    }
}

fn error(what: &str, offset: usize, reason: impl Into<String>) -> DerError {
    DerError {
        what: what.to_owned(),
        offset,
        reason: reason.into(),
    }
}

/// One DER element: its tag, its content and its whole encoding, with where it sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    /// Tag, length and content, as they appear in the input.
    pub raw: &'a [u8],
    /// Offset of the tag byte in the outermost input.
    pub offset: usize,
    depth: usize,
}

impl<'a> Tlv<'a> {
    /// Offset of the first content byte in the outermost input.
    pub fn content_offset(&self) -> usize {
        self.offset + (self.raw.len() - self.content.len())
    }

    /// A reader over the elements inside this (constructed) element, one level deeper.
    pub fn reader(&self) -> Result<Reader<'a>, DerError> {
        if self.depth + 1 > MAX_DEPTH {
            return Err(error(
                "nested element",
                self.offset,
                format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(Reader {
            rest: self.content,
            offset: self.content_offset(),
            depth: self.depth + 1,
        })
    }

    /// The content as an OBJECT IDENTIFIER in dotted form.
    pub fn oid(&self) -> Result<String, DerError> {
        self.require(tag::OID, "OBJECT IDENTIFIER")?;
        decode_oid(self.content).map_err(|r| error("OBJECT IDENTIFIER", self.offset, r))
    }

    /// The content of an INTEGER, checked to be minimal (X.690 §8.3.2).
    pub fn integer(&self) -> Result<&'a [u8], DerError> {
        self.require(tag::INTEGER, "INTEGER")?;
        check_integer(self.content).map_err(|r| error("INTEGER", self.offset, r))?;
        Ok(self.content)
    }

    /// A non-negative INTEGER that fits in 64 bits.
    pub fn u64(&self) -> Result<u64, DerError> {
        let bytes = self.integer()?;
        if bytes[0] & 0x80 != 0 {
            return Err(error("INTEGER", self.offset, "negative"));
        }
        let bytes = if bytes[0] == 0 { &bytes[1..] } else { bytes };
        if bytes.len() > 8 {
            return Err(error("INTEGER", self.offset, "larger than 64 bits"));
        }
        Ok(bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    /// A BOOLEAN (DER: 0x00 or 0xff).
    pub fn boolean(&self) -> Result<bool, DerError> {
        self.require(tag::BOOLEAN, "BOOLEAN")?;
        match self.content {
            [0x00] => Ok(false),
            [0xff] => Ok(true),
            _ => Err(error("BOOLEAN", self.offset, "not 0x00 or 0xff")),
        }
    }

    /// A GeneralizedTime (or UTCTime) as Unix seconds and the fraction's milliseconds.
    pub fn time(&self) -> Result<(i64, u32), DerError> {
        let text = std::str::from_utf8(self.content)
            .map_err(|_| error("time", self.offset, "not ASCII"))?;
        match self.tag {
            tag::GENERALIZED_TIME => {
                parse_generalized_time(text).map_err(|r| error("GeneralizedTime", self.offset, r))
            }
            tag::UTC_TIME => parse_utc_time(text)
                .map(|s| (s, 0))
                .map_err(|r| error("UTCTime", self.offset, r)),
            t => Err(error(
                "time",
                self.offset,
                format!("tag 0x{t:02x} is not GeneralizedTime or UTCTime"),
            )),
        }
    }

    fn require(&self, t: u8, what: &str) -> Result<(), DerError> {
        if self.tag != t {
            return Err(error(
                what,
                self.offset,
                format!("tag 0x{:02x}, expected 0x{t:02x}", self.tag),
            ));
        }
        Ok(())
    }
}

/// Reads the elements of one level, in order.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    rest: &'a [u8],
    offset: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    /// A reader over the top-level elements of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self {
            rest: bytes,
            offset: 0,
            depth: 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The next element's tag, if any.
    pub fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The next element, whatever its tag.
    pub fn next_tlv(&mut self, what: &str) -> Result<Tlv<'a>, DerError> {
        let bytes = self.rest;
        let at = self.offset;
        let cut = || error(what, at, "cut short");
        let t = *bytes.first().ok_or_else(cut)?;
        if t & 0x1f == 0x1f {
            return Err(error(
                what,
                at,
                "a multi-byte tag (not used by CMS or RFC 3161)",
            ));
        }
        let first = *bytes.get(1).ok_or_else(cut)?;
        let (len, header) = match first {
            n if n < 0x80 => (usize::from(n), 2usize),
            0x80 => return Err(error(what, at, "an indefinite length (BER, not DER)")),
            n => {
                let count = usize::from(n & 0x7f);
                if count > 4 {
                    return Err(error(what, at, "a length of more than 4 bytes"));
                }
                let len_bytes = bytes.get(2..2 + count).ok_or_else(cut)?;
                if len_bytes[0] == 0 {
                    return Err(error(what, at, "a length not in its shortest form"));
                }
                let len = len_bytes
                    .iter()
                    .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
                if len < 0x80 {
                    return Err(error(what, at, "a length not in its shortest form"));
                }
                (len, 2 + count)
            }
        };
        let end = header.checked_add(len).ok_or_else(cut)?;
        let raw = bytes.get(..end).ok_or_else(|| {
            error(
                what,
                at,
                format!(
                    "a length of {len} bytes where {} remain",
                    bytes.len() - header
                ),
            )
        })?;
        self.rest = &bytes[end..];
        self.offset += end;
        Ok(Tlv {
            tag: t,
            content: &raw[header..],
            raw,
            offset: at,
            depth: self.depth,
        })
    }

    /// The next element, which must have tag `t` (`what` names it in the error).
    pub fn expect(&mut self, t: u8, what: &str) -> Result<Tlv<'a>, DerError> {
        let at = self.offset;
        let e = self.next_tlv(what)?;
        if e.tag != t {
            return Err(error(
                what,
                at,
                format!("tag 0x{:02x}, expected 0x{t:02x}", e.tag),
            ));
        }
        Ok(e)
    }

    /// The next element if it has tag `t`, else nothing (an OPTIONAL or DEFAULT field).
    pub fn optional(&mut self, t: u8, what: &str) -> Result<Option<Tlv<'a>>, DerError> {
        if self.peek_tag() == Some(t) {
            self.expect(t, what).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Fails when elements remain (`what` names the structure that should have ended).
    pub fn finish(&self, what: &str) -> Result<(), DerError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(error(
                what,
                self.offset,
                "unexpected bytes after its last field",
            ))
        }
    }
}

/// Parses `bytes` as exactly one element with tag `t`.
pub fn parse_one<'a>(bytes: &'a [u8], t: u8, what: &str) -> Result<Tlv<'a>, DerError> {
    let mut r = Reader::new(bytes);
    let e = r.expect(t, what)?;
    r.finish(what)?;
    Ok(e)
}

/// Length of the first element of `bytes` (to cut DER out of a zero-padded field such as a
/// PDF signature's `/Contents`).
pub fn first_element_len(bytes: &[u8]) -> Result<usize, DerError> {
    Reader::new(bytes).next_tlv("element").map(|e| e.raw.len())
}

fn check_integer(content: &[u8]) -> Result<(), String> {
    match content {
        [] => Err("empty".into()),
        [0x00, b, ..] if b & 0x80 == 0 => Err("not minimal (leading 0x00)".into()),
        [0xff, b, ..] if b & 0x80 != 0 => Err("not minimal (leading 0xff)".into()),
        _ => Ok(()),
    }
}

/// Dotted form of an OBJECT IDENTIFIER's content bytes.
pub fn decode_oid(content: &[u8]) -> Result<String, String> {
    if content.is_empty() || content.len() > MAX_OID_BYTES {
        return Err(format!(
            "{} content bytes (1 to {MAX_OID_BYTES})",
            content.len()
        ));
    }
    if content.last().is_some_and(|b| b & 0x80 != 0) {
        return Err("its last arc is cut short".into());
    }
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    let mut fresh = true;
    for &b in content {
        if fresh && b == 0x80 {
            return Err("an arc not in its shortest form".into());
        }
        if value > (u64::MAX >> 7) {
            return Err("an arc larger than 64 bits".into());
        }
        value = (value << 7) | u64::from(b & 0x7f);
        fresh = b & 0x80 == 0;
        if fresh {
            if arcs.is_empty() {
                let first = (value / 40).min(2);
                arcs.push(first);
                arcs.push(value - first * 40);
            } else {
                arcs.push(value);
            }
            value = 0;
        }
    }
    Ok(arcs
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join("."))
}

/// Content bytes of the OBJECT IDENTIFIER written `dotted`.
pub fn encode_oid(dotted: &str) -> Result<Vec<u8>, String> {
    let arcs: Vec<u64> = dotted
        .split('.')
        .map(|a| a.parse::<u64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("{dotted:?} is not a dotted OID"))?;
    let [first, second, rest @ ..] = arcs.as_slice() else {
        return Err(format!("{dotted:?} has fewer than two arcs"));
    };
    if *first > 2 || (*first < 2 && *second >= 40) {
        return Err(format!("{dotted:?} has an invalid first or second arc"));
    }
    let head = first
        .checked_mul(40)
        .and_then(|v| v.checked_add(*second))
        .ok_or_else(|| format!("{dotted:?}: arc too large"))?;
    let mut out = Vec::new();
    for arc in std::iter::once(head).chain(rest.iter().copied()) {
        let mut groups = vec![(arc & 0x7f) as u8];
        let mut v = arc >> 7;
        while v > 0 {
            groups.push(((v & 0x7f) as u8) | 0x80);
            v >>= 7;
        }
        out.extend(groups.iter().rev());
    }
    Ok(out)
}

/// `YYYYMMDDHHMMSS[.fff]Z` (RFC 5280 §4.1.2.5.2 and RFC 3161 §2.4.2: UTC, no trailing zeros
/// in the fraction) as Unix seconds and milliseconds (a longer fraction is cut to ms).
fn parse_generalized_time(text: &str) -> Result<(i64, u32), String> {
    let bad = || format!("{text:?} is not YYYYMMDDHHMMSS[.f]Z");
    let body = text.strip_suffix('Z').ok_or_else(bad)?;
    let (digits, fraction) = match body.split_once('.') {
        Some((d, f)) => (d, Some(f)),
        None => (body, None),
    };
    if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let millis = match fraction {
        None => 0,
        Some(f) => {
            if f.is_empty() || f.ends_with('0') || !f.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "{text:?}: a fraction must be digits without trailing zeros"
                ));
            }
            let ms: String = f.chars().chain("000".chars()).take(3).collect();
            ms.parse::<u32>().map_err(|_| bad())?
        }
    };
    let year: i32 = digits[0..4].parse().map_err(|_| bad())?;
    Ok((civil(year, &digits[4..14]).ok_or_else(bad)?, millis))
}

/// `YYMMDDHHMMSSZ` (RFC 5280 §4.1.2.5.1: YY < 50 is 20YY).
fn parse_utc_time(text: &str) -> Result<i64, String> {
    let bad = || format!("{text:?} is not YYMMDDHHMMSSZ");
    let digits = text.strip_suffix('Z').ok_or_else(bad)?;
    if digits.len() != 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let yy: i32 = digits[0..2].parse().map_err(|_| bad())?;
    let year = if yy < 50 { 2000 + yy } else { 1900 + yy };
    civil(year, &digits[2..12]).ok_or_else(bad)
}

/// Unix seconds of `year` and `MMDDHHMMSS`.
fn civil(year: i32, rest: &str) -> Option<i64> {
    let n = |r: std::ops::Range<usize>| rest.get(r)?.parse::<u8>().ok();
    let month = time::Month::try_from(n(0..2)?).ok()?;
    let date = time::Date::from_calendar_date(year, month, n(2..4)?).ok()?;
    let t = time::Time::from_hms(n(4..6)?, n(6..8)?, n(8..10)?).ok()?;
    Some(
        time::PrimitiveDateTime::new(date, t)
            .assume_utc()
            .unix_timestamp(),
    )
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/// One element: `t`, the DER length of `content`, `content`.
pub fn tlv(t: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(t);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// SEQUENCE of the given encoded elements, in order.
pub fn sequence(items: &[Vec<u8>]) -> Vec<u8> {
    tlv(tag::SEQUENCE, &items.concat())
}

/// SET OF the given encoded elements, sorted by their encodings as DER requires (X.690 §11.6).
pub fn set_of(items: &[Vec<u8>]) -> Vec<u8> {
    tlv(tag::SET, &sorted(items).concat())
}

/// The elements in DER SET OF order.
pub fn sorted(items: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut v = items.to_vec();
    v.sort();
    v
}

/// `[n]` EXPLICIT around one encoded element (or IMPLICIT of a constructed content).
pub fn context(n: u8, content: &[u8]) -> Vec<u8> {
    tlv(tag::context(n), content)
}

/// OBJECT IDENTIFIER from its dotted form. The forms Accord writes are its own constants,
/// so a malformed one is a programming error caught by the tests; it encodes as an empty
/// OID, which every reader refuses, rather than panic.
pub fn oid(dotted: &str) -> Vec<u8> {
    tlv(tag::OID, &encode_oid(dotted).unwrap_or_default())
}

pub fn octet_string(bytes: &[u8]) -> Vec<u8> {
    tlv(tag::OCTET_STRING, bytes)
}

pub fn null() -> Vec<u8> {
    vec![tag::NULL, 0]
}

pub fn boolean(value: bool) -> Vec<u8> {
    tlv(tag::BOOLEAN, &[if value { 0xff } else { 0x00 }])
}

/// INTEGER of a non-negative value.
pub fn integer_u64(value: u64) -> Vec<u8> {
    integer_unsigned(&value.to_be_bytes())
}

/// INTEGER of the non-negative big-endian magnitude `bytes` (leading zeros dropped, a 0x00
/// added when the top bit is set).
pub fn integer_unsigned(bytes: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend(trimmed);
    tlv(tag::INTEGER, &content)
}

/// GeneralizedTime `YYYYMMDDHHMMSS[.fff]Z` (fraction without trailing zeros, none when 0).
pub fn generalized_time(unix: i64, millis: u32) -> Result<Vec<u8>, String> {
    let t = time::OffsetDateTime::from_unix_timestamp(unix)
        .map_err(|_| format!("{unix} is out of range for a time"))?;
    let mut text = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    if millis > 0 {
        let f = format!("{:03}", millis.min(999));
        text.push('.');
        text.push_str(f.trim_end_matches('0'));
    }
    text.push('Z');
    Ok(tlv(tag::GENERALIZED_TIME, text.as_bytes()))
}

/// UTCTime `YYMMDDHHMMSSZ` (years 1950 to 2049).
pub fn utc_time(unix: i64) -> Result<Vec<u8>, String> {
    let t = time::OffsetDateTime::from_unix_timestamp(unix)
        .map_err(|_| format!("{unix} is out of range for a time"))?;
    if !(1950..2050).contains(&t.year()) {
        return Err(format!("{} cannot be written as UTCTime", t.year()));
    }
    let text = format!(
        "{:02}{:02}{:02}{:02}{:02}{:02}Z",
        t.year() % 100,
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    Ok(tlv(tag::UTC_TIME, text.as_bytes()))
}

/// `AlgorithmIdentifier { algorithm, parameters ABSENT }` (RFC 5754 §2 for SHA-2 and
/// RFC 5758 §3.2 for ECDSA: parameters absent).
pub fn algorithm(dotted: &str) -> Vec<u8> {
    sequence(&[oid(dotted)])
}

/// Converts a fixed-size `r || s` ECDSA signature (JWS form) into the DER
/// `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 3279 §2.2.3) CMS carries.
pub fn ecdsa_raw_to_der(raw: &[u8]) -> Result<Vec<u8>, String> {
    if raw.is_empty() || !raw.len().is_multiple_of(2) {
        return Err(format!(
            "an ECDSA signature of {} bytes is not r || s",
            raw.len()
        ));
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    Ok(sequence(&[integer_unsigned(r), integer_unsigned(s)]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn oids_round_trip() {
        for o in [
            "1.2.840.113549.1.9.16.2.47",
            "2.16.840.1.101.3.4.2.1",
            "0.4.0.1733.2.4",
            "1.3.6.1.5.5.7.3.8",
            "2.999.1",
        ] {
            let enc = encode_oid(o).unwrap();
            assert_eq!(decode_oid(&enc).unwrap(), o);
        }
        assert_eq!(
            encode_oid("2.16.840.1.101.3.4.2.1").unwrap(),
            [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]
        );
        assert!(encode_oid("1").is_err());
        assert!(encode_oid("1.40").is_err());
        assert!(decode_oid(&[0x2a, 0x86]).is_err());
        assert!(decode_oid(&[0x80, 0x01]).is_err());
        assert!(decode_oid(&[]).is_err());
    }

    #[test]
    fn lengths_are_strict() {
        let long = tlv(0x04, &[7u8; 300]);
        assert_eq!(&long[..4], &[0x04, 0x82, 0x01, 0x2c]);
        let e = parse_one(&long, 0x04, "blob").unwrap();
        assert_eq!(e.content.len(), 300);
        for bad in [
            &[0x04, 0x81, 0x05, 1, 2, 3, 4, 5][..],
            &[0x30, 0x80, 0, 0],
            &[0x04, 0x85, 1, 1, 1, 1, 1],
            &[0x04, 0x05, 1],
            &[0x1f, 0x01, 0],
            &[0x04, 0x82, 0x00, 0x90],
        ] {
            assert!(parse_one(bad, bad[0], "x").is_err(), "{bad:?}");
        }
        let err = parse_one(&[0x30, 0x03, 0x02, 0x01, 0x05, 0x00], 0x30, "pair").unwrap_err();
        assert_eq!(err.offset, 5);
        assert!(err.to_string().contains("pair"), "{err}");
    }

    #[test]
    fn nesting_is_bounded() {
        let mut v = null();
        for _ in 0..(MAX_DEPTH + 4) {
            v = sequence(&[v]);
        }
        fn walk(t: Tlv<'_>) -> Result<usize, DerError> {
            if t.tag != tag::SEQUENCE {
                return Ok(0);
            }
            let mut r = t.reader()?;
            Ok(1 + walk(r.next_tlv("inner")?)?)
        }
        let err = walk(parse_one(&v, tag::SEQUENCE, "outer").unwrap()).unwrap_err();
        assert!(err.reason.contains("nesting"), "{err}");
    }

    #[test]
    fn integers_and_times() {
        assert_eq!(integer_u64(0), [2, 1, 0]);
        assert_eq!(integer_u64(128), [2, 2, 0, 128]);
        assert_eq!(
            parse_one(&integer_u64(65537), 2, "n")
                .unwrap()
                .u64()
                .unwrap(),
            65537
        );
        assert!(parse_one(&[2, 2, 0, 1], 2, "n").unwrap().integer().is_err());
        let gt = generalized_time(1_796_313_251, 500).unwrap();
        assert_eq!(&gt[2..], b"20261203155411.5Z");
        assert_eq!(
            parse_one(&gt, tag::GENERALIZED_TIME, "t")
                .unwrap()
                .time()
                .unwrap(),
            (1_796_313_251, 500)
        );
        let ut = utc_time(1_796_313_251).unwrap();
        assert_eq!(&ut[2..], b"261203155411Z");
        assert_eq!(
            parse_one(&ut, tag::UTC_TIME, "t").unwrap().time().unwrap(),
            (1_796_313_251, 0)
        );
        for bad in [
            "20261303155411Z",
            "2026120315541Z",
            "20261203155411.50Z",
            "20261203155411",
        ] {
            assert!(parse_generalized_time(bad).is_err(), "{bad}");
        }
        assert_eq!(
            ecdsa_raw_to_der(&[0x80, 1, 0, 2]).unwrap(),
            [0x30, 0x08, 0x02, 0x03, 0x00, 0x80, 0x01, 0x02, 0x01, 0x02]
        );
    }

    fn walk_all(bytes: &[u8]) {
        fn go(mut r: Reader<'_>) {
            while !r.is_empty() {
                let Ok(e) = r.next_tlv("x") else { return };
                let _ = e.oid();
                let _ = e.u64();
                let _ = e.time();
                if e.tag & 0x20 != 0
                    && let Ok(inner) = e.reader()
                {
                    go(inner);
                }
            }
        }
        go(Reader::new(bytes));
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            walk_all(&bytes);
        }
    }
}
