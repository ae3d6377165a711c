//! The demo's test PKI and card profiles: the layout of `fixtures/` (`pki/`, `cards/<name>/`),
//! either made at run time with a secret seed in a private folder ([`Material::generate`],
//! what `--demo` uses) or read from a folder that holds it ([`Material::from_dir`]: the
//! committed `fixtures/`, for tests that want fixed bytes).
//!
//! The generator here is also what writes `fixtures/` (`cargo run -p madoguchi-fixtures`),
//! with [`Seed::Fixtures`].

mod pki;
mod x509;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result};

pub use pki::{Generator, generate_all, profile_names};
pub use x509::Seed;

use crate::Profile;

/// Files to write, keyed by their path relative to the output folder (always with `/`).
pub type Files = BTreeMap<String, Vec<u8>>;

/// Environment variable naming a folder with ready-made demo material (the layout of
/// `fixtures/`): tests point it at the committed fixtures so that every run shows the same
/// certificates. Unset, the demo makes its own.
pub const MATERIAL_ENV: &str = "MADOGUCHI_DEMO_MATERIAL";

/// A folder of demo material.
pub struct Material {
    root: PathBuf,
    source: Source,
}

enum Source {
    /// Ready-made: every file is already there.
    Dir,
    /// Made here; more cards are issued on demand. The folder (0700, removed on drop)
    /// holds the only copy of the keys.
    Generated {
        generator: Box<Mutex<Generator>>,
        _dir: tempfile::TempDir,
    },
}

impl std::fmt::Debug for Material {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Material")
            .field("root", &self.root)
            .field(
                "generated",
                &matches!(self.source, Source::Generated { .. }),
            )
            .finish()
    }
}

impl Material {
    /// What the demo uses: the folder of [`MATERIAL_ENV`] if set, else [`Material::generate`].
    pub fn for_demo() -> Result<Material> {
        match std::env::var_os(MATERIAL_ENV).filter(|v| !v.is_empty()) {
            Some(dir) => Material::from_dir(Path::new(&dir)),
            None => Material::generate(),
        }
    }

    /// Ready-made material in `root` (it must hold `pki/` and `cards/`).
    pub fn from_dir(root: &Path) -> Result<Material> {
        for sub in [
            "pki/tls-ca.pem",
            "pki/server.pem",
            "pki/sign-ca.der",
            "cards",
        ] {
            if !root.join(sub).exists() {
                anyhow::bail!("{} is not demo material: {sub} is missing", root.display());
            }
        }
        Ok(Material {
            root: root.to_path_buf(),
            source: Source::Dir,
        })
    }

    /// A new PKI with a secret seed, in a private temporary folder: the CAs and the
    /// window's certificate now, each card when first opened.
    pub fn generate() -> Result<Material> {
        let dir = private_dir("madoguchi-demo-").context("creating the demo's folder")?;
        let mut generator = Generator::new(Seed::random())?;
        write(dir.path(), generator.take())?;
        Ok(Material {
            root: dir.path().to_path_buf(),
            source: Source::Generated {
                generator: Box::new(Mutex::new(generator)),
                _dir: dir,
            },
        })
    }

    /// The folder (`pki/`, `cards/`).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A file of `pki/`.
    pub fn pki(&self, file: &str) -> PathBuf {
        self.root.join("pki").join(file)
    }

    /// The profile file (`card.toml`) of a card, issued first if needed.
    pub fn card(&self, profile: Profile) -> Result<PathBuf> {
        let dir = profile.card().name();
        let path = self.root.join("cards").join(dir).join("card.toml");
        if let Source::Generated { generator, .. } = &self.source {
            let mut generator = generator.lock().unwrap_or_else(|e| e.into_inner());
            if !path.exists() {
                generator.card(dir)?;
                write(&self.root, generator.take())?;
            }
        }
        if !path.exists() {
            anyhow::bail!("no demo card {dir} in {}", self.root.display());
        }
        Ok(path)
    }

    /// The signing CA certificate (DER) the demo cards chain to: what the demo's local
    /// issuer check knows.
    pub fn signing_ca(&self) -> Result<Vec<u8>> {
        let path = self.pki("sign-ca.der");
        std::fs::read(&path).with_context(|| format!("reading {}", path.display()))
    }
}

/// A new temporary folder only its owner can enter (0700 on Unix), removed
/// when dropped.
pub fn private_dir(prefix: &str) -> std::io::Result<tempfile::TempDir> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    builder.tempdir()
}

/// Write `files` under `root`, keys readable by the owner only.
pub fn write(root: &Path, files: Files) -> Result<()> {
    for (rel, bytes) in files {
        let path = root.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        write_private(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    // The folder is the user's own temporary folder (tempfile), private on Windows.
    std::fs::write(path, bytes)
}
