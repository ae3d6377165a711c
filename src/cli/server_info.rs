//! `madoguchi server-info`: connect to the online window and show who it is
//! (the manual's "鍵マーク / 証明書の表示", 2.1.1 / 3.1.1).

use super::{Failure, exit, procedure};
use crate::client::{Client, ClientConfig};
use crate::{fl, presentation};

pub fn run(config: &ClientConfig, json: bool) -> Result<(), Failure> {
    let network = |e: crate::client::ClientError| Failure {
        number: e.catalogue_number(),
        exit: exit::NETWORK,
        detail: Some(e.to_string()),
    };
    let client = Client::new(config).map_err(network)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure {
            number: 310,
            exit: exit::FAILURE,
            detail: Some(e.to_string()),
        })?;
    let identity = runtime.block_on(client.identity()).map_err(network)?;
    if json {
        let mut v = procedure::identity_json(&identity);
        v["anchors"] = serde_json::json!({
            "source": config.trust.source(),
            "subjects": config.trust.subjects(),
        });
        println!("{v:#}");
        return Ok(());
    }
    println!("{}", fl!("server-info-title"));
    println!("  {}: {}", fl!("server-info-url"), identity.url);
    println!("  {}: {}", fl!("cert-subject"), identity.subject);
    println!("  {}: {}", fl!("cert-issuer"), identity.issuer);
    // As the app shows them.
    println!(
        "  {}: {}",
        fl!("cert-serial"),
        identity.serial.to_uppercase()
    );
    println!(
        "  {}: {}",
        fl!("cert-valid-from"),
        presentation::when(&identity.not_before)
    );
    println!(
        "  {}: {}",
        fl!("cert-valid-until"),
        presentation::when(&identity.not_after)
    );
    println!(
        "  {}: {}",
        fl!("cert-fingerprint"),
        identity.sha256_fingerprint
    );
    if let Some(v) = &identity.tls_version {
        println!("  {}: {v}", fl!("server-info-tls"));
    }
    println!(
        "  {}: {} ({})",
        fl!("server-info-anchor"),
        config.trust.subjects().join("; "),
        config.trust.source()
    );
    println!("{}", fl!("server-info-trusted"));
    Ok(())
}
