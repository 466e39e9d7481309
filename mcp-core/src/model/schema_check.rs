//! Test helper: validates JSON instances against the official JSON Schema of a protocol revision
//! (`<spec dir>/<revision>/schema.json`), so tests can prove that what the SDK emits is what the
//! specification allows.
//!
//! The spec directory is `$MCP_SPEC_DIR`, or else `../../shared/spec` from this crate's manifest.
//! If neither exists the helpers panic: a schema test must never pass by skipping.
//!
//! ```text
//! use crate::model::schema_check;
//! schema_check::assert_valid("CallToolResult", &json);                          // a $defs entry
//! schema_check::assert_valid("GetTaskRequest/properties/params", &json);         // a pointer below one
//! schema_check::validate("2025-06-18", "CallToolResult", &json).unwrap();        // another revision
//! ```
//!
//! Formats are asserted (`uri`, `uri-template`, `email`, `date-time`, ...), and `byte` is
//! checked as standard base64.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use boon::{Compiler, Format, SchemaIndex, Schemas};
use serde_json::Value;

/// The revision [`assert_valid`] and [`assert_invalid`] check against.
pub(crate) const DEFAULT_REVISION: &str = "2025-11-25";

/// The directory holding one sub-directory per revision, each with a `schema.json`.
pub(crate) fn spec_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("MCP_SPEC_DIR") {
        let dir = PathBuf::from(dir);
        assert!(
            dir.is_dir(),
            "MCP_SPEC_DIR={} is not a directory",
            dir.display()
        );
        return dir;
    }
    let fallback = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/spec"));
    assert!(
        fallback.is_dir(),
        "the MCP specification schemas were not found: set MCP_SPEC_DIR to the directory that \
         holds <revision>/schema.json (the default location {} does not exist)",
        fallback.display()
    );
    fallback.to_path_buf()
}

/// One revision's schema document, with the definitions compiled so far.
struct Revision {
    url: String,
    defs_key: &'static str,
    document: Value,
    compiler: Compiler,
    schemas: Schemas,
    compiled: HashMap<String, SchemaIndex>,
}

impl Revision {
    fn load(revision: &str) -> Self {
        let path = spec_dir().join(revision).join("schema.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read the schema of revision {revision} at {}: {e}",
                path.display()
            )
        });
        let document: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()));
        // 2020-12 schemas keep definitions in `$defs`, draft-07 ones (2025-06-18) in `definitions`.
        let defs_key = if document.get("$defs").is_some() {
            "$defs"
        } else {
            "definitions"
        };
        let url = format!("https://mcp-schema.invalid/{revision}/schema.json");
        let mut compiler = Compiler::new();
        compiler.enable_format_assertions();
        compiler.register_format(Format {
            name: "byte",
            func: validate_base64,
        });
        compiler
            .add_resource(&url, document.clone())
            .unwrap_or_else(|e| panic!("cannot register the schema of revision {revision}: {e:#}"));
        Self {
            url,
            defs_key,
            document,
            compiler,
            schemas: Schemas::new(),
            compiled: HashMap::new(),
        }
    }

    fn index(&mut self, def: &str) -> Result<SchemaIndex, String> {
        if let Some(&index) = self.compiled.get(def) {
            return Ok(index);
        }
        let pointer = format!("/{}/{def}", self.defs_key);
        if self.document.pointer(&pointer).is_none() {
            return Err(format!("the schema has no definition at #{pointer}"));
        }
        let location = format!("{}#{pointer}", self.url);
        let index = self
            .compiler
            .compile(&location, &mut self.schemas)
            .map_err(|e| format!("cannot compile #{pointer}: {e:#}"))?;
        self.compiled.insert(def.to_owned(), index);
        Ok(index)
    }
}

thread_local! {
    static REVISIONS: RefCell<HashMap<String, Revision>> = RefCell::new(HashMap::new());
}

/// Validates `instance` against the definition `def` of `revision`.
///
/// `def` is a definition name (`"Tool"`) or a JSON pointer below the definitions
/// (`"GetTaskRequest/properties/params"`, for params the schema declares inline). An unknown
/// definition is an error too, never a pass.
pub(crate) fn validate(revision: &str, def: &str, instance: &Value) -> Result<(), String> {
    REVISIONS.with(|revisions| {
        let mut revisions = revisions.borrow_mut();
        let rev = revisions
            .entry(revision.to_owned())
            .or_insert_with(|| Revision::load(revision));
        let index = rev.index(def)?;
        rev.schemas
            .validate(instance, index)
            .map_err(|e| format!("{e:#}"))
    })
}

/// Panics unless `instance` is valid against `def` of revision 2025-11-25.
#[track_caller]
pub(crate) fn assert_valid(def: &str, instance: &Value) {
    if let Err(e) = validate(DEFAULT_REVISION, def, instance) {
        panic!(
            "instance is not a valid {def} of revision {DEFAULT_REVISION}:\n{e}\ninstance: {}",
            serde_json::to_string_pretty(instance).unwrap_or_default()
        );
    }
}

/// Panics if `instance` is valid against `def` of revision 2025-11-25 (or if `def` is unknown).
#[track_caller]
pub(crate) fn assert_invalid(def: &str, instance: &Value) {
    match validate(DEFAULT_REVISION, def, instance) {
        Ok(()) => panic!("instance unexpectedly validates as {def}: {instance}"),
        Err(e) if e.starts_with("the schema has no definition") => panic!("{e}"),
        Err(_) => {}
    }
}

/// The names of all definitions of `revision`.
pub(crate) fn definition_names(revision: &str) -> Vec<String> {
    REVISIONS.with(|revisions| {
        let mut revisions = revisions.borrow_mut();
        let rev = revisions
            .entry(revision.to_owned())
            .or_insert_with(|| Revision::load(revision));
        rev.document
            .get(rev.defs_key)
            .and_then(Value::as_object)
            .map(|defs| defs.keys().cloned().collect())
            .unwrap_or_default()
    })
}

/// The `byte` format (OpenAPI): standard base64 with padding.
fn validate_base64(value: &Value) -> Result<(), Box<dyn std::error::Error>> {
    let Some(s) = value.as_str() else {
        return Ok(());
    };
    let body = s.trim_end_matches('=');
    let padding = s.len() - body.len();
    let alphabet_ok = body
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
    if s.len() % 4 == 0 && padding <= 2 && alphabet_ok {
        Ok(())
    } else {
        Err(format!("{s:?} is not standard padded base64").into())
    }
}
