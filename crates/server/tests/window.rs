//! The online window over TLS on 127.0.0.1: every outcome, idempotency, CRL issue/import,
//! limits, and the bad-input corpus.

mod common;

use std::time::{Duration, SystemTime};

use common::*;
use der::{Any, Decode, Encode};
use madoguchi_pki::request::Procedure;
use madoguchi_pki::request::{RequestDocument, RequestHolder};
use madoguchi_pki::wire::{MEDIA_TYPE_CMS, Outcome};
use madoguchi_server::config::Limits;
use madoguchi_server::material::{CrlSigner, TrustedCa};
use madoguchi_server::store::{CrlRecord, RequestRecord, StoreError, Transaction};
use madoguchi_server::testkit::{TestCa, TestHolder, holder_facts};
use madoguchi_server::{SqliteStore, Store};

both_stores!(
    revocation_lifecycle_reaches_every_status_outcome,
    imported_crl_revokes_and_bad_crls_are_refused,
    certificate_outcomes_in_check_order,
    challenge_rules,
    busy_when_every_slot_is_taken,
    bad_input_corpus_is_malformed_request,
    fixture_cards_reach_their_outcomes,
);

/// A window on a fresh database of `kind`; `None`: skipped (PostgreSQL missing, outside CI).
async fn window_on(kind: Kind, limits: Limits) -> Option<(Db, Harness)> {
    let db = Db::fresh(kind)?;
    let w = start_window(limits, Some(db.open().await)).await;
    Some((db, w))
}

fn crl_signer() -> CrlSigner {
    let d = pki_dir();
    CrlSigner::load(&d.join("sign-ca.der"), &d.join("sign-ca-key.pem")).unwrap()
}

async fn revocation_lifecycle_reaches_every_status_outcome(kind: Kind) {
    let Some((db, w)) = window_on(kind, Limits::default()).await else {
        return;
    };
    let alice = holder(0x5001);
    let bob = holder(0x5002);

    // valid (3.1.9)
    let a = w.run(&alice, Procedure::ValidityCheck).await;
    assert_eq!(
        (a.status, a.answer.outcome),
        (200, Outcome::Valid),
        "{}",
        a.body
    );
    assert!(a.answer.receipt_id.is_some());
    assert_eq!(a.answer.procedure, Some(Procedure::ValidityCheck));
    assert_eq!(a.answer.certificate.as_ref().unwrap().serial, "5001");

    // accepted (2.1.9)
    let c = w.challenge().await;
    let signed = alice.signed_request(Procedure::Revocation, &c.challenge);
    let accepted = w.submit(Procedure::Revocation, signed.clone()).await;
    assert_eq!(
        (accepted.status, accepted.answer.outcome),
        (200, Outcome::Accepted),
        "{}",
        accepted.body
    );
    let receipt = accepted.answer.receipt_id.clone().unwrap();
    assert!(accepted.answer.accepted_at.is_some());

    // The same signed request again: the same answer, byte for byte, and one record.
    let again = w.submit(Procedure::Revocation, signed.clone()).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body, accepted.body);

    // duplicate_request (2.2.15): another revocation request for the same certificate.
    let dup = w.run(&alice, Procedure::Revocation).await;
    assert_eq!(
        (dup.status, dup.answer.outcome),
        (200, Outcome::DuplicateRequest)
    );
    assert_eq!(
        dup.answer.accepted_receipt_id.as_deref(),
        Some(receipt.as_str())
    );
    assert_ne!(dup.answer.receipt_id.as_deref(), Some(receipt.as_str()));

    // revocation_accepted (3.1.12): before the next CRL.
    let ra = w.run(&alice, Procedure::ValidityCheck).await;
    assert_eq!(
        (ra.status, ra.answer.outcome),
        (200, Outcome::RevocationAccepted)
    );
    assert_eq!(
        ra.answer.accepted_receipt_id.as_deref(),
        Some(receipt.as_str())
    );
    // Bob is unaffected.
    assert_eq!(
        w.run(&bob, Procedure::ValidityCheck).await.answer.outcome,
        Outcome::Valid
    );

    // No CRL yet.
    let r = w
        .client
        .get(format!("{}/v1/crl", w.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);

    // crl issue: the revocation takes effect.
    let summary = db
        .with(|side| {
            madoguchi_server::crl::issue(
                side,
                &crl_signer(),
                SystemTime::now(),
                Duration::from_secs(86400),
            )
            .unwrap()
        })
        .await;
    assert_eq!((summary.crl_number, summary.entries), (Some(1), 1));

    // revoked (3.1.11) and already_revoked (2.2.14)
    let rv = w.run(&alice, Procedure::ValidityCheck).await;
    assert_eq!((rv.status, rv.answer.outcome), (200, Outcome::Revoked));
    assert!(rv.answer.revoked_at.is_some());
    let ar = w.run(&alice, Procedure::Revocation).await;
    assert_eq!(
        (ar.status, ar.answer.outcome),
        (200, Outcome::AlreadyRevoked)
    );

    // The earlier answer is still returned for the earlier request.
    assert_eq!(
        w.submit(Procedure::Revocation, signed).await.body,
        accepted.body
    );

    // GET /v1/crl serves it, and it verifies under the signing CA.
    let r = w
        .client
        .get(format!("{}/v1/crl", w.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.headers().get("content-type").unwrap().to_str().unwrap(),
        "application/pkix-crl"
    );
    let crl_der = r.bytes().await.unwrap().to_vec();
    assert_eq!(crl_der, summary.der);
    let (crl, _) = madoguchi_server::crl::decode_crl(&crl_der).unwrap();
    let ca = TrustedCa::load(&pki_dir().join("sign-ca.der")).unwrap();
    madoguchi_server::crl::verify_crl(&crl, std::slice::from_ref(&ca)).unwrap();
    let revoked = crl.tbs_cert_list.revoked_certificates.unwrap();
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0].serial_number.as_bytes(), &[0x50, 0x01]);

    // The record list: one accepted revocation, revoked now; nothing twice.
    let list: Vec<RequestRecord> = db.with(|side| side.list_requests().unwrap()).await;
    let accepted_rows: Vec<_> = list.iter().filter(|r| r.outcome == "accepted").collect();
    assert_eq!(accepted_rows.len(), 1);
    assert_eq!(accepted_rows[0].receipt_id, receipt);
    assert_eq!(accepted_rows[0].status, "revoked");
    assert_eq!(accepted_rows[0].holder_name, alice.holder.name);
    let mut receipts: Vec<_> = list.iter().map(|r| r.receipt_id.clone()).collect();
    receipts.sort();
    receipts.dedup();
    assert_eq!(receipts.len(), list.len());
    // valid, accepted, duplicate, revocation_accepted, bob valid, revoked, already_revoked
    assert_eq!(list.len(), 7);

    // A second CRL keeps the entry and counts up.
    let s2 = db
        .with(|side| {
            madoguchi_server::crl::issue(
                side,
                &crl_signer(),
                SystemTime::now(),
                Duration::from_secs(86400),
            )
            .unwrap()
        })
        .await;
    assert_eq!((s2.crl_number, s2.entries), (Some(2), 1));
    w.server.shutdown().await;
}

async fn imported_crl_revokes_and_bad_crls_are_refused(kind: Kind) {
    let Some((db, w)) = window_on(kind, Limits::default()).await else {
        return;
    };
    let carol = holder(0x6001);
    assert_eq!(
        w.run(&carol, Procedure::ValidityCheck).await.answer.outcome,
        Outcome::Valid
    );

    // A CRL issued elsewhere (another database) by the signing CA, holding carol.
    let other_dir = tempfile::tempdir().unwrap();
    let mut other = SqliteStore::open(&other_dir.path().join("other.db")).unwrap();
    {
        let c = w.challenge().await;
        let _ = c; // the other window only needs an accepted revocation on record
    }
    let mut tx = other.transaction().unwrap();
    let issuer_der = sign_ca()
        .certificate
        .tbs_certificate
        .subject
        .to_der()
        .unwrap();
    tx.insert_request(&madoguchi_server::store::NewRecord {
        receipt_id: "R-elsewhere",
        request_hash: &[7; 32],
        challenge: madoguchi_server::challenge::Ticket {
            nonce: [7; 12],
            expires_at: 0,
        },
        procedure: "revocation",
        outcome: "accepted",
        issuer_der: &issuer_der,
        issuer_text: "elsewhere",
        serial: "6001",
        holder_name: "x",
        received_at: "2026-11-20T00:00:00Z",
        answer_json: "{}",
        document: b"{}",
        cms: b"",
    })
    .unwrap();
    tx.commit().unwrap();
    let issued = madoguchi_server::crl::issue(
        &mut other,
        &crl_signer(),
        SystemTime::now(),
        Duration::from_secs(86400),
    )
    .unwrap();

    let cas = vec![TrustedCa::load(&pki_dir().join("sign-ca.der")).unwrap()];
    // PEM form is accepted too.
    let pem = der::pem::encode_string("X509 CRL", der::pem::LineEnding::LF, &issued.der).unwrap();
    let cas2 = cas.clone();
    let imported = db
        .with(move |side| {
            madoguchi_server::crl::import(side, &cas2, pem.as_bytes(), SystemTime::now()).unwrap()
        })
        .await;
    assert_eq!(imported.entries, 1);
    assert_eq!(
        w.run(&carol, Procedure::ValidityCheck).await.answer.outcome,
        Outcome::Revoked
    );
    assert_eq!(
        w.run(&carol, Procedure::Revocation).await.answer.outcome,
        Outcome::AlreadyRevoked
    );

    db.with(move |side| refusals(side, &cas, &issued.der)).await;
    w.server.shutdown().await;
}

fn refusals(side: &mut dyn Store, cas: &[TrustedCa], issued: &[u8]) {
    // Tampered: signature fails.
    let mut bad = issued.to_vec();
    let n = bad.len();
    bad[n - 5] ^= 0x40;
    assert!(matches!(
        madoguchi_server::crl::import(side, cas, &bad, SystemTime::now()),
        Err(madoguchi_server::crl::CrlError::BadSignature)
    ));
    // Signed by an unknown CA.
    let foreign = TrustedCa::load(&pki_dir().join("foreign-sign-ca.der")).unwrap();
    assert!(matches!(
        madoguchi_server::crl::import(
            side,
            std::slice::from_ref(&foreign),
            issued,
            SystemTime::now()
        ),
        Err(madoguchi_server::crl::CrlError::UnknownIssuer(_))
    ));
    // The impostor CA has the same name but another key.
    let impostor = TrustedCa::load(&pki_dir().join("impostor-sign-ca.der")).unwrap();
    assert!(matches!(
        madoguchi_server::crl::import(
            side,
            std::slice::from_ref(&impostor),
            issued,
            SystemTime::now()
        ),
        Err(madoguchi_server::crl::CrlError::BadSignature)
    ));
    // Not a CRL.
    assert!(matches!(
        madoguchi_server::crl::import(side, cas, b"garbage", SystemTime::now()),
        Err(madoguchi_server::crl::CrlError::NotCrl(_))
    ));
}

async fn certificate_outcomes_in_check_order(kind: Kind) {
    let Some((_db, w)) = window_on(kind, Limits::default()).await else {
        return;
    };
    let now = SystemTime::now();
    let key = holder_key();

    // certificate_expired (2.2.9 / 3.2.9): issued by the signing CA, expired.
    let facts = holder_facts(0x7001);
    let expired_cert = sign_ca().issue_holder(
        0x7001,
        &facts,
        &key.to_public_key(),
        now - Duration::from_secs(10 * 86400),
        now - Duration::from_secs(86400),
    );
    let expired = TestHolder::new(expired_cert, key.clone(), facts);
    for p in [Procedure::Revocation, Procedure::ValidityCheck] {
        let a = w.run(&expired, p).await;
        assert_eq!(
            (a.status, a.answer.outcome),
            (422, Outcome::CertificateExpired),
            "{}",
            a.body
        );
        assert!(a.answer.receipt_id.is_none());
    }

    // issuer_mismatch (2.2.11 / 3.1.10): a CA the window does not know.
    let foreign_ca = TestCa::load(
        &pki_dir().join("foreign-sign-ca.der"),
        &pki_dir().join("foreign-sign-ca-key.pem"),
    )
    .unwrap();
    let foreign = TestHolder::issue(&foreign_ca, 0x7002, key, Duration::from_secs(86400));
    for p in [Procedure::Revocation, Procedure::ValidityCheck] {
        let a = w.run(&foreign, p).await;
        assert_eq!((a.status, a.answer.outcome), (422, Outcome::IssuerMismatch));
    }

    // certificate_invalid (2.2.12 / 3.2.11): the same issuer name, another key.
    let impostor_ca = TestCa::load(
        &pki_dir().join("impostor-sign-ca.der"),
        &pki_dir().join("impostor-sign-ca-key.pem"),
    )
    .unwrap();
    let impostor = TestHolder::issue(&impostor_ca, 0x7003, key, Duration::from_secs(86400));
    for p in [Procedure::Revocation, Procedure::ValidityCheck] {
        let a = w.run(&impostor, p).await;
        assert_eq!(
            (a.status, a.answer.outcome),
            (422, Outcome::CertificateInvalid)
        );
    }
    // An expired impostor is still certificate_invalid: the signature is checked before expiry.
    let facts = holder_facts(0x7004);
    let old_impostor = TestHolder::new(
        impostor_ca.issue_holder(
            0x7004,
            &facts,
            &key.to_public_key(),
            now - Duration::from_secs(10 * 86400),
            now - Duration::from_secs(86400),
        ),
        key.clone(),
        facts,
    );
    assert_eq!(
        w.run(&old_impostor, Procedure::Revocation)
            .await
            .answer
            .outcome,
        Outcome::CertificateInvalid
    );
    // Not valid yet: certificate_invalid.
    let facts = holder_facts(0x7005);
    let future = TestHolder::new(
        sign_ca().issue_holder(
            0x7005,
            &facts,
            &key.to_public_key(),
            now + Duration::from_secs(86400),
            now + Duration::from_secs(2 * 86400),
        ),
        key.clone(),
        facts,
    );
    assert_eq!(
        w.run(&future, Procedure::ValidityCheck)
            .await
            .answer
            .outcome,
        Outcome::CertificateInvalid
    );

    // request_signature_invalid (2.2.13 / 3.2.12): a signature made for other content.
    let h = holder(0x7006);
    for p in [Procedure::Revocation, Procedure::ValidityCheck] {
        let c = w.challenge().await;
        let good = h.signed_request(p, &c.challenge);
        let other_doc = h
            .document(p, &w.challenge().await.challenge)
            .to_canonical_bytes();
        let forged = swap_content(&good, &other_doc);
        let a = w.submit(p, forged).await;
        assert_eq!(
            (a.status, a.answer.outcome),
            (422, Outcome::RequestSignatureInvalid),
            "{}",
            a.body
        );
        // A signature by another key than the certificate's.
        let doc = h
            .document(p, &w.challenge().await.challenge)
            .to_canonical_bytes();
        let forged = sign_with_wrong_key(&h, other_key(), 0x7006, &doc);
        let a = w.submit(p, forged).await;
        assert_eq!(
            (a.status, a.answer.outcome),
            (422, Outcome::RequestSignatureInvalid)
        );
    }
    w.server.shutdown().await;
}

fn other_key() -> &'static rsa::RsaPrivateKey {
    static KEY: std::sync::OnceLock<rsa::RsaPrivateKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        madoguchi_server::material::read_rsa_private_key(
            &madoguchi_server::testkit::fixtures_dir().join("cards/rare-kanji/sign-key.pem"),
        )
        .unwrap()
    })
}

/// A CMS whose signature was made by another key than the certificate's: signed properly
/// with a certificate for `wrong_key` carrying the same issuer and serial, then the real
/// certificate put in its place.
fn sign_with_wrong_key(
    real: &TestHolder,
    wrong_key: &rsa::RsaPrivateKey,
    serial: u64,
    content: &[u8],
) -> Vec<u8> {
    let cert_for_wrong_key = sign_ca().issue_holder(
        serial,
        &real.holder,
        &wrong_key.to_public_key(),
        SystemTime::now() - Duration::from_secs(3600),
        SystemTime::now() + Duration::from_secs(86400),
    );
    let signed = madoguchi_pki::cms::sign(content, &cert_for_wrong_key, SystemTime::now(), |di| {
        madoguchi_server::testkit::card_sign(wrong_key, di)
    })
    .unwrap();
    edit_signed_data(&signed, |sd| {
        let cert = x509_cert::Certificate::from_der(&real.certificate_der).unwrap();
        sd.certificates = Some(
            ::cms::signed_data::CertificateSet::try_from(vec![
                ::cms::cert::CertificateChoices::Certificate(cert),
            ])
            .unwrap(),
        );
    })
}

/// Replaces the encapsulated content, keeping the signature.
fn swap_content(cms_der: &[u8], content: &[u8]) -> Vec<u8> {
    edit_signed_data(cms_der, |sd| {
        sd.encap_content_info.econtent = Some(
            Any::encode_from(&der::asn1::OctetString::new(content.to_vec()).unwrap()).unwrap(),
        );
    })
}

pub fn edit_signed_data(
    cms_der: &[u8],
    edit: impl FnOnce(&mut ::cms::signed_data::SignedData),
) -> Vec<u8> {
    let ci = ::cms::content_info::ContentInfo::from_der(cms_der).unwrap();
    let mut sd: ::cms::signed_data::SignedData = ci.content.decode_as().unwrap();
    edit(&mut sd);
    ::cms::content_info::ContentInfo {
        content_type: ci.content_type,
        content: Any::encode_from(&sd).unwrap(),
    }
    .to_der()
    .unwrap()
}

async fn challenge_rules(kind: Kind) {
    let Some((_db, w)) = window_on(kind, Limits::default()).await else {
        return;
    };
    let h = holder(0x8001);

    let c = w.challenge().await;
    assert_eq!(
        c.challenge.len(),
        madoguchi_server::challenge::CHALLENGE_HEX_LEN
    );
    let expires = madoguchi_pki::request::parse_time(&c.expires_at).unwrap();
    let left = expires - time::OffsetDateTime::now_utc();
    assert!(left <= time::Duration::seconds(301) && left >= time::Duration::seconds(240));

    // Unknown challenge.
    let a = w
        .submit(
            Procedure::ValidityCheck,
            h.signed_request(Procedure::ValidityCheck, "0123456789abcdef0123456789abcdef"),
        )
        .await;
    assert_eq!(
        (a.status, a.answer.outcome),
        (409, Outcome::ChallengeInvalid)
    );
    assert!(a.answer.receipt_id.is_none());

    // Reused challenge: a second, different document with the same challenge.
    let first = h.signed_request(Procedure::ValidityCheck, &c.challenge);
    assert_eq!(
        w.submit(Procedure::ValidityCheck, first)
            .await
            .answer
            .outcome,
        Outcome::Valid
    );
    let bob = holder(0x8002);
    let reuse = w
        .submit(
            Procedure::Revocation,
            bob.signed_request(Procedure::Revocation, &c.challenge),
        )
        .await;
    assert_eq!(
        (reuse.status, reuse.answer.outcome),
        (409, Outcome::ChallengeInvalid)
    );
    assert!(reuse.answer.detail.unwrap().contains("already used"));
    // Bob was not revoked by that.
    assert_eq!(
        w.run(&bob, Procedure::ValidityCheck).await.answer.outcome,
        Outcome::Valid
    );

    // Expired challenge: five minutes and a second later.
    let c = w.challenge().await;
    let signed = h.signed_request(Procedure::Revocation, &c.challenge);
    w.clock.advance(301);
    let a = w.submit(Procedure::Revocation, signed).await;
    assert_eq!(
        (a.status, a.answer.outcome),
        (409, Outcome::ChallengeInvalid)
    );
    assert!(a.answer.detail.unwrap().contains("expired"));
    w.clock.advance(-301);
    // Nothing was recorded for it: the holder can still revoke.
    assert_eq!(
        w.run(&h, Procedure::Revocation).await.answer.outcome,
        Outcome::Accepted
    );

    // A revocation sent again once its challenge has expired (its answer was lost, the app
    // sends it again the next day): its first answer, byte for byte, and one record.
    let carol = holder(0x8003);
    let c = w.challenge().await;
    let signed = carol.signed_request(Procedure::Revocation, &c.challenge);
    let first = w.submit(Procedure::Revocation, signed.clone()).await;
    assert_eq!(first.answer.outcome, Outcome::Accepted);
    w.clock.advance(86_400);
    let again = w.submit(Procedure::Revocation, signed).await;
    w.clock.advance(-86_400);
    assert_eq!((again.status, again.body), (first.status, first.body));
    w.server.shutdown().await;
}

async fn busy_when_every_slot_is_taken(kind: Kind) {
    let limits = Limits {
        max_concurrent_requests: 2,
        retry_after_secs: 7,
        ..Limits::default()
    };
    let Some((_db, w)) = window_on(kind, limits).await else {
        return;
    };
    let h = holder(0x8101);
    let c = w.challenge().await;
    let signed = h.signed_request(Procedure::Revocation, &c.challenge);
    // Take every slot, as two slow requests in progress would.
    let limiter = w.server.state().limiter();
    let held = limiter.clone().acquire_many_owned(2).await.unwrap();
    let a = w.submit(Procedure::Revocation, signed.clone()).await;
    assert_eq!((a.status, a.answer.outcome), (503, Outcome::Busy));
    assert_eq!(a.retry_after.as_deref(), Some("7"));
    assert_eq!(a.answer.retry_after, Some(7));
    // Challenges are refused too; health is not limited.
    let r = w
        .client
        .post(format!("{}/v1/challenges", w.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 503);
    let r = w
        .client
        .get(format!("{}/healthz", w.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    drop(held);
    // The same request goes through once there is room: busy recorded nothing.
    let a = w.submit(Procedure::Revocation, signed).await;
    assert_eq!((a.status, a.answer.outcome), (200, Outcome::Accepted));
    w.server.shutdown().await;
}

/// A store whose every transaction fails (a full disk, a broken database).
struct BrokenStore;

impl Store for BrokenStore {
    fn transaction(&mut self) -> Result<Box<dyn Transaction + '_>, StoreError> {
        Err(StoreError::Other("disk on fire".into()))
    }
    fn list_requests(&mut self) -> Result<Vec<RequestRecord>, StoreError> {
        Err(StoreError::Other("disk on fire".into()))
    }
    fn latest_crl(&mut self, _: Option<&[u8]>) -> Result<Option<CrlRecord>, StoreError> {
        Err(StoreError::Other("disk on fire".into()))
    }
    fn challenge_key(&mut self) -> Result<[u8; 32], StoreError> {
        // Read at start, before the disk caught fire.
        Ok([1; 32])
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_error_when_the_store_fails() {
    let w = start_window(Limits::default(), Some(Box::new(BrokenStore))).await;
    let h = holder(0x8201);
    for p in [Procedure::Revocation, Procedure::ValidityCheck] {
        let a = w.run(&h, p).await;
        assert_eq!(
            (a.status, a.answer.outcome),
            (500, Outcome::ServiceError),
            "{}",
            a.body
        );
        assert!(!a.body.contains("fire"), "internal details stay inside");
    }
    let r = w
        .client
        .get(format!("{}/v1/crl", w.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 500);
    w.server.shutdown().await;
}

fn sign_doc(h: &TestHolder, doc: &RequestDocument) -> Vec<u8> {
    h.sign_bytes(&doc.to_canonical_bytes())
}

async fn bad_input_corpus_is_malformed_request(kind: Kind) {
    let limits = Limits {
        max_body_bytes: 16 * 1024,
        ..Limits::default()
    };
    let Some((_db, w)) = window_on(kind, limits).await else {
        return;
    };
    let h = holder(0x9001);
    let c = w.challenge().await;
    let good = h.signed_request(Procedure::Revocation, &c.challenge);

    let mut corpus: Vec<(&str, Vec<u8>)> = vec![
        ("empty body", Vec::new()),
        ("garbage", b"hello".to_vec()),
        ("truncated CMS", good[..good.len() / 2].to_vec()),
        ("truncated by one byte", good[..good.len() - 1].to_vec()),
        ("trailing byte", [good.as_slice(), &[0]].concat()),
        (
            "JSON instead of CMS",
            h.document(Procedure::Revocation, &c.challenge)
                .to_canonical_bytes(),
        ),
        (
            "wrong content type",
            edit_signed_data(&good, |sd| {
                sd.encap_content_info.econtent_type = const_oid::db::rfc5911::ID_ENVELOPED_DATA;
            }),
        ),
        (
            "certificate missing",
            edit_signed_data(&good, |sd| sd.certificates = None),
        ),
        (
            "two signers",
            edit_signed_data(&good, |sd| {
                let mut other = sd.signer_infos.0.as_slice()[0].clone();
                other.signature = der::asn1::OctetString::new(vec![3u8; 256]).unwrap();
                sd.signer_infos.0.insert(other).unwrap();
            }),
        ),
        (
            "detached content",
            edit_signed_data(&good, |sd| sd.encap_content_info.econtent = None),
        ),
    ];
    // Wrong JSON fields, properly signed.
    let doc = h.document(Procedure::Revocation, &c.challenge);
    let text = String::from_utf8(doc.to_canonical_bytes()).unwrap();
    corpus.push((
        "unknown JSON field",
        h.sign_bytes(
            text.replacen("{\"version\":1,", "{\"version\":1,\"amount\":1,", 1)
                .as_bytes(),
        ),
    ));
    corpus.push((
        "missing JSON field",
        h.sign_bytes(
            text.replacen(&format!(",\"challenge\":\"{}\"", c.challenge), "", 1)
                .as_bytes(),
        ),
    ));
    corpus.push((
        "not canonical JSON",
        h.sign_bytes(text.replacen(",", ", ", 1).as_bytes()),
    ));
    corpus.push(("JSON of the wrong type", h.sign_bytes(b"[1,2,3]")));
    // The document names another certificate.
    let mut other_cert = doc.clone();
    other_cert.certificate.serial = "01".into();
    corpus.push((
        "document names another certificate",
        sign_doc(&h, &other_cert),
    ));
    // Holder facts that are not the certificate's.
    let mut other_name = doc.clone();
    other_name.holder.name = "別人　花子".into();
    corpus.push((
        "holder facts differ from the certificate",
        sign_doc(&h, &other_name),
    ));
    // Addressed to someone else.
    let mut other_addressee = doc.clone();
    other_addressee.addressee = "東京都知事殿".into();
    corpus.push(("wrong addressee", sign_doc(&h, &other_addressee)));
    // A validity check sent to the revocation endpoint.
    corpus.push((
        "procedure does not match the endpoint",
        h.signed_request(Procedure::ValidityCheck, &c.challenge),
    ));
    // Bad holder facts.
    let mut bad_birth = doc.clone();
    bad_birth.holder = RequestHolder {
        birth_date: "S33".into(),
        ..doc.holder.clone()
    };
    corpus.push((
        "bad birth date",
        h.sign_bytes(&serde_json::to_vec(&bad_birth).unwrap()),
    ));

    for (name, body) in corpus {
        let a = w.submit(Procedure::Revocation, body).await;
        assert_eq!(a.status, 400, "{name}: {}", a.body);
        assert_eq!(a.answer.outcome, Outcome::MalformedRequest, "{name}");
        assert!(a.answer.detail.is_some(), "{name}");
        assert!(a.answer.receipt_id.is_none(), "{name}");
    }

    // Huge body: 413, still malformed_request.
    let a = w
        .submit(Procedure::Revocation, vec![0x30; 1024 * 1024])
        .await;
    assert_eq!(
        (a.status, a.answer.outcome),
        (413, Outcome::MalformedRequest)
    );
    // Wrong media type: 415.
    let a = w
        .post_raw("/v1/revocations", "application/json", good.clone())
        .await;
    assert_eq!(
        (a.status, a.answer.outcome),
        (415, Outcome::MalformedRequest)
    );
    // Unknown endpoint and wrong method.
    let a = w.post_raw("/v1/revoke", MEDIA_TYPE_CMS, good.clone()).await;
    assert_eq!(
        (a.status, a.answer.outcome),
        (404, Outcome::MalformedRequest)
    );
    let r = w
        .client
        .get(format!("{}/v1/revocations", w.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 405);
    let r = w
        .client
        .get(format!("{}/v2/revocations", w.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);

    // After all that, the genuine request still works (its challenge was not spent).
    let a = w.submit(Procedure::Revocation, good).await;
    assert_eq!(
        (a.status, a.answer.outcome),
        (200, Outcome::Accepted),
        "{}",
        a.body
    );
    w.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_body_times_out_with_408() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let limits = Limits {
        read_timeout_secs: 1,
        ..Limits::default()
    };
    let w = start_window(limits, None).await;
    // A raw TLS client that announces a body and never sends it.
    let tls =
        madoguchi_server::material::tls_client_config(&[pki_dir().join("tls-ca.pem").as_path()])
            .unwrap();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(tls));
    let tcp = tokio::net::TcpStream::connect(w.server.local_addr())
        .await
        .unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut s = connector.connect(name, tcp).await.unwrap();
    s.write_all(
        b"POST /v1/revocations HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/cms\r\ncontent-length: 1000\r\n\r\n0",
    )
    .await
    .unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("malformed_request"));
    w.server.shutdown().await;
}

/// A resident whose connection closed (while they entered the password and signed) comes
/// back with a resumed TLS session, with no certificate signature the second time, even
/// after many other residents: the tickets are stateless (a server-side session cache of a
/// few hundred entries would have forgotten them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returning_resident_resumes_the_tls_session() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let w = start_window(Limits::default(), None).await;
    let config = || {
        madoguchi_server::material::tls_client_config(&[pki_dir().join("tls-ca.pem").as_path()])
            .unwrap()
    };
    let resident = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config()));
    let mut others = config();
    others.resumption = rustls::client::Resumption::disabled();
    let others = tokio_rustls::TlsConnector::from(std::sync::Arc::new(others));
    let addr = w.server.local_addr();
    let visit = |connector: tokio_rustls::TlsConnector| async move {
        let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let mut s = connector.connect(name, tcp).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out).await;
        assert!(String::from_utf8_lossy(&out).starts_with("HTTP/1.1 200"));
        s.get_ref().1.handshake_kind()
    };
    assert_eq!(
        visit(resident.clone()).await,
        Some(rustls::HandshakeKind::Full)
    );
    for _ in 0..300 {
        assert_eq!(
            visit(others.clone()).await,
            Some(rustls::HandshakeKind::Full)
        );
    }
    assert_eq!(visit(resident).await, Some(rustls::HandshakeKind::Resumed));
    w.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_tls_versions() {
    let w = start_window(Limits::default(), None).await;
    let r = w
        .client
        .get(format!("{}/healthz", w.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let h: madoguchi_pki::wire::Health = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(h.status, "ok");
    // A client limited to TLS 1.2 still connects; plain HTTP does not get an answer.
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    let (_, ca) =
        madoguchi_server::material::read_certificate(&pki_dir().join("tls-ca.pem")).unwrap();
    roots
        .add(rustls::pki_types::CertificateDer::from(ca))
        .unwrap();
    let tls12 = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let c = reqwest::Client::builder()
        .tls_backend_preconfigured(tls12)
        .build()
        .unwrap();
    let r = c.get(format!("{}/healthz", w.url)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // Plain HTTP gets no HTTP answer.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(w.server.local_addr())
        .await
        .unwrap();
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut out = Vec::new();
    let _ = tcp.read_to_end(&mut out).await;
    assert!(!out.starts_with(b"HTTP/"));
    w.server.shutdown().await;
}

async fn fixture_cards_reach_their_outcomes(kind: Kind) {
    let Some((_db, w)) = window_on(kind, Limits::default()).await else {
        return;
    };
    let cases = [
        ("normal", Procedure::ValidityCheck, 200, Outcome::Valid),
        ("rare-kanji", Procedure::Revocation, 200, Outcome::Accepted),
        (
            "rare-kanji",
            Procedure::ValidityCheck,
            200,
            Outcome::RevocationAccepted,
        ),
        ("juki", Procedure::ValidityCheck, 200, Outcome::Valid),
        (
            "expired",
            Procedure::Revocation,
            422,
            Outcome::CertificateExpired,
        ),
        (
            "expired",
            Procedure::ValidityCheck,
            422,
            Outcome::CertificateExpired,
        ),
        (
            "foreign-ca",
            Procedure::Revocation,
            422,
            Outcome::IssuerMismatch,
        ),
        (
            "foreign-ca",
            Procedure::ValidityCheck,
            422,
            Outcome::IssuerMismatch,
        ),
        (
            "impostor-ca",
            Procedure::Revocation,
            422,
            Outcome::CertificateInvalid,
        ),
        (
            "impostor-ca",
            Procedure::ValidityCheck,
            422,
            Outcome::CertificateInvalid,
        ),
    ];
    for (profile, procedure, status, outcome) in cases {
        let h = TestHolder::from_card(profile).unwrap();
        let a = w.run(&h, procedure).await;
        assert_eq!(
            (a.status, a.answer.outcome),
            (status, outcome),
            "{profile}: {}",
            a.body
        );
    }
    w.server.shutdown().await;
}
