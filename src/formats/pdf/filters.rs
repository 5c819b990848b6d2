//! Stream decoding: FlateDecode (ISO 32000-2 clause 7.4.4) with the PNG and TIFF predictors
//! of its /DecodeParms (Table 8), which cross-reference and object streams use. Output is
//! bounded: a decompression bomb stops at [`MAX_DECODED`] with an error.

use std::io::Read;

use super::PdfError;
use super::object::{Dict, Object, Stream};

/// The most bytes one stream may decode to.
pub const MAX_DECODED: usize = 64 * 1024 * 1024;

/// The stream's decoded bytes. `what` names the stream in errors (`object 12`).
pub fn decode(stream: &Stream, what: &str) -> Result<Vec<u8>, PdfError> {
    let filters: Vec<String> = match stream.dict.get("Filter") {
        None => Vec::new(),
        Some(Object::Name(n)) => vec![n.clone()],
        Some(Object::Array(a)) => a
            .iter()
            .map(|f| f.as_name().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| PdfError::Stream {
                what: what.into(),
                message: "/Filter array holds a non-name".into(),
            })?,
        Some(other) => {
            return Err(PdfError::Stream {
                what: what.into(),
                message: format!("/Filter is a {}", other.kind()),
            });
        }
    };
    let parms: Vec<Option<&Dict>> = match stream.dict.get("DecodeParms") {
        Some(Object::Dictionary(d)) => vec![Some(d)],
        Some(Object::Array(a)) => a.iter().map(Object::as_dict).collect(),
        _ => Vec::new(),
    };
    let mut data = stream.raw.clone();
    for (i, filter) in filters.iter().enumerate() {
        data = match filter.as_str() {
            "FlateDecode" | "Fl" => {
                let inflated = inflate(&data, what)?;
                match parms.get(i).copied().flatten() {
                    Some(p) => unpredict(inflated, p, what)?,
                    None => inflated,
                }
            }
            other => {
                return Err(PdfError::Stream {
                    what: what.into(),
                    message: format!("filter /{other} is not supported"),
                });
            }
        };
    }
    Ok(data)
}

fn inflate(data: &[u8], what: &str) -> Result<Vec<u8>, PdfError> {
    let mut out = Vec::new();
    let decoder = flate2::read::ZlibDecoder::new(data);
    decoder
        .take(MAX_DECODED as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| PdfError::Stream {
            what: what.into(),
            message: format!("FlateDecode: {e}"),
        })?;
    if out.len() > MAX_DECODED {
        return Err(PdfError::Stream {
            what: what.into(),
            message: format!("decodes to more than {MAX_DECODED} bytes"),
        });
    }
    Ok(out)
}

/// Undoes a /Predictor (ISO 32000-2 Table 8): 1 none, 2 TIFF, 10 to 15 PNG (each row
/// carries its own filter-type byte).
fn unpredict(data: Vec<u8>, parms: &Dict, what: &str) -> Result<Vec<u8>, PdfError> {
    let int = |key: &str, default: i64| parms.get(key).and_then(Object::as_int).unwrap_or(default);
    let predictor = int("Predictor", 1);
    if predictor == 1 {
        return Ok(data);
    }
    let bad = |message: String| PdfError::Stream {
        what: what.into(),
        message,
    };
    let colors = int("Colors", 1);
    let bits = int("BitsPerComponent", 8);
    let columns = int("Columns", 1);
    if !(1..=32).contains(&colors)
        || ![1, 2, 4, 8, 16].contains(&bits)
        || !(1..=1 << 20).contains(&columns)
    {
        return Err(bad("predictor parameters out of range".into()));
    }
    let bytes_per_pixel = ((colors * bits + 7) / 8) as usize;
    let row_len = ((colors * bits * columns + 7) / 8) as usize;
    if predictor == 2 {
        if bits != 8 {
            return Err(bad(
                "TIFF predictor with other than 8 bits per component".into()
            ));
        }
        let mut out = data;
        for row in out.chunks_mut(row_len) {
            for i in bytes_per_pixel..row.len() {
                row[i] = row[i].wrapping_add(row[i - bytes_per_pixel]);
            }
        }
        return Ok(out);
    }
    if !(10..=15).contains(&predictor) {
        return Err(bad(format!("/Predictor {predictor} is not supported")));
    }
    let mut out = Vec::with_capacity(data.len());
    let mut previous = vec![0u8; row_len];
    for (index, chunk) in data.chunks(row_len + 1).enumerate() {
        let (kind, row) = chunk.split_first().ok_or_else(|| bad("empty row".into()))?;
        if row.len() != row_len {
            return Err(bad(format!("PNG row {index} is short")));
        }
        let mut current = row.to_vec();
        for i in 0..row_len {
            let left = if i >= bytes_per_pixel {
                current[i - bytes_per_pixel]
            } else {
                0
            };
            let up = previous[i];
            let up_left = if i >= bytes_per_pixel {
                previous[i - bytes_per_pixel]
            } else {
                0
            };
            current[i] = match kind {
                0 => current[i],
                1 => current[i].wrapping_add(left),
                2 => current[i].wrapping_add(up),
                3 => current[i].wrapping_add(((u16::from(left) + u16::from(up)) / 2) as u8),
                4 => current[i].wrapping_add(paeth(left, up, up_left)),
                other => return Err(bad(format!("PNG filter type {other} in row {index}"))),
            };
        }
        out.extend_from_slice(&current);
        previous = current;
    }
    Ok(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// Deflates `data` (the writer's content and cross-reference streams).
pub fn deflate(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_up_predictor_round_trip() {
        // Two rows of three columns, PNG "Up" (filter type 2).
        let rows = [[1u8, 2, 3], [1, 1, 1]];
        let mut predicted = Vec::new();
        let mut previous = [0u8; 3];
        for row in rows {
            predicted.push(2);
            for i in 0..3 {
                predicted.push(row[i].wrapping_sub(previous[i]));
            }
            previous = row;
        }
        let mut dict = Dict::new();
        dict.insert("Filter".into(), Object::Name("FlateDecode".into()));
        let mut parms = Dict::new();
        parms.insert("Predictor".into(), Object::Integer(12));
        parms.insert("Columns".into(), Object::Integer(3));
        dict.insert("DecodeParms".into(), Object::Dictionary(parms));
        let stream = Stream {
            dict,
            raw: deflate(&predicted),
        };
        assert_eq!(
            decode(&stream, "test").expect("decodes"),
            vec![1, 2, 3, 1, 1, 1]
        );
    }

    #[test]
    fn a_bomb_is_stopped() {
        let zeros = vec![0u8; MAX_DECODED + 10];
        let mut dict = Dict::new();
        dict.insert("Filter".into(), Object::Name("FlateDecode".into()));
        let stream = Stream {
            dict,
            raw: deflate(&zeros),
        };
        let err = decode(&stream, "object 3").expect_err("too big");
        assert!(err.to_string().contains("more than"), "{err}");
    }
}
