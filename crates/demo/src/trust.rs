//! The demo's TLS trust, as a type only this crate can make.
//!
//! The app's production trust is the anchors an administrator configures. The demo's
//! window has a certificate from the demo's own CA; a client may trust that CA only to talk
//! to that window, on this machine. [`DemoTrust`] carries the CA with that limit: it has no
//! public constructor, so only a running demo window ([`crate::LocalWindow::trust`]) hands
//! one out, and the client accepts it only for a loopback address
//! ([`DemoTrust::allows_host`]).

use std::net::IpAddr;

/// Trust in one demo window's CA, for loopback addresses only.
#[derive(Clone)]
pub struct DemoTrust {
    /// DER certificates of the demo's TLS CA.
    certificates: Vec<Vec<u8>>,
    /// Where they came from, for display.
    source: String,
}

impl std::fmt::Debug for DemoTrust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoTrust")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl DemoTrust {
    /// Private to the crate: made by the demo's window from its own material.
    pub(crate) fn new(certificates: Vec<Vec<u8>>, source: String) -> DemoTrust {
        DemoTrust {
            certificates,
            source,
        }
    }

    /// The CA certificates (DER).
    pub fn certificates(&self) -> impl Iterator<Item = &[u8]> {
        self.certificates.iter().map(Vec::as_slice)
    }

    /// Where the CA came from (the demo's folder).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether a window at `host` (a URL's host: name or IP literal, IPv6 with or without
    /// brackets) may be trusted through the demo's CA: loopback IP addresses only. Not
    /// `localhost`, whose resolution the system's configuration decides.
    pub fn allows_host(host: &str) -> bool {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

#[cfg(test)]
mod tests {
    use super::DemoTrust;

    #[test]
    fn only_loopback_addresses() {
        for ok in ["127.0.0.1", "127.8.9.10", "::1", "[::1]"] {
            assert!(DemoTrust::allows_host(ok), "{ok}");
        }
        for no in [
            "localhost",
            "10.0.0.1",
            "window.example.jp",
            "0.0.0.0",
            "::",
            "[::ffff:8.8.8.8]",
            "",
            "127.0.0.1.example",
        ] {
            assert!(!DemoTrust::allows_host(no), "{no}");
        }
    }
}
