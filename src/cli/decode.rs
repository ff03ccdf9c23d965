//! Turning file bytes into text: UTF-8 (with or without BOM), UTF-16 with a
//! BOM, and a lossy Windows-1252 fallback for old EndNote exports.

use std::borrow::Cow;

use crate::checks::{Code, Diagnostic};
use crate::syntax::Span;

/// Decoded text and what the decoding has to say about it.
pub struct Decoded<'b> {
    /// The text to check: borrowed from the bytes when they are UTF-8.
    pub text: Cow<'b, str>,
    /// A diagnostic when the bytes were not UTF-8.
    pub note: Option<Diagnostic>,
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
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(bytes)
        && encoding != encoding_rs::UTF_8
    {
        // UTF-16 with BOM (EndNote and Windows exports): decode, keep no BOM.
        let (text, _, _) = encoding.decode(bytes);
        return Ok(Decoded {
            text: Cow::Owned(text.into_owned()),
            note: None,
        });
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
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::utf8;

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
