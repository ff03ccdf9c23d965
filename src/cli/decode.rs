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
    match std::str::from_utf8(bytes) {
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
