//! madoguchi-pki

pub mod certificate;
pub mod checks;
pub mod cms;
mod der_set;
pub mod era;
pub mod holder;
pub mod request;
pub mod wire;
pub mod x509;

pub use certificate::{PkiError, SigningCertificate, ValidityState};
pub use checks::{Addressee, IssuerCheck, KnownCa};
pub use era::{Era, JapaneseDate};
pub use holder::{BirthDate, HolderError, HolderFacts, Sex};
