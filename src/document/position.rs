//! Client positions (line, character) ↔ byte offsets, in UTF-8 or UTF-16.
//!
//! LSP counts characters in UTF-16 code units unless client and server agree
//! on UTF-8 (LSP 3.17 `positionEncoding`). Lines break at `\n`, `\r\n` and
//! `\r` only; the rope is built with ropey's `cr_lines` feature (not
//! `unicode_lines`) so that its lines are exactly these, and U+2028 stays
//! inside a line. All lookups are O(log n) in the rope.

use ropey::Rope;

/// How the client counts characters within a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units (LSP's default).
    Utf16,
}

/// A zero-based line and character, in the negotiated encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// Line number.
    pub line: u32,
    /// Offset within the line, in the encoding's units.
    pub character: u32,
}

/// Byte offset of the end of line `line`'s content (before its line break).
fn content_end(rope: &Rope, line: usize) -> usize {
    let start = rope.line_to_byte(line);
    let end = if line + 1 < rope.len_lines() {
        rope.line_to_byte(line + 1)
    } else {
        rope.len_bytes()
    };
    let mut content = end;
    if content > start && rope.byte(content - 1) == b'\n' {
        content -= 1;
    }
    if content > start && rope.byte(content - 1) == b'\r' {
        content -= 1;
    }
    content
}

/// The byte offset of `position`; the flag is true when it was out of range
/// and had to be clamped (past the last line, or past the end of its line).
pub fn to_offset(rope: &Rope, position: Position, encoding: Encoding) -> (usize, bool) {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return (rope.len_bytes(), true);
    }
    let start = rope.line_to_byte(line);
    let end = content_end(rope, line);
    let character = position.character as usize;
    match encoding {
        Encoding::Utf8 => {
            let wanted = start + character;
            let clamped = wanted > end;
            // Round down to a character boundary.
            let offset = rope.char_to_byte(rope.byte_to_char(wanted.min(end)));
            (offset, clamped)
        }
        Encoding::Utf16 => {
            let start_cu = rope.char_to_utf16_cu(rope.byte_to_char(start));
            let end_cu = rope.char_to_utf16_cu(rope.byte_to_char(end));
            let wanted = start_cu + character;
            let clamped = wanted > end_cu;
            let char_index = rope.utf16_cu_to_char(wanted.min(end_cu));
            (rope.char_to_byte(char_index), clamped)
        }
    }
}

/// The position of byte `offset` (clamped to the text).
pub fn from_offset(rope: &Rope, offset: usize, encoding: Encoding) -> Position {
    let offset = offset.min(rope.len_bytes());
    let line = rope.byte_to_line(offset);
    let start = rope.line_to_byte(line);
    let character = match encoding {
        Encoding::Utf8 => offset - start,
        Encoding::Utf16 => {
            rope.char_to_utf16_cu(rope.byte_to_char(offset)) - rope.char_to_utf16_cu(rope.byte_to_char(start))
        }
    };
    Position {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        character: u32::try_from(character).unwrap_or(u32::MAX),
    }
}
