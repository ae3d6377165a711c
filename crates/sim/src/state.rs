//! The state file: retry counters and changed passwords, kept across runs.
//!
//! TOML, one table per secret:
//!
//! ```toml
//! [signing]
//! tries_left = 4
//! reference_hex = "4E4557504153533132"   # only once the password was changed
//! ```
//!
//! Written atomically (temporary file in the same folder, `fsync`, rename)
//! every time a counter or a secret changes, before the card answers.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

/// Failures reading or writing the state file.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot read the state file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the state file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("cannot write the state file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// One secret's persisted state.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SecretRecord {
    pub tries_left: u8,
    /// The current reference value in hex, once changed from the profile's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_hex: Option<String>,
}

#[derive(Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StateDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing: Option<SecretRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<SecretRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_info: Option<SecretRecord>,
}

impl Drop for SecretRecord {
    fn drop(&mut self) {
        if let Some(hex) = &mut self.reference_hex {
            hex.zeroize();
        }
    }
}

/// Read a state file; `Ok(None)` if it does not exist yet.
pub(crate) fn load(path: &Path) -> Result<Option<StateDoc>, StateError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => Zeroizing::new(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(StateError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    toml::from_str(&text)
        .map(Some)
        .map_err(|e| StateError::Parse {
            path: path.to_path_buf(),
            message: describe_toml_error(&text, &e),
        })
}

/// A TOML error as "line N: message", never quoting the line (it may hold a
/// secret).
pub(crate) fn describe_toml_error(text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => format!(
            "line {}: {}",
            text.as_bytes()[..span.start.min(text.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1,
            e.message()
        ),
        None => e.message().to_string(),
    }
}

/// Write the state file atomically.
pub(crate) fn save(path: &Path, doc: &StateDoc) -> Result<(), StateError> {
    let err = |source| StateError::Write {
        path: path.to_path_buf(),
        source,
    };
    let text = Zeroizing::new(
        toml::to_string(doc).map_err(|e| err(std::io::Error::other(e.to_string())))?,
    );
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        #[cfg(unix)]
        if let Ok(d) = std::fs::File::open(&dir) {
            // Make the rename itself durable; failure here loses nothing
            // already written.
            let _ = d.sync_all();
        }
        Ok(())
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        err(e)
    })
}

pub(crate) fn to_hex(bytes: &[u8]) -> Zeroizing<String> {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = Zeroizing::new(String::with_capacity(bytes.len() * 2));
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0F)]));
    }
    s
}

pub(crate) fn from_hex(s: &str) -> Option<Zeroizing<Vec<u8>>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let mut out = Zeroizing::new(Vec::with_capacity(s.len() / 2));
    for pair in s.as_bytes().chunks(2) {
        let hi = char::from(pair[0]).to_digit(16)?;
        let lo = char::from(pair[1]).to_digit(16)?;
        out.push((hi * 16 + lo) as u8);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_roundtrip() {
        let h = to_hex(b"AB\x00\xFF");
        assert_eq!(&*h, "414200FF");
        assert_eq!(&**from_hex(&h).unwrap(), b"AB\x00\xFF");
        assert!(from_hex("4").is_none());
        assert!(from_hex("zz").is_none());
    }

    #[test]
    fn save_and_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.toml");
        assert!(load(&path).unwrap().is_none());
        let doc = StateDoc {
            signing: Some(SecretRecord {
                tries_left: 3,
                reference_hex: Some("41".into()),
            }),
            ..Default::default()
        };
        save(&path, &doc).unwrap();
        let back = load(&path).unwrap().unwrap();
        assert_eq!(back.signing.unwrap().tries_left, 3);
        assert!(back.authentication.is_none());
        // No temporary file left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        std::fs::write(&path, "nonsense = [").unwrap();
        assert!(matches!(load(&path), Err(StateError::Parse { .. })));
    }
}
