//! Secrets (passwords and PINs) in memory.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// A password or PIN as typed. Zeroed on drop; `Debug` shows nothing of it;
/// there is no `Display`, `Serialize` or `Clone`, so it cannot be printed,
/// stored or copied around by accident.
#[derive(Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// Take ownership of a zeroizing string without copying it.
    pub fn from_zeroizing(mut value: Zeroizing<String>) -> Self {
        Secret(std::mem::take(&mut *value))
    }

    /// The secret's characters. Keep the borrow short.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_value() {
        let s = Secret::new("ABC123");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(s.expose(), "ABC123");
    }
}
