//! Reading files: what the CLI checks and the server indexes. `input`
//! gathers standard input, files and the `*.ris` of folder walks and reads
//! their bytes; `decode` turns bytes into text and back in the encoding
//! they came in. One way to read a workspace, for both.

pub mod decode;
pub(crate) mod input;
