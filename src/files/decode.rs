//! Turning file bytes into text and back: UTF-8 (with or without BOM),
//! UTF-16 with a BOM, and Windows-1252 for old EndNote exports. What is
//! written back goes in the encoding and with the BOM it was read in.

use std::borrow::Cow;

use crate::checks::{Code, Diagnostic};
use crate::syntax::Span;

/// The encoding a text was read in, and is written back in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8; a BOM stays in the text as U+FEFF.
    Utf8,
    /// UTF-16 little-endian, with its BOM (not in the text).
    Utf16Le,
    /// UTF-16 big-endian, with its BOM (not in the text).
    Utf16Be,
    /// Not UTF-8: read as Windows-1252. Every byte is one character and
    /// back, so the bytes of untouched lines come back exactly, whatever
    /// single-byte encoding the file really is in.
    Windows1252,
}

/// Where a decoded text came from.
pub struct Source<'b> {
    /// The bytes as read.
    pub raw: &'b [u8],
    pub encoding: Encoding,
    /// Why the text cannot be written back as it was read (an unpaired
    /// UTF-16 surrogate, shown as U+FFFD, would be written as that).
    pub unwritable: Option<String>,
}

/// Decoded text and what the decoding has to say about it.
pub struct Decoded<'b> {
    /// The text to check: borrowed from the bytes when they are UTF-8.
    pub text: Cow<'b, str>,
    /// A diagnostic when the bytes were not UTF-8, or not good UTF-16.
    pub note: Option<Diagnostic>,
    pub source: Source<'b>,
}

/// Why bytes cannot be checked at all.
#[derive(Debug)]
pub enum DecodeError {
    /// NUL bytes in a file without a UTF-16 BOM: not a text file.
    Binary,
}

/// `bytes` as UTF-8 text, validated on every core when they are many: the
/// validation is the one pass over a big file that is not yet parallel.
fn utf8(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    const PART: usize = 1 << 23;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if bytes.len() < 2 * PART || threads < 2 {
        return std::str::from_utf8(bytes);
    }
    // Cut after line feeds: a byte 0x0A is never inside a multi-byte
    // character, so each part is valid exactly when its share of the text is.
    let mut cuts = vec![0];
    for t in 1..threads {
        let target = (bytes.len() * t / threads).max(*cuts.last().expect("not empty"));
        let cut = memchr::memchr(b'\n', &bytes[target..]).map_or(bytes.len(), |at| target + at + 1);
        cuts.push(cut);
    }
    cuts.push(bytes.len());
    let all_valid = std::thread::scope(|scope| {
        let handles: Vec<_> = cuts
            .windows(2)
            .map(|w| scope.spawn(move || std::str::from_utf8(&bytes[w[0]..w[1]]).is_ok()))
            .collect();
        handles.into_iter().all(|h| h.join().unwrap_or(false))
    });
    if all_valid {
        // SAFETY: every part was just validated as UTF-8 and the parts are
        // cut at character boundaries (after a line feed), so their
        // concatenation, `bytes`, is valid UTF-8.
        Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        // Where the first bad byte is, for the message.
        std::str::from_utf8(bytes)
    }
}

/// Decodes `bytes`. Never fails for text, whatever its encoding.
pub fn decode(bytes: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes)
        && encoding != encoding_rs::UTF_8
    {
        return Ok(utf16(bytes, bom, encoding == encoding_rs::UTF_16BE));
    }
    let head = &bytes[..bytes.len().min(8192)];
    if memchr::memchr(0, head).is_some() {
        return Err(DecodeError::Binary);
    }
    // Valid UTF-8 is the text itself, not a copy: big files stay one copy.
    match utf8(bytes) {
        Ok(text) => Ok(Decoded {
            text: Cow::Borrowed(text),
            note: None,
            source: Source {
                raw: bytes,
                encoding: Encoding::Utf8,
                unwritable: None,
            },
        }),
        Err(error) => {
            let bad = error.valid_up_to();
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            // Windows-1252 keeps line breaks where they were: point at the
            // start of the line holding the first bad byte. It decodes byte
            // by byte, so that line's offset is the decoded prefix's length.
            let line_start = bytes[..bad]
                .iter()
                .rposition(|&b| b == b'\n' || b == b'\r')
                .map_or(0, |i| i + 1);
            let at = encoding_rs::WINDOWS_1252.decode(&bytes[..line_start]).0.len();
            let note = Diagnostic::new(
                Code::NotUtf8,
                Span::new(at, at),
                format!(
                    "this file is not UTF-8 (byte 0x{:02X} at offset {bad}); it was read as Windows-1252",
                    bytes[bad]
                ),
            );
            Ok(Decoded {
                text: Cow::Owned(text.into_owned()),
                note: Some(note),
                source: Source {
                    raw: bytes,
                    encoding: Encoding::Windows1252,
                    unwritable: None,
                },
            })
        }
    }
}

/// Decodes UTF-16 after its BOM (`bom` bytes). An unpaired surrogate or a
/// last odd byte is read as U+FFFD, reported, and makes the text
/// unwritable: writing it back would silently change those bytes.
fn utf16(bytes: &[u8], bom: usize, big_endian: bool) -> Decoded<'_> {
    let encoding = if big_endian {
        Encoding::Utf16Be
    } else {
        Encoding::Utf16Le
    };
    let body = &bytes[bom..];
    let strict = if big_endian {
        encoding_rs::UTF_16BE.decode_without_bom_handling_and_without_replacement(body)
    } else {
        encoding_rs::UTF_16LE.decode_without_bom_handling_and_without_replacement(body)
    };
    if let Some(text) = strict {
        return Decoded {
            text: Cow::Owned(text.into_owned()),
            note: None,
            source: Source {
                raw: bytes,
                encoding,
                unwritable: None,
            },
        };
    }
    // Slow path, only for a broken file: find what is wrong, and where.
    let units = body.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    });
    let mut text = String::with_capacity(body.len());
    let mut unit_at = 0;
    let mut first: Option<(usize, usize, u16)> = None;
    let mut unpaired = 0;
    for decoded in char::decode_utf16(units) {
        match decoded {
            Ok(c) => {
                text.push(c);
                unit_at += c.len_utf16();
            }
            Err(error) => {
                unpaired += 1;
                first.get_or_insert((text.len(), bom + 2 * unit_at, error.unpaired_surrogate()));
                text.push(char::REPLACEMENT_CHARACTER);
                unit_at += 1;
            }
        }
    }
    let odd = body.len() % 2 == 1;
    let mut said = Vec::new();
    if let Some((_, offset, unit)) = first {
        said.push(format!(
            "{unpaired} unpaired UTF-16 surrogate(s) (the first, 0x{unit:04X}, at byte offset {offset})"
        ));
    }
    if odd {
        first.get_or_insert((text.len(), bytes.len() - 1, 0));
        text.push(char::REPLACEMENT_CHARACTER);
        said.push("an odd last byte (half a UTF-16 code unit)".to_string());
    }
    let what = said.join(" and ");
    let at = first.map_or(0, |(at, _, _)| at);
    let note = Diagnostic::new(
        Code::NotUtf8,
        Span::new(at, at),
        format!("this UTF-16 file holds {what}; read as U+FFFD, and the file is not rewritten"),
    );
    Decoded {
        text: Cow::Owned(text),
        note: Some(note),
        source: Source {
            raw: bytes,
            encoding,
            unwritable: Some(format!("it holds {what}, which cannot be written back as it was")),
        },
    }
}

/// `text` in `encoding`, with its BOM for UTF-16 (UTF-8 keeps its BOM in
/// the text); an error for a character Windows-1252 has no byte for.
pub fn encode(text: &str, encoding: Encoding) -> Result<Cow<'_, [u8]>, String> {
    let utf16 = |bom: [u8; 2], unit: fn(u16) -> [u8; 2]| {
        let mut bytes = Vec::with_capacity(2 + 2 * text.len());
        bytes.extend_from_slice(&bom);
        for u in text.encode_utf16() {
            bytes.extend_from_slice(&unit(u));
        }
        Cow::Owned(bytes)
    };
    match encoding {
        Encoding::Utf8 => Ok(Cow::Borrowed(text.as_bytes())),
        Encoding::Utf16Le => Ok(utf16([0xFF, 0xFE], u16::to_le_bytes)),
        Encoding::Utf16Be => Ok(utf16([0xFE, 0xFF], u16::to_be_bytes)),
        Encoding::Windows1252 => {
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
            if unmappable {
                let c = text
                    .chars()
                    .find(|&c| encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut [0; 4])).2)
                    .unwrap_or(char::REPLACEMENT_CHARACTER);
                return Err(format!("U+{:04X} has no Windows-1252 byte", u32::from(c)));
            }
            Ok(bytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Encoding, decode, encode, utf8};

    /// Every byte that is not UTF-8 comes back as it was through
    /// Windows-1252, the five it leaves undefined among them.
    #[test]
    fn windows_1252_round_trips_every_byte() {
        let bytes: Vec<u8> = (0u8..=255).filter(|&b| b != 0).collect();
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.source.encoding, Encoding::Windows1252);
        assert_eq!(encode(&decoded.text, Encoding::Windows1252).unwrap(), bytes);
        assert_eq!(
            encode("€ é 😀", Encoding::Windows1252).unwrap_err(),
            "U+1F600 has no Windows-1252 byte"
        );
    }

    /// The parallel validation of a big input agrees with the standard one,
    /// valid or not, wherever the bad byte is.
    #[test]
    fn big_inputs_validate_as_the_standard_library_does() {
        let line = "TY  - JOUR\nTI  - é中😀 Müller, Hamdi\nER  - \n";
        let text = line.repeat((20 << 20) / line.len());
        assert_eq!(utf8(text.as_bytes()).ok(), Some(text.as_str()));
        for at in [5, text.len() / 2 + 3, text.len() - 2] {
            let mut bytes = text.clone().into_bytes();
            bytes[at] = 0xFF;
            let expected = std::str::from_utf8(&bytes).unwrap_err();
            assert_eq!(utf8(&bytes).unwrap_err(), expected, "bad byte at {at}");
        }
    }
}
