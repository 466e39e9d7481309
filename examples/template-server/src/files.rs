//! `file://{+path}`: reading files confined to one folder.
//!
//! The matched `path` is already percent-decoded. A read is refused (-32602) when:
//!
//! - the URI percent-encodes a `.`, `/`, `\`, or a control character (`%2e%2e`, `%2f`, `%5c`,
//!   `%00`, ...): such spellings only serve to slip past naive checks;
//! - the path is absolute (`/etc/passwd`, `\x`, `C:/x`) or contains a NUL;
//! - a component is `..`;
//! - the path, with symbolic links resolved (canonicalized), is not inside the root.
//!
//! A path inside the root that does not exist is -32002 (resource not found). Folders are read
//! as a listing (`inode/directory`).

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use mcp_server::mcp_core::model::{ResourceContents, TextResourceContents};
use mcp_server::resource::ReadOutcome;
use mcp_server::{Blob, IntoResourceContents, McpError};

/// The largest file served.
const MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

/// What a file read produces: text (or a folder listing), or bytes.
#[derive(Debug)]
pub(crate) enum FileContents {
    Text(ResourceContents),
    Binary(Vec<u8>),
}

/// A return type of its own: resource functions may return anything `IntoResourceContents`.
impl IntoResourceContents for FileContents {
    fn into_contents(self, uri: &str, mime: Option<&str>) -> ReadOutcome {
        match self {
            Self::Text(contents) => contents.into_contents(uri, mime),
            Self::Binary(bytes) => Blob(bytes).into_contents(uri, Some("application/octet-stream")),
        }
    }
}

/// The folder files are served from, canonicalized.
#[derive(Debug)]
pub(crate) struct FileRoot(PathBuf);

fn refuse(uri: &str, why: &str) -> McpError {
    McpError::invalid_params(format!(
        "Refused {uri}: {why}; paths must stay inside the server's root folder"
    ))
}

/// The bytes that `%XX` escapes in `raw` decode to.
fn escaped_bytes(raw: &str) -> impl Iterator<Item = u8> + '_ {
    let bytes = raw.as_bytes();
    (0..bytes.len()).filter_map(move |i| {
        if bytes[i] != b'%' {
            return None;
        }
        let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
        u8::from_str_radix(hex, 16).ok()
    })
}

impl FileRoot {
    /// The root folder, which must exist.
    pub(crate) fn new(root: &Path) -> anyhow::Result<Self> {
        let canonical = std::fs::canonicalize(root).map_err(|e| {
            anyhow::anyhow!("the root folder {} is not usable: {e}", root.display())
        })?;
        anyhow::ensure!(
            canonical.is_dir(),
            "the root {} is not a folder",
            root.display()
        );
        Ok(Self(canonical))
    }

    /// Resolves `path` (the decoded template variable of `uri`) inside the root.
    pub(crate) fn resolve(&self, uri: &str, path: &str) -> Result<PathBuf, McpError> {
        let raw = uri.strip_prefix("file://").unwrap_or(uri);
        if escaped_bytes(raw).any(|b| matches!(b, b'.' | b'/' | b'\\') || b.is_ascii_control()) {
            return Err(refuse(
                uri,
                "percent-encoded `.`, `/`, `\\` and control characters are not allowed in file paths",
            ));
        }
        if path.contains('\0') {
            return Err(refuse(uri, "the path contains a NUL character"));
        }
        let bytes = path.as_bytes();
        let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
        if path.starts_with('/') || path.starts_with('\\') || drive || Path::new(path).is_absolute()
        {
            return Err(refuse(uri, "absolute paths are not allowed"));
        }
        if path.split(['/', '\\']).any(|c| c == "..") {
            return Err(refuse(uri, "`..` is not allowed in file paths"));
        }
        let joined = self.0.join(path);
        let canonical = match std::fs::canonicalize(&joined) {
            Ok(c) => c,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Err(McpError::resource_not_found(uri));
            }
            Err(e) => {
                tracing::warn!(path = %joined.display(), error = %e, "cannot resolve a file");
                return Err(McpError::resource_not_found(uri));
            }
        };
        if !canonical.starts_with(&self.0) {
            return Err(refuse(
                uri,
                "the path leads out of the root folder (through a symbolic link)",
            ));
        }
        Ok(canonical)
    }

    /// Reads the file (or lists the folder) `path` names.
    pub(crate) fn read(&self, uri: &str, path: &str) -> Result<FileContents, McpError> {
        let target = self.resolve(uri, path)?;
        let meta = std::fs::metadata(&target).map_err(|_| McpError::resource_not_found(uri))?;
        if meta.is_dir() {
            let mut names: Vec<String> = std::fs::read_dir(&target)
                .map_err(|_| McpError::resource_not_found(uri))?
                .filter_map(Result::ok)
                .map(|entry| {
                    let mut name = entry.file_name().to_string_lossy().into_owned();
                    if entry.file_type().is_ok_and(|t| t.is_dir()) {
                        name.push('/');
                    }
                    name
                })
                .collect();
            names.sort();
            return Ok(FileContents::Text(
                TextResourceContents::new(uri, names.join("\n"))
                    .with_mime_type("inode/directory")
                    .into(),
            ));
        }
        if meta.len() > MAX_FILE_SIZE {
            return Err(McpError::invalid_params(format!(
                "{uri} is too large ({} bytes; at most {MAX_FILE_SIZE} are served)",
                meta.len()
            )));
        }
        let bytes = std::fs::read(&target).map_err(|e| {
            tracing::warn!(path = %target.display(), error = %e, "cannot read a file");
            McpError::resource_not_found(uri)
        })?;
        match String::from_utf8(bytes) {
            Ok(text) => Ok(FileContents::Text(
                TextResourceContents::new(uri, text)
                    .with_mime_type(text_mime(&target))
                    .into(),
            )),
            Err(e) => Ok(FileContents::Binary(e.into_bytes())),
        }
    }
}

fn text_mime(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("md") => "text/markdown",
        Some("json") => "application/json",
        Some("html" | "htm") => "text/html",
        Some("csv") => "text/csv",
        _ => "text/plain",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_decoded() {
        assert_eq!(
            escaped_bytes("a%2e%2E/b%2Fc%zz%4").collect::<Vec<_>>(),
            [b'.', b'.', b'/']
        );
    }
}
