//! Durable records: the [`Store`] trait and its SQLite implementation.
//!
//! Everything the window decides after the signature checks happens inside one store
//! transaction ([`Transaction`]); the group committer (`commit.rs`) runs many submissions in
//! one transaction and answers them only after [`Transaction::commit`] returned, which for
//! SQLite (WAL, `synchronous = FULL`) means after the fsync of the write-ahead log.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use crate::challenge::Ticket;

/// A storage failure (→ `service_error`).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite said no.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL said no (or could not be reached).
    #[error("database error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// The database was written by a newer server.
    #[error("database schema version {found} is newer than this server's {known}")]
    TooNew {
        /// Version in the file.
        found: i64,
        /// Newest version this build knows.
        known: i64,
    },
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

impl StoreError {
    /// True when the statement lost a race with another transaction (a unique key taken
    /// meanwhile, a deadlock, a serialization failure): running the same submission again
    /// from its savepoint sees the winner's row and decides from it.
    pub fn is_conflict(&self) -> bool {
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.code == rusqlite::ErrorCode::ConstraintViolation
            }
            StoreError::Postgres(e) => e.code().is_some_and(|c| {
                *c == tokio_postgres::error::SqlState::UNIQUE_VIOLATION
                    || *c == tokio_postgres::error::SqlState::T_R_DEADLOCK_DETECTED
                    || *c == tokio_postgres::error::SqlState::T_R_SERIALIZATION_FAILURE
            }),
            _ => false,
        }
    }
}

/// What the database holds for a document: found by the challenge it carries (its expiry and
/// nonce, the key of every record since schema 4), or for a record made before schema 4 by
/// the document's hash.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Recorded {
    /// Nothing: the document is new, and its challenge unspent.
    #[default]
    Nothing,
    /// This very document was recorded with this answer.
    Answer(String),
    /// Another document was recorded with this challenge: the challenge is spent.
    OtherDocument,
}

/// One recorded request (a row of `requests list`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RequestRecord {
    /// Receipt id given to the client.
    pub receipt_id: String,
    /// SHA-256 of the request document (hex): the idempotency key.
    pub request_hash: String,
    /// `revocation` or `validity_check`.
    pub procedure: String,
    /// The outcome answered.
    pub outcome: String,
    /// Certificate issuer (RFC 4514).
    pub certificate_issuer: String,
    /// Certificate serial (canonical hex).
    pub certificate_serial: String,
    /// Holder name from the request document.
    pub holder_name: String,
    /// When the window received and decided it (RFC 3339 UTC).
    pub received_at: String,
    /// For accepted revocations: `pending` until a CRL holds the certificate, then `revoked`;
    /// `-` for everything else.
    pub status: String,
}

/// A new record to insert.
#[derive(Clone, Debug)]
pub struct NewRecord<'a> {
    /// Receipt id.
    pub receipt_id: &'a str,
    /// SHA-256 of the document.
    pub request_hash: &'a [u8; 32],
    /// The challenge the document carries, spent by this record (a unique key: one record
    /// per challenge).
    pub challenge: Ticket,
    /// `revocation` / `validity_check`.
    pub procedure: &'a str,
    /// Outcome name.
    pub outcome: &'a str,
    /// DER of the certificate's issuer name.
    pub issuer_der: &'a [u8],
    /// RFC 4514 issuer.
    pub issuer_text: &'a str,
    /// Canonical serial hex.
    pub serial: &'a str,
    /// Holder name.
    pub holder_name: &'a str,
    /// RFC 3339 UTC.
    pub received_at: &'a str,
    /// The JSON answer returned (and returned again for the same document).
    pub answer_json: &'a str,
    /// The request document.
    pub document: &'a [u8],
    /// The signed request as received.
    pub cms: &'a [u8],
}

/// An accepted revocation on record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptedRevocation {
    /// Receipt id.
    pub receipt_id: String,
    /// Serial (canonical hex).
    pub serial: String,
    /// When it was accepted (RFC 3339 UTC).
    pub accepted_at: String,
}

/// A CRL to store.
#[derive(Clone, Debug)]
pub struct NewCrl<'a> {
    /// DER of the issuer name.
    pub issuer_der: &'a [u8],
    /// RFC 4514 issuer.
    pub issuer_text: &'a str,
    /// cRLNumber, when present.
    pub crl_number: Option<i64>,
    /// thisUpdate, RFC 3339 UTC.
    pub this_update: &'a str,
    /// nextUpdate, RFC 3339 UTC.
    pub next_update: Option<&'a str>,
    /// `issued` or `imported`.
    pub source: &'a str,
    /// The CRL.
    pub der: &'a [u8],
    /// (serial hex, revocation date RFC 3339).
    pub entries: &'a [(String, String)],
    /// When it was stored.
    pub added_at: &'a str,
}

/// A stored CRL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrlRecord {
    /// cRLNumber.
    pub crl_number: Option<i64>,
    /// thisUpdate.
    pub this_update: String,
    /// The DER.
    pub der: Vec<u8>,
    /// `issued` / `imported`.
    pub source: String,
    /// Number of entries.
    pub entries: usize,
}

/// The latest CRL held for an issuer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldCrl {
    /// cRLNumber.
    pub crl_number: Option<i64>,
    /// thisUpdate (RFC 3339 UTC).
    pub this_update: String,
    /// (serial hex, revocation date RFC 3339).
    pub entries: Vec<(String, String)>,
}

/// What deciding a submission reads: what is recorded for its document and challenge, else
/// the certificate's entry on the latest CRL, else its accepted revocation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lookup {
    /// What is recorded for the document.
    pub recorded: Recorded,
    /// The revocation date on the latest CRL.
    pub on_crl: Option<String>,
    /// The accepted revocation (only looked at when not on the CRL).
    pub accepted: Option<AcceptedRevocation>,
}

impl Lookup {
    /// The lookup from its three reads: a record for the document decides alone; a
    /// certificate on the latest CRL needs no accepted revocation.
    pub fn decided_by(
        recorded: Recorded,
        on_crl: Option<String>,
        accepted: Option<AcceptedRevocation>,
    ) -> Lookup {
        match (recorded, on_crl) {
            (Recorded::Nothing, Some(on_crl)) => Lookup {
                recorded: Recorded::Nothing,
                on_crl: Some(on_crl),
                accepted: None,
            },
            (Recorded::Nothing, None) => Lookup {
                recorded: Recorded::Nothing,
                on_crl: None,
                accepted,
            },
            (recorded, _) => Lookup {
                recorded,
                ..Lookup::default()
            },
        }
    }
}

/// What one submission's [`Transaction::lookup`] reads by.
#[derive(Clone, Copy, Debug)]
pub struct LookupKey<'a> {
    /// SHA-256 of the document.
    pub request_hash: &'a [u8; 32],
    /// The challenge the document carries, if readable.
    pub challenge: Option<&'a Ticket>,
    /// DER of the certificate's issuer name.
    pub issuer_der: &'a [u8],
    /// Canonical serial hex.
    pub serial: &'a str,
}

/// Reads and writes inside one atomic, durable transaction.
pub trait Transaction {
    /// [`Transaction::lookup`] for several submissions at once, in order. Only for
    /// submissions whose records cannot change each other's reads (the committer's
    /// `independent`: no shared challenge or document, no certificate one of them revokes).
    /// One after the other here; PostgreSQL reads them in one statement.
    fn lookup_many(&mut self, keys: &[LookupKey<'_>]) -> Result<Vec<Lookup>, StoreError> {
        keys.iter()
            .map(|k| self.lookup(k.request_hash, k.challenge, k.issuer_der, k.serial))
            .collect()
    }
    /// [`Transaction::insert_request`] for several records, in order. One after the other
    /// here; PostgreSQL writes them in one statement.
    fn insert_requests(&mut self, records: &[NewRecord<'_>]) -> Result<(), StoreError> {
        records.iter().try_for_each(|r| self.insert_request(r))
    }
    /// The three reads that decide a submission. One after the other here, each only when
    /// the ones before leave it needed; PostgreSQL makes them in one statement.
    fn lookup(
        &mut self,
        request_hash: &[u8; 32],
        challenge: Option<&Ticket>,
        issuer_der: &[u8],
        serial: &str,
    ) -> Result<Lookup, StoreError> {
        let recorded = self.recorded(request_hash, challenge)?;
        if recorded != Recorded::Nothing {
            return Ok(Lookup {
                recorded,
                ..Lookup::default()
            });
        }
        let on_crl = self.crl_revocation(issuer_der, serial)?;
        let accepted = match on_crl {
            Some(_) => None,
            None => self.accepted_revocation(issuer_der, serial)?,
        };
        Ok(Lookup::decided_by(recorded, on_crl, accepted))
    }
    /// What is recorded for the document with this hash that carries `challenge` (the
    /// expiry and nonce read from it, `None` when it carries no readable challenge): the
    /// record with that challenge, and if there is none, a record made before schema 4 with
    /// that hash.
    fn recorded(
        &mut self,
        request_hash: &[u8; 32],
        challenge: Option<&Ticket>,
    ) -> Result<Recorded, StoreError>;
    /// The revocation date of `serial` on the latest CRL of `issuer_der`, if it is on it.
    fn crl_revocation(
        &mut self,
        issuer_der: &[u8],
        serial: &str,
    ) -> Result<Option<String>, StoreError>;
    /// The accepted revocation of this certificate, if any.
    fn accepted_revocation(
        &mut self,
        issuer_der: &[u8],
        serial: &str,
    ) -> Result<Option<AcceptedRevocation>, StoreError>;
    /// Records a request, spending its challenge: a second record with the same challenge is
    /// refused by a unique key ([`StoreError::is_conflict`]).
    fn insert_request(&mut self, record: &NewRecord<'_>) -> Result<(), StoreError>;
    /// Every accepted revocation for an issuer.
    fn accepted_revocations(
        &mut self,
        issuer_der: &[u8],
    ) -> Result<Vec<AcceptedRevocation>, StoreError>;
    /// Entries (serial, date) of the latest CRL of an issuer, and its cRLNumber and thisUpdate.
    fn latest_crl_entries(&mut self, issuer_der: &[u8]) -> Result<Option<HeldCrl>, StoreError>;
    /// Stores a CRL and its entries.
    fn insert_crl(&mut self, crl: &NewCrl<'_>) -> Result<(), StoreError>;
    /// Marks a point inside the transaction (one per submission).
    fn savepoint(&mut self) -> Result<(), StoreError>;
    /// Keeps what was done since [`Transaction::savepoint`].
    fn release_savepoint(&mut self) -> Result<(), StoreError>;
    /// Undoes what was done since [`Transaction::savepoint`]; the transaction goes on.
    fn rollback_to_savepoint(&mut self) -> Result<(), StoreError>;
    /// Makes everything durable (or, for a [`Store::lazy_transaction`], visible); nothing is
    /// visible or durable before.
    fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// A store of requests and CRLs. SQLite is the embedded default; another database (e.g.
/// PostgreSQL for deployments that outgrow one machine) implements the same trait.
pub trait Store: Send + 'static {
    /// Starts a write transaction.
    fn transaction(&mut self) -> Result<Box<dyn Transaction + '_>, StoreError>;
    /// Starts a write transaction whose commit makes it visible, atomically, without waiting
    /// for it to be durable: for transactions that acknowledge nothing (validity checks'
    /// records). It becomes durable with the next durable commit (both databases write their
    /// log in order).
    fn lazy_transaction(&mut self) -> Result<Box<dyn Transaction + '_>, StoreError> {
        self.transaction()
    }
    /// Every recorded request, oldest first.
    fn list_requests(&mut self) -> Result<Vec<RequestRecord>, StoreError>;
    /// The latest CRL of an issuer (or of any issuer when `None`).
    fn latest_crl(&mut self, issuer_der: Option<&[u8]>) -> Result<Option<CrlRecord>, StoreError>;
    /// The challenge MAC key every window on this database shares: made from the operating
    /// system's random source by the first window that asks, then read.
    fn challenge_key(&mut self) -> Result<[u8; 32], StoreError>;
}

/// Opens the configured database: a SQLite file, or PostgreSQL.
pub fn open_store(database: &crate::config::Database) -> Result<Box<dyn Store>, StoreError> {
    Ok(match database {
        crate::config::Database::Sqlite(path) => Box::new(SqliteStore::open(path)?),
        crate::config::Database::Postgres(url) => Box::new(crate::pg::PostgresStore::open(url)?),
    })
}

/// What a record found by a document's challenge means for that document: its answer when
/// the record is of the same document, else a spent challenge.
pub fn recorded_with(request_hash: &[u8; 32], record_hash: &[u8], answer: String) -> Recorded {
    if record_hash == request_hash {
        Recorded::Answer(answer)
    } else {
        Recorded::OtherDocument
    }
}

/// 32 fresh random bytes for a challenge key.
pub fn fresh_secret() -> [u8; 32] {
    use rand::RngCore;
    let mut k = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut k);
    k
}

/// The largest part of the database file read through a memory map (1 GiB; the rest, if
/// any, through ordinary reads).
const MMAP_SIZE: i64 = 1 << 30;

/// Schema migrations, applied in order; `PRAGMA user_version` holds how many ran.
const MIGRATIONS: &[&str] = &[
    // 1: requests, CRLs, CRL entries.
    r#"
    CREATE TABLE requests (
        id INTEGER PRIMARY KEY,
        receipt_id TEXT NOT NULL UNIQUE,
        request_hash BLOB NOT NULL UNIQUE,
        procedure TEXT NOT NULL CHECK (procedure IN ('revocation', 'validity_check')),
        outcome TEXT NOT NULL,
        cert_issuer BLOB NOT NULL,
        cert_issuer_text TEXT NOT NULL,
        cert_serial TEXT NOT NULL,
        holder_name TEXT NOT NULL,
        received_at TEXT NOT NULL,
        answer TEXT NOT NULL,
        document BLOB NOT NULL,
        cms BLOB NOT NULL
    );
    CREATE UNIQUE INDEX requests_one_accepted_revocation
        ON requests (cert_issuer, cert_serial)
        WHERE procedure = 'revocation' AND outcome = 'accepted';
    CREATE INDEX requests_by_certificate ON requests (cert_issuer, cert_serial);
    CREATE TABLE crls (
        id INTEGER PRIMARY KEY,
        issuer BLOB NOT NULL,
        issuer_text TEXT NOT NULL,
        crl_number INTEGER,
        this_update TEXT NOT NULL,
        next_update TEXT,
        source TEXT NOT NULL CHECK (source IN ('issued', 'imported')),
        der BLOB NOT NULL,
        added_at TEXT NOT NULL
    );
    CREATE INDEX crls_by_issuer ON crls (issuer, this_update);
    CREATE TABLE crl_entries (
        crl_id INTEGER NOT NULL REFERENCES crls (id),
        serial TEXT NOT NULL,
        revoked_at TEXT NOT NULL,
        PRIMARY KEY (crl_id, serial)
    ) WITHOUT ROWID;
    "#,
    // 2: stateless challenges: the spent nonces (single use, by primary key) and the MAC key.
    r#"
    CREATE TABLE spent_challenges (
        nonce BLOB PRIMARY KEY,
        document_hash BLOB NOT NULL,
        expires_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX spent_challenges_by_expiry ON spent_challenges (expires_at);
    CREATE TABLE window_secrets (
        name TEXT PRIMARY KEY,
        value BLOB NOT NULL
    );
    "#,
    // 3: fewer random index inserts per record. Each one dirties a page at a random place
    // in a large B-tree, which is written to the log and again by the checkpoint (perf put
    // the group commit at half the window's CPU). Two indexes no statement reads are
    // dropped: the receipt id holds the whole request hash, which is unique on its own, and
    // `requests_by_certificate` (an accepted revocation is found by the partial unique
    // index). SQLite drops a column's UNIQUE only by rebuilding the table. Spent challenges
    // are keyed by (expiry, nonce): the MAC covers both, so a nonce has one expiry, and keys
    // in expiry order land on the B-tree's last pages instead of random ones; the purge is
    // a range of the key, so the expiry index goes.
    r#"
    CREATE TABLE requests_v3 (
        id INTEGER PRIMARY KEY,
        receipt_id TEXT NOT NULL,
        request_hash BLOB NOT NULL UNIQUE,
        procedure TEXT NOT NULL CHECK (procedure IN ('revocation', 'validity_check')),
        outcome TEXT NOT NULL,
        cert_issuer BLOB NOT NULL,
        cert_issuer_text TEXT NOT NULL,
        cert_serial TEXT NOT NULL,
        holder_name TEXT NOT NULL,
        received_at TEXT NOT NULL,
        answer TEXT NOT NULL,
        document BLOB NOT NULL,
        cms BLOB NOT NULL
    );
    INSERT INTO requests_v3 SELECT id, receipt_id, request_hash, procedure, outcome,
        cert_issuer, cert_issuer_text, cert_serial, holder_name, received_at, answer,
        document, cms FROM requests ORDER BY id;
    DROP TABLE requests;
    ALTER TABLE requests_v3 RENAME TO requests;
    CREATE UNIQUE INDEX requests_one_accepted_revocation
        ON requests (cert_issuer, cert_serial)
        WHERE procedure = 'revocation' AND outcome = 'accepted';
    CREATE TABLE spent_challenges_v3 (
        expires_at INTEGER NOT NULL,
        nonce BLOB NOT NULL,
        document_hash BLOB NOT NULL,
        PRIMARY KEY (expires_at, nonce)
    ) WITHOUT ROWID;
    INSERT INTO spent_challenges_v3 SELECT expires_at, nonce, document_hash
        FROM spent_challenges;
    DROP TABLE spent_challenges;
    ALTER TABLE spent_challenges_v3 RENAME TO spent_challenges;
    "#,
    // 4: a record is keyed by the challenge its document carries. The challenge's expiry and
    // nonce (both under its MAC) become columns with one unique index: it finds a document's
    // record, and a second document with the same challenge meets the key, so single use is
    // the record's own constraint and `spent_challenges` goes. Keys in expiry order land on
    // the index's last pages, where the random `request_hash` index dirtied a page at a
    // random place per record (half the bytes written per validity check); the hash stays
    // indexed only for the records made before this schema, which have no challenge columns
    // unless their challenge was still held in `spent_challenges`. SQLite drops a column's
    // UNIQUE only by rebuilding the table.
    r#"
    CREATE TABLE requests_v4 (
        id INTEGER PRIMARY KEY,
        receipt_id TEXT NOT NULL,
        request_hash BLOB NOT NULL,
        challenge_expires_at INTEGER,
        challenge_nonce BLOB,
        procedure TEXT NOT NULL CHECK (procedure IN ('revocation', 'validity_check')),
        outcome TEXT NOT NULL,
        cert_issuer BLOB NOT NULL,
        cert_issuer_text TEXT NOT NULL,
        cert_serial TEXT NOT NULL,
        holder_name TEXT NOT NULL,
        received_at TEXT NOT NULL,
        answer TEXT NOT NULL,
        document BLOB NOT NULL,
        cms BLOB NOT NULL,
        CHECK ((challenge_expires_at IS NULL) = (challenge_nonce IS NULL))
    );
    INSERT INTO requests_v4 SELECT r.id, r.receipt_id, r.request_hash, s.expires_at, s.nonce,
        r.procedure, r.outcome, r.cert_issuer, r.cert_issuer_text, r.cert_serial,
        r.holder_name, r.received_at, r.answer, r.document, r.cms
        FROM requests r LEFT JOIN spent_challenges s ON s.document_hash = r.request_hash
        ORDER BY r.id;
    DROP TABLE requests;
    ALTER TABLE requests_v4 RENAME TO requests;
    CREATE UNIQUE INDEX requests_by_challenge
        ON requests (challenge_expires_at, challenge_nonce);
    CREATE UNIQUE INDEX requests_before_schema_4 ON requests (request_hash)
        WHERE challenge_nonce IS NULL;
    CREATE UNIQUE INDEX requests_one_accepted_revocation
        ON requests (cert_issuer, cert_serial)
        WHERE procedure = 'revocation' AND outcome = 'accepted';
    DROP TABLE spent_challenges;
    "#,
];

/// The SQLite store: WAL journal, `synchronous = FULL`, foreign keys on.
pub struct SqliteStore {
    conn: Connection,
    /// The `synchronous` level set on the connection: changed only when a transaction
    /// needs the other one (each change is a statement of its own, and most batches in a
    /// row need the same level).
    lazy: bool,
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database. The file holds names,
    /// addresses and signed requests: it is created readable by its owner only (0600), and an
    /// existing one readable by others is narrowed to that. SQLite gives the `-wal` and
    /// `-shm` files the database file's mode.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        owner_only(path)?;
        let conn = Connection::open(path)?;
        Self::setup(conn)
    }

    /// An in-memory database (tests, demo).
    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<SqliteStore, StoreError> {
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Reads through a memory map of the file instead of a large private page cache.
        // SQLite's page cache is emptied beyond the database's size at the end of every
        // write transaction by a walk over its whole hash table, so a 64 MB cache cost a
        // walk over ~16,000 slots per commit: 13 % of the window's CPU under load (perf,
        // docs/benchmarks.md). The map shares the kernel's page cache and costs nothing per
        // commit; the private cache stays at SQLite's default (2 MB) for the pages being
        // written.
        conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
        migrate(&mut conn)?;
        Ok(SqliteStore { conn, lazy: false })
    }

    /// Sets `synchronous` to NORMAL (`lazy`) or FULL if it is not already. (The level can
    /// only be changed between transactions.)
    fn durability(&mut self, lazy: bool) -> Result<(), StoreError> {
        if self.lazy != lazy {
            let level = if lazy { "NORMAL" } else { "FULL" };
            self.conn.pragma_update(None, "synchronous", level)?;
            self.lazy = lazy;
        }
        Ok(())
    }

    /// The schema version after migration.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }
}

/// Creates `path` empty with mode 0600 if missing; narrows an existing file (and its
/// `-wal`/`-shm`/`-journal` companions) to 0600.
fn owner_only(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let io = |e: std::io::Error| StoreError::Other(format!("{}: {e}", path.display()));
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .map_err(io)?;
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let p = std::path::PathBuf::from(p);
            if let Ok(meta) = std::fs::metadata(&p)
                && meta.permissions().mode() & 0o077 != 0
            {
                tracing::warn!(
                    "{} was readable by others (mode {:o}); narrowing it to 0600",
                    p.display(),
                    meta.permissions().mode() & 0o777
                );
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Number of migrations this build knows (the schema version it writes).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found: current,
            known: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    tx.commit()?;
    Ok(())
}

struct SqliteTx<'c> {
    tx: rusqlite::Transaction<'c>,
}

impl Transaction for SqliteTx<'_> {
    fn recorded(
        &mut self,
        request_hash: &[u8; 32],
        challenge: Option<&Ticket>,
    ) -> Result<Recorded, StoreError> {
        if let Some(t) = challenge {
            let found: Option<(Vec<u8>, String)> = self
                .tx
                .prepare_cached(
                    "SELECT request_hash, answer FROM requests
                     WHERE challenge_expires_at = ?1 AND challenge_nonce = ?2",
                )?
                .query_row(params![t.expires_at, t.nonce.as_slice()], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            if let Some((hash, answer)) = found {
                return Ok(recorded_with(request_hash, &hash, answer));
            }
        }
        let before_schema_4: Option<String> = self
            .tx
            .prepare_cached(
                "SELECT answer FROM requests WHERE request_hash = ?1 AND challenge_nonce IS NULL",
            )?
            .query_row(params![request_hash.as_slice()], |r| r.get(0))
            .optional()?;
        Ok(before_schema_4.map_or(Recorded::Nothing, Recorded::Answer))
    }

    fn crl_revocation(
        &mut self,
        issuer_der: &[u8],
        serial: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT e.revoked_at FROM crl_entries e
                 WHERE e.serial = ?2 AND e.crl_id = (
                     SELECT id FROM crls WHERE issuer = ?1
                     ORDER BY this_update DESC, id DESC LIMIT 1)",
            )?
            .query_row(params![issuer_der, serial], |r| r.get(0))
            .optional()?)
    }

    fn accepted_revocation(
        &mut self,
        issuer_der: &[u8],
        serial: &str,
    ) -> Result<Option<AcceptedRevocation>, StoreError> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT receipt_id, cert_serial, received_at FROM requests
                 WHERE cert_issuer = ?1 AND cert_serial = ?2
                   AND procedure = 'revocation' AND outcome = 'accepted'",
            )?
            .query_row(params![issuer_der, serial], |r| {
                Ok(AcceptedRevocation {
                    receipt_id: r.get(0)?,
                    serial: r.get(1)?,
                    accepted_at: r.get(2)?,
                })
            })
            .optional()?)
    }

    fn insert_request(&mut self, rec: &NewRecord<'_>) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO requests (receipt_id, request_hash, procedure, outcome, cert_issuer,
                    cert_issuer_text, cert_serial, holder_name, received_at, answer, document, cms,
                    challenge_expires_at, challenge_nonce)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?
            .execute(params![
                rec.receipt_id,
                rec.request_hash.as_slice(),
                rec.procedure,
                rec.outcome,
                rec.issuer_der,
                rec.issuer_text,
                rec.serial,
                rec.holder_name,
                rec.received_at,
                rec.answer_json,
                rec.document,
                rec.cms,
                rec.challenge.expires_at,
                rec.challenge.nonce.as_slice(),
            ])?;
        Ok(())
    }

    fn accepted_revocations(
        &mut self,
        issuer_der: &[u8],
    ) -> Result<Vec<AcceptedRevocation>, StoreError> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT receipt_id, cert_serial, received_at FROM requests
             WHERE cert_issuer = ?1 AND procedure = 'revocation' AND outcome = 'accepted'
             ORDER BY id",
        )?;
        let rows = stmt.query_map(params![issuer_der], |r| {
            Ok(AcceptedRevocation {
                receipt_id: r.get(0)?,
                serial: r.get(1)?,
                accepted_at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn latest_crl_entries(&mut self, issuer_der: &[u8]) -> Result<Option<HeldCrl>, StoreError> {
        let head: Option<(i64, Option<i64>, String)> = self
            .tx
            .prepare_cached(
                "SELECT id, crl_number, this_update FROM crls WHERE issuer = ?1
                 ORDER BY this_update DESC, id DESC LIMIT 1",
            )?
            .query_row(params![issuer_der], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        let Some((id, number, this_update)) = head else {
            return Ok(None);
        };
        let mut stmt = self
            .tx
            .prepare_cached("SELECT serial, revoked_at FROM crl_entries WHERE crl_id = ?1")?;
        let entries = stmt
            .query_map(params![id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(HeldCrl {
            crl_number: number,
            this_update,
            entries,
        }))
    }

    fn insert_crl(&mut self, crl: &NewCrl<'_>) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO crls (issuer, issuer_text, crl_number, this_update, next_update, source,
                der, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                crl.issuer_der,
                crl.issuer_text,
                crl.crl_number,
                crl.this_update,
                crl.next_update,
                crl.source,
                crl.der,
                crl.added_at
            ],
        )?;
        let id = self.tx.last_insert_rowid();
        let mut stmt = self.tx.prepare_cached(
            "INSERT OR REPLACE INTO crl_entries (crl_id, serial, revoked_at) VALUES (?1, ?2, ?3)",
        )?;
        for (serial, date) in crl.entries {
            stmt.execute(params![id, serial, date])?;
        }
        Ok(())
    }

    fn savepoint(&mut self) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("SAVEPOINT submission")?
            .execute([])?;
        Ok(())
    }

    fn release_savepoint(&mut self) -> Result<(), StoreError> {
        self.tx.prepare_cached("RELEASE submission")?.execute([])?;
        Ok(())
    }

    fn rollback_to_savepoint(&mut self) -> Result<(), StoreError> {
        self.tx
            .execute_batch("ROLLBACK TO submission; RELEASE submission")?;
        Ok(())
    }

    fn commit(self: Box<Self>) -> Result<(), StoreError> {
        self.tx.commit()?;
        Ok(())
    }
}

impl Store for SqliteStore {
    fn transaction(&mut self) -> Result<Box<dyn Transaction + '_>, StoreError> {
        self.durability(false)?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        Ok(Box::new(SqliteTx { tx }))
    }

    fn lazy_transaction(&mut self) -> Result<Box<dyn Transaction + '_>, StoreError> {
        // WAL with synchronous = NORMAL: the commit appends to the log without an fsync; the
        // next FULL commit's fsync covers these frames too. Every other transaction sets
        // FULL again.
        self.durability(true)?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        Ok(Box::new(SqliteTx { tx }))
    }

    fn list_requests(&mut self) -> Result<Vec<RequestRecord>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT r.receipt_id, r.request_hash, r.procedure, r.outcome, r.cert_issuer_text,
                    r.cert_serial, r.holder_name, r.received_at,
                    CASE WHEN r.procedure = 'revocation' AND r.outcome = 'accepted' THEN
                        CASE WHEN EXISTS (
                            SELECT 1 FROM crl_entries e WHERE e.serial = r.cert_serial
                              AND e.crl_id = (SELECT id FROM crls c WHERE c.issuer = r.cert_issuer
                                              ORDER BY this_update DESC, id DESC LIMIT 1))
                        THEN 'revoked' ELSE 'pending' END
                    ELSE '-' END
             FROM requests r ORDER BY r.id",
        )?;
        let rows = stmt.query_map([], |r| {
            let hash: Vec<u8> = r.get(1)?;
            Ok(RequestRecord {
                receipt_id: r.get(0)?,
                request_hash: hex::encode(hash),
                procedure: r.get(2)?,
                outcome: r.get(3)?,
                certificate_issuer: r.get(4)?,
                certificate_serial: r.get(5)?,
                holder_name: r.get(6)?,
                received_at: r.get(7)?,
                status: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn latest_crl(&mut self, issuer_der: Option<&[u8]>) -> Result<Option<CrlRecord>, StoreError> {
        let map = |r: &rusqlite::Row<'_>| -> rusqlite::Result<CrlRecord> {
            let n: i64 = r.get(4)?;
            Ok(CrlRecord {
                crl_number: r.get(0)?,
                this_update: r.get(1)?,
                der: r.get(2)?,
                source: r.get(3)?,
                entries: n as usize,
            })
        };
        let sql_any = "SELECT crl_number, this_update, der, source,
                (SELECT COUNT(*) FROM crl_entries e WHERE e.crl_id = c.id)
             FROM crls c ORDER BY this_update DESC, id DESC LIMIT 1";
        let sql_issuer = "SELECT crl_number, this_update, der, source,
                (SELECT COUNT(*) FROM crl_entries e WHERE e.crl_id = c.id)
             FROM crls c WHERE issuer = ?1 ORDER BY this_update DESC, id DESC LIMIT 1";
        Ok(match issuer_der {
            None => self.conn.query_row(sql_any, [], map).optional()?,
            Some(i) => self
                .conn
                .query_row(sql_issuer, params![i], map)
                .optional()?,
        })
    }

    fn challenge_key(&mut self) -> Result<[u8; 32], StoreError> {
        self.durability(false)?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO window_secrets (name, value) VALUES ('challenge_key', ?1)
             ON CONFLICT (name) DO NOTHING",
            params![fresh_secret().as_slice()],
        )?;
        let v: Vec<u8> = tx.query_row(
            "SELECT value FROM window_secrets WHERE name = 'challenge_key'",
            [],
            |r| r.get(0),
        )?;
        tx.commit()?;
        v.try_into()
            .map_err(|_| StoreError::Other("the stored challenge key is not 32 bytes".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The challenge of the test document with this hash.
    fn ticket(hash: &[u8; 32]) -> Ticket {
        Ticket {
            nonce: hash[..12].try_into().unwrap(),
            expires_at: 1_800_000_300,
        }
    }

    fn rec<'a>(hash: &'a [u8; 32], receipt: &'a str, outcome: &'a str) -> NewRecord<'a> {
        NewRecord {
            receipt_id: receipt,
            request_hash: hash,
            challenge: ticket(hash),
            procedure: "revocation",
            outcome,
            issuer_der: b"issuer",
            issuer_text: "CN=CA",
            serial: "01",
            holder_name: "吉田　太郎",
            received_at: "2026-11-21T05:40:00Z",
            answer_json: "{}",
            document: b"{}",
            cms: b"",
        }
    }

    #[test]
    fn migrations_are_versioned_and_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        drop(s);
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        let mode: String = s
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = s
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "FULL");
        s.conn
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(s);
        assert!(matches!(
            SqliteStore::open(&path),
            Err(StoreError::TooNew { .. })
        ));
    }

    /// A database written by schema 2 keeps its records, its accepted revocations' guard and
    /// the single use of the challenges it had spent through migrations 3 and 4 (table
    /// rebuilds): a record whose challenge was still held is found by that challenge, which
    /// stays spent; one whose challenge was already forgotten is found by its hash.
    #[test]
    fn migrations_keep_what_schema_2_held() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            let tx = conn.transaction().unwrap();
            for sql in &MIGRATIONS[..2] {
                tx.execute_batch(sql).unwrap();
            }
            tx.pragma_update(None, "user_version", 2).unwrap();
            for (receipt, hash, outcome, serial) in [
                ("R1", [7u8; 32], "accepted", "01"),
                ("R0", [6u8; 32], "valid", "02"),
            ] {
                tx.execute(
                    "INSERT INTO requests (receipt_id, request_hash, procedure, outcome,
                        cert_issuer, cert_issuer_text, cert_serial, holder_name, received_at,
                        answer, document, cms)
                     VALUES (?1, ?2, 'revocation', ?3, X'6973', 'CN=CA', ?4, '吉田　太郎',
                        '2026-11-21T05:40:00Z', '{\"outcome\":\"' || ?3 || '\"}', X'7B7D', X'')",
                    params![receipt, hash.as_slice(), outcome, serial],
                )
                .unwrap();
            }
            tx.execute(
                "INSERT INTO spent_challenges (nonce, document_hash, expires_at)
                 VALUES (?1, ?2, 1800000300)",
                params![[5u8; 12].as_slice(), [7u8; 32].as_slice()],
            )
            .unwrap();
            tx.commit().unwrap();
        }
        let mut s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        let rows = s.list_requests().unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].receipt_id, "R1");
        assert_eq!(rows[0].holder_name, "吉田　太郎");
        let spent = Ticket {
            nonce: [5; 12],
            expires_at: 1_800_000_300,
        };
        let mut tx = s.transaction().unwrap();
        assert_eq!(
            tx.recorded(&[7; 32], Some(&spent)).unwrap(),
            Recorded::Answer(r#"{"outcome":"accepted"}"#.into())
        );
        assert_eq!(
            tx.recorded(&[9; 32], Some(&spent)).unwrap(),
            Recorded::OtherDocument
        );
        let mut reuse = rec(&[9; 32], "R9", "valid");
        reuse.challenge = spent;
        reuse.serial = "09";
        assert!(
            tx.insert_request(&reuse).is_err_and(|e| e.is_conflict()),
            "the challenge stays spent"
        );
        // Its challenge forgotten before the migration: found by its hash, whatever the
        // document's challenge says.
        assert_eq!(
            tx.recorded(&[6; 32], Some(&ticket(&[6; 32]))).unwrap(),
            Recorded::Answer(r#"{"outcome":"valid"}"#.into())
        );
        assert_eq!(
            tx.recorded(&[6; 32], None).unwrap(),
            Recorded::Answer(r#"{"outcome":"valid"}"#.into())
        );
        let mut second = rec(&[8; 32], "R2", "accepted");
        second.issuer_der = b"is";
        assert!(
            tx.insert_request(&second).is_err(),
            "still one accepted revocation per certificate"
        );
    }

    /// One record per challenge: the same document is found by it, another document meets
    /// the spent challenge, and a second record with it is refused by the key.
    #[test]
    fn a_challenge_keys_one_record() {
        let mut s = SqliteStore::open_in_memory().unwrap();
        let mut tx = s.transaction().unwrap();
        let t = ticket(&[1; 32]);
        assert_eq!(tx.recorded(&[1; 32], Some(&t)).unwrap(), Recorded::Nothing);
        tx.insert_request(&rec(&[1; 32], "R1", "valid")).unwrap();
        assert_eq!(
            tx.recorded(&[1; 32], Some(&t)).unwrap(),
            Recorded::Answer("{}".into())
        );
        assert_eq!(
            tx.recorded(&[2; 32], Some(&t)).unwrap(),
            Recorded::OtherDocument
        );
        // Found by its challenge only: without one, a new record is not found by its hash.
        assert_eq!(tx.recorded(&[1; 32], None).unwrap(), Recorded::Nothing);
        let mut other = rec(&[2; 32], "R2", "valid");
        other.challenge = t;
        assert!(tx.insert_request(&other).is_err_and(|e| e.is_conflict()));
        // The same nonce with another expiry is another challenge (the MAC binds the two).
        other.challenge.expires_at += 1;
        tx.insert_request(&other).unwrap();
    }

    #[test]
    fn one_accepted_revocation_per_certificate() {
        let mut s = SqliteStore::open_in_memory().unwrap();
        let mut tx = s.transaction().unwrap();
        tx.insert_request(&rec(&[1; 32], "R1", "accepted")).unwrap();
        assert!(tx.insert_request(&rec(&[2; 32], "R2", "accepted")).is_err());
        tx.insert_request(&rec(&[3; 32], "R3", "duplicate_request"))
            .unwrap();
        assert!(matches!(
            tx.recorded(&[1; 32], Some(&ticket(&[1; 32]))).unwrap(),
            Recorded::Answer(_)
        ));
        assert_eq!(
            tx.recorded(&[9; 32], Some(&ticket(&[9; 32]))).unwrap(),
            Recorded::Nothing
        );
        let acc = tx.accepted_revocation(b"issuer", "01").unwrap().unwrap();
        assert_eq!(acc.receipt_id, "R1");
        tx.commit().unwrap();
        let list = s.list_requests().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].status, "pending");
        assert_eq!(list[1].status, "-");
    }

    #[test]
    fn latest_crl_decides() {
        let mut s = SqliteStore::open_in_memory().unwrap();
        let mut tx = s.transaction().unwrap();
        tx.insert_request(&rec(&[1; 32], "R1", "accepted")).unwrap();
        let entries = vec![("01".to_string(), "2026-11-21T00:00:00Z".to_string())];
        tx.insert_crl(&NewCrl {
            issuer_der: b"issuer",
            issuer_text: "CN=CA",
            crl_number: Some(1),
            this_update: "2026-11-21T00:00:00Z",
            next_update: None,
            source: "issued",
            der: b"crl1",
            entries: &entries,
            added_at: "2026-11-21T00:00:00Z",
        })
        .unwrap();
        assert!(tx.crl_revocation(b"issuer", "01").unwrap().is_some());
        assert!(tx.crl_revocation(b"other", "01").unwrap().is_none());
        // A later CRL without the entry wins (e.g. an imported CRL that reinstated it).
        tx.insert_crl(&NewCrl {
            issuer_der: b"issuer",
            issuer_text: "CN=CA",
            crl_number: Some(2),
            this_update: "2026-11-22T00:00:00Z",
            next_update: None,
            source: "imported",
            der: b"crl2",
            entries: &[],
            added_at: "2026-11-22T00:00:00Z",
        })
        .unwrap();
        assert!(tx.crl_revocation(b"issuer", "01").unwrap().is_none());
        let held = tx.latest_crl_entries(b"issuer").unwrap().unwrap();
        assert_eq!((held.crl_number, held.entries.len()), (Some(2), 0));
        tx.commit().unwrap();
        let latest = s.latest_crl(None).unwrap().unwrap();
        assert_eq!(latest.der, b"crl2");
        assert_eq!(s.latest_crl(Some(b"nope")).unwrap(), None);
    }

    #[cfg(unix)]
    #[test]
    fn database_files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let mode = |suffix: &str| {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            std::fs::metadata(std::path::PathBuf::from(p))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        let mut s = SqliteStore::open(&path).unwrap();
        let mut tx = s.transaction().unwrap();
        tx.insert_request(&rec(&[1; 32], "R1", "accepted")).unwrap();
        tx.commit().unwrap();
        // Written and still open: the WAL and its index exist.
        for suffix in ["", "-wal", "-shm"] {
            assert_eq!(mode(suffix), 0o600, "w.db{suffix}");
        }
        drop(s);
        // A database left readable by others is narrowed when opened.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(mode(""), 0o600);
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn a_lazy_commit_is_visible_and_durability_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SqliteStore::open(&dir.path().join("l.db")).unwrap();
        let mut tx = s.lazy_transaction().unwrap();
        tx.insert_request(&rec(&[1; 32], "R1", "valid")).unwrap();
        tx.commit().unwrap();
        assert_eq!(s.list_requests().unwrap().len(), 1);
        let sync = |s: &SqliteStore| -> i64 {
            s.conn
                .query_row("PRAGMA synchronous", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(sync(&s), 1, "NORMAL for the lazy commit");
        let mut tx = s.transaction().unwrap();
        tx.insert_request(&rec(&[2; 32], "R2", "accepted")).unwrap();
        tx.commit().unwrap();
        assert_eq!(sync(&s), 2, "every transaction starts FULL again");
    }

    #[test]
    fn uncommitted_transaction_leaves_nothing() {
        let mut s = SqliteStore::open_in_memory().unwrap();
        {
            let mut tx = s.transaction().unwrap();
            tx.insert_request(&rec(&[1; 32], "R1", "accepted")).unwrap();
        }
        assert!(s.list_requests().unwrap().is_empty());
    }
}
