//! What the CLI and the server read: standard input, files named on the command line, and
//! every `*.ris` found by walking folders.
//!
//! A walk follows links but enters each real folder once (a link back up,
//! `sub/up -> ..`, or to itself, `sub/self -> .`, is seen and skipped), checks
//! each real file once however many names lead to it, and reads only regular
//! files: a named pipe, socket or device called `*.ris` is skipped with a
//! note, and walked files are opened without waiting, so a pipe put in a
//! file's place meanwhile cannot block the walk. A file named on the command
//! line is read whatever it is (`check <(curl …)` reads a pipe, as `cat`
//! would); one that cannot be read is a problem (exit 2).

use std::collections::HashSet;
use std::fs::Metadata;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A file's bytes. Files are read, never mapped: a mapped file that another
/// program changes meanwhile is undefined behaviour, and reading costs a
/// copy, not a fault.
pub(crate) type Bytes = Vec<u8>;

/// One thing to check or format.
pub(crate) enum Input {
    Stdin,
    /// A file, named on the command line or found in a folder (`walked`).
    File {
        path: PathBuf,
        walked: bool,
    },
}

impl Input {
    /// The name shown for it.
    pub(crate) fn name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_string(),
            Input::File { path, .. } => path.display().to_string(),
        }
    }

    pub(crate) fn read(&self) -> std::io::Result<Bytes> {
        match self {
            Input::Stdin => {
                let mut bytes = Vec::new();
                std::io::stdin().read_to_end(&mut bytes)?;
                Ok(bytes)
            }
            Input::File { path, walked } => {
                let file = open(path, *walked)?;
                let meta = file.metadata()?;
                if *walked && !meta.is_file() {
                    // Replaced since the walk saw it.
                    return Err(std::io::Error::other(format!("{}, not a regular file", kind(&meta))));
                }
                // A regular file's size, to read it in one allocation.
                let size = if meta.is_file() { meta.len() } else { 0 };
                let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
                let mut file = file;
                file.read_to_end(&mut bytes)?;
                Ok(bytes)
            }
        }
    }
}

/// Opens `path` to read; a walked file without waiting, so that a named
/// pipe without a writer fails the check above instead of blocking.
fn open(path: &Path, walked: bool) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    if walked {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    #[cfg(not(unix))]
    let _ = walked;
    options.open(path)
}

/// What a file that is not regular is, for a note.
fn kind(meta: &Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let file_type = meta.file_type();
        if file_type.is_fifo() {
            return "a named pipe";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "a device";
        }
    }
    if meta.is_dir() { "a folder" } else { "not a file" }
}

/// What makes two names the same file or folder.
#[cfg(unix)]
type Identity = (u64, u64);
#[cfg(not(unix))]
type Identity = PathBuf;

#[cfg(unix)]
fn identity(_path: &Path, meta: &Metadata) -> Identity {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(path: &Path, _meta: &Metadata) -> Identity {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The inputs named by `paths` (folders: every `*.ris` inside, each real
/// file once), the problems (exit 2) and the notes (skipped entries).
#[derive(Default)]
pub(crate) struct Gathered {
    pub inputs: Vec<Input>,
    pub problems: Vec<String>,
    pub notes: Vec<String>,
}

/// Gathers the inputs named by `paths`.
pub(crate) fn gather(paths: &[PathBuf]) -> Gathered {
    let mut walk = Walk::default();
    let mut stdin = false;
    for path in paths {
        if path.as_os_str() == "-" {
            if !std::mem::replace(&mut stdin, true) {
                walk.found.inputs.push(Input::Stdin);
            }
            continue;
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                if !walk.folder(path, &meta) {
                    walk.found
                        .problems
                        .push(format!("{}: no .ris files in this folder", path.display()));
                }
            }
            Ok(meta) => {
                if walk.files.insert(identity(path, &meta)) {
                    walk.found.inputs.push(Input::File {
                        path: path.clone(),
                        walked: false,
                    });
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => walk
                .found
                .problems
                .push(format!("{}: no such file or folder", path.display())),
            Err(error) => walk
                .found
                .problems
                .push(format!("{}: cannot read: {error}", path.display())),
        }
    }
    walk.found
}

#[derive(Default)]
struct Walk {
    folders: HashSet<Identity>,
    files: HashSet<Identity>,
    found: Gathered,
}

impl Walk {
    /// Every `*.ris` below `root`, in sorted order (folders at their place
    /// among the files), without recursion: a deep tree cannot overflow.
    /// Returns whether it found any (new or seen before) or met a folder
    /// already walked; a folder walked before counts as found.
    fn folder(&mut self, root: &Path, meta: &Metadata) -> bool {
        if !self.folders.insert(identity(root, meta)) {
            return true; // Named twice, or inside a folder already named.
        }
        let mut found = false;
        let mut stack = Vec::new();
        if let Some(entries) = self.entries(root) {
            stack.push(entries.into_iter());
        }
        while let Some(top) = stack.last_mut() {
            let Some(path) = top.next() else {
                stack.pop();
                continue;
            };
            let is_ris = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("ris"));
            let Ok(link) = std::fs::symlink_metadata(&path) else {
                continue; // Gone since the folder was listed.
            };
            let meta = if link.file_type().is_symlink() {
                match std::fs::metadata(&path) {
                    Ok(meta) => meta,
                    Err(error) => {
                        if is_ris {
                            self.note(&path, &format!("a link that leads nowhere ({error})"));
                        }
                        continue;
                    }
                }
            } else {
                link
            };
            if meta.is_dir() {
                if self.folders.insert(identity(&path, &meta)) {
                    if let Some(entries) = self.entries(&path) {
                        stack.push(entries.into_iter());
                    }
                } else {
                    found = true;
                    self.note(&path, "a folder already walked (a link loop or a second link)");
                }
            } else if !is_ris {
                continue;
            } else if !meta.is_file() {
                self.note(&path, &format!("{}, not a regular file", kind(&meta)));
            } else {
                found = true;
                if self.files.insert(identity(&path, &meta)) {
                    self.found.inputs.push(Input::File { path, walked: true });
                }
            }
        }
        found
    }

    /// The sorted entries of `dir`; a folder that cannot be read is a problem.
    fn entries(&mut self, dir: &Path) -> Option<Vec<PathBuf>> {
        match std::fs::read_dir(dir) {
            Ok(entries) => {
                let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
                paths.sort();
                Some(paths)
            }
            Err(error) => {
                self.found
                    .problems
                    .push(format!("{}: cannot read folder: {error}", dir.display()));
                None
            }
        }
    }

    fn note(&mut self, path: &Path, why: &str) {
        self.found.notes.push(format!("{}: {why}; skipped", path.display()));
    }
}
