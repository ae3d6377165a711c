//! The counter terminal's staff unlock: a PIN an administrator sets in the
//! preset (`staff_pin`), stored only as an Argon2id hash in PHC form (salted,
//! slow), never as the PIN itself. `madoguchi staff-pin-hash` makes the
//! string to put there.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

/// The shortest staff PIN accepted when making a hash.
pub const MIN_LENGTH: usize = 6;

/// What can go wrong with the staff unlock.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StaffPinError {
    /// The PIN typed is not the one the preset holds (E502).
    #[error("the staff PIN is not correct")]
    Wrong,
    /// The preset's `staff_pin` is not an Argon2 PHC string (E503).
    #[error("the preset's staff_pin is not an Argon2 hash: {0}")]
    BadHash(String),
    /// A PIN too short to make a hash of (E503).
    #[error("a staff PIN needs at least {MIN_LENGTH} characters")]
    TooShort,
}

impl StaffPinError {
    /// The entry number in `docs/errors.md`.
    pub fn catalogue_number(&self) -> u16 {
        match self {
            StaffPinError::Wrong => 502,
            StaffPinError::BadHash(_) | StaffPinError::TooShort => 503,
        }
    }
}

/// Argon2id with OWASP's first recommended setting (19 MiB, 2 passes, 1 lane):
/// tens of milliseconds a try here, which a counter clerk does not notice and
/// a guesser does.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string of `pin` with a fresh random salt.
pub fn hash(pin: &Zeroizing<String>) -> Result<String, StaffPinError> {
    if pin.chars().count() < MIN_LENGTH {
        return Err(StaffPinError::TooShort);
    }
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StaffPinError::BadHash(e.to_string()))
}

/// Check that `phc` is usable (when the preset is read).
pub fn check_hash(phc: &str) -> Result<(), StaffPinError> {
    let parsed = PasswordHash::new(phc).map_err(|e| StaffPinError::BadHash(e.to_string()))?;
    if !parsed.algorithm.as_str().starts_with("argon2") {
        return Err(StaffPinError::BadHash(format!(
            "algorithm {}",
            parsed.algorithm
        )));
    }
    Ok(())
}

/// Whether `pin` is the one `phc` was made from. The parameters come from
/// the string, so a hash made with stronger ones still verifies.
pub fn verify(phc: &str, pin: &Zeroizing<String>) -> Result<(), StaffPinError> {
    check_hash(phc)?;
    let parsed = PasswordHash::new(phc).map_err(|e| StaffPinError::BadHash(e.to_string()))?;
    Argon2::default()
        .verify_password(pin.as_bytes(), &parsed)
        .map_err(|e| match e {
            argon2::password_hash::Error::Password => StaffPinError::Wrong,
            other => StaffPinError::BadHash(other.to_string()),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pin(s: &str) -> Zeroizing<String> {
        Zeroizing::new(s.to_owned())
    }

    #[test]
    fn a_hash_verifies_its_pin_only() {
        let h = hash(&pin("counter-2026")).unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(!h.contains("counter-2026"));
        assert_eq!(verify(&h, &pin("counter-2026")), Ok(()));
        assert_eq!(verify(&h, &pin("counter-2027")), Err(StaffPinError::Wrong));
        assert_eq!(verify(&h, &pin("")), Err(StaffPinError::Wrong));
        // Salted: the same PIN never gives the same string.
        assert_ne!(h, hash(&pin("counter-2026")).unwrap());
    }

    #[test]
    fn bad_hashes_and_short_pins_are_numbered_errors() {
        for bad in ["", "1234", "$2b$12$abcdefghijklmnopqrstuv", "$sha256$x$y"] {
            let e = verify(bad, &pin("123456")).unwrap_err();
            assert_eq!(e.catalogue_number(), 503, "{bad}: {e:?}");
        }
        assert_eq!(hash(&pin("12345")), Err(StaffPinError::TooShort));
        for n in [502, 503] {
            assert!(crate::errors::entry(n).is_some(), "E{n}");
        }
    }
}
