//! The PostgreSQL store: the same [`Store`] trait and schema guarantees as SQLite, for
//! deployments where several window instances share one database.
//!
//! Driven by `tokio-postgres` on a private current-thread runtime: the store trait is
//! synchronous and called from one thread (the group committer, or a CLI command), so every
//! call is `block_on` and one connection per window instance carries its group commits. A pool
//! would give nothing here: the committer never has two transactions open. Like any blocking
//! code, the store is not to be opened, used or dropped on an async runtime's thread (use
//! `spawn_blocking`); the window does so.
//!
//! Concurrency between instances is left to PostgreSQL's constraints, at READ COMMITTED:
//! a second accepted revocation of a certificate, a second record with the same challenge
//! (of the same document or another) wait for the first transaction and then fail with a
//! unique violation; the committer rolls its batch back and decides it again, each submission
//! in a savepoint of its own, and the loser then sees the winner's committed row (see
//! `commit.rs`). Deadlocks between two
//! instances' batches are broken by PostgreSQL and handled the same way.

use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls, Statement};

use crate::challenge::Ticket;
use crate::store::{
    AcceptedRevocation, CrlRecord, HeldCrl, Lookup, LookupKey, NewCrl, NewRecord, Recorded,
    RequestRecord, Store, StoreError, Transaction, fresh_secret, recorded_with,
};

/// Schema migrations, in the same order and meaning as SQLite's (`store.rs`) up to 4; 5 is
/// PostgreSQL's alone. The version is the row count of `madoguchi_schema`.
const MIGRATIONS: &[&str] = &[
    // 1: requests, CRLs, CRL entries.
    r#"
    CREATE TABLE requests (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        receipt_id TEXT NOT NULL UNIQUE,
        request_hash BYTEA NOT NULL UNIQUE,
        procedure TEXT NOT NULL CHECK (procedure IN ('revocation', 'validity_check')),
        outcome TEXT NOT NULL,
        cert_issuer BYTEA NOT NULL,
        cert_issuer_text TEXT NOT NULL,
        cert_serial TEXT NOT NULL,
        holder_name TEXT NOT NULL,
        received_at TEXT NOT NULL,
        answer TEXT NOT NULL,
        document BYTEA NOT NULL,
        cms BYTEA NOT NULL
    );
    CREATE UNIQUE INDEX requests_one_accepted_revocation
        ON requests (cert_issuer, cert_serial)
        WHERE procedure = 'revocation' AND outcome = 'accepted';
    CREATE INDEX requests_by_certificate ON requests (cert_issuer, cert_serial);
    CREATE TABLE crls (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        issuer BYTEA NOT NULL,
        issuer_text TEXT NOT NULL,
        crl_number BIGINT,
        this_update TEXT NOT NULL,
        next_update TEXT,
        source TEXT NOT NULL CHECK (source IN ('issued', 'imported')),
        der BYTEA NOT NULL,
        added_at TEXT NOT NULL
    );
    CREATE INDEX crls_by_issuer ON crls (issuer, this_update);
    CREATE TABLE crl_entries (
        crl_id BIGINT NOT NULL REFERENCES crls (id),
        serial TEXT NOT NULL,
        revoked_at TEXT NOT NULL,
        PRIMARY KEY (crl_id, serial)
    );
    "#,
    // 2: stateless challenges: the spent nonces (single use, by primary key) and the MAC key.
    r#"
    CREATE TABLE spent_challenges (
        nonce BYTEA PRIMARY KEY,
        document_hash BYTEA NOT NULL,
        expires_at BIGINT NOT NULL
    );
    CREATE INDEX spent_challenges_by_expiry ON spent_challenges (expires_at);
    CREATE TABLE window_secrets (
        name TEXT PRIMARY KEY,
        value BYTEA NOT NULL
    );
    "#,
    // 3: fewer random index inserts per record (see SQLite's migration 3).
    r#"
    ALTER TABLE requests DROP CONSTRAINT requests_receipt_id_key;
    DROP INDEX requests_by_certificate;
    ALTER TABLE spent_challenges DROP CONSTRAINT spent_challenges_pkey;
    ALTER TABLE spent_challenges ADD PRIMARY KEY (expires_at, nonce);
    DROP INDEX spent_challenges_by_expiry;
    "#,
    // 4: a record is keyed by the challenge its document carries (see SQLite's migration 4).
    r#"
    ALTER TABLE requests
        ADD COLUMN challenge_expires_at BIGINT,
        ADD COLUMN challenge_nonce BYTEA,
        ADD CONSTRAINT requests_challenge_whole
            CHECK ((challenge_expires_at IS NULL) = (challenge_nonce IS NULL));
    -- While the hash is still indexed: a lookup per spent challenge, not a scan of requests.
    UPDATE requests r SET challenge_expires_at = s.expires_at, challenge_nonce = s.nonce
        FROM spent_challenges s WHERE s.document_hash = r.request_hash;
    ALTER TABLE requests DROP CONSTRAINT requests_request_hash_key;
    CREATE UNIQUE INDEX requests_by_challenge
        ON requests (challenge_expires_at, challenge_nonce);
    CREATE UNIQUE INDEX requests_before_schema_4 ON requests (request_hash)
        WHERE challenge_nonce IS NULL;
    DROP TABLE spent_challenges;
    "#,
    // 5: a record is kept whole in its row. A revocation's record (its signed envelope
    // carries the certificate) is about 4 KB, over the 2 KB at which PostgreSQL compresses
    // long values and moves them to the TOAST table: a compression attempt on DER that does
    // not compress, and two more inserts, 22 % of the database's CPU per revocation (perf).
    // Rows up to a page now stay as they are; a longer one has its envelope moved out
    // uncompressed.
    r#"
    ALTER TABLE requests SET (toast_tuple_target = 8160);
    ALTER TABLE requests ALTER COLUMN cms SET STORAGE EXTERNAL;
    "#,
];

/// Number of migrations this build knows.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Any 64-bit number, the same in every instance: serialises concurrent migrations.
const MIGRATION_LOCK: i64 = 0x6d61_646f_6775_6368; // "madoguch"

struct Statements {
    lookup_many: Statement,
    insert_requests: Statement,
}

struct Connection {
    client: Client,
    st: Statements,
}

/// The PostgreSQL store.
pub struct PostgresStore {
    rt: tokio::runtime::Runtime,
    url: String,
    conn: Option<Connection>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PostgresStore")
    }
}

/// True when `database` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres_url(database: &str) -> bool {
    database.starts_with("postgresql://") || database.starts_with("postgres://")
}

impl PostgresStore {
    /// Connects to `postgresql://user@host:port/dbname` and migrates the schema.
    pub fn open(url: &str) -> Result<PostgresStore, StoreError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError::Other(format!("starting the database runtime: {e}")))?;
        let mut s = PostgresStore {
            rt,
            url: url.to_owned(),
            conn: None,
        };
        s.connection()?;
        Ok(s)
    }

    /// The live connection; a lost one (database restarted, network cut) is replaced, so a
    /// window outlives a database restart.
    fn connection(&mut self) -> Result<&mut Connection, StoreError> {
        if self.conn.as_ref().is_none_or(|c| c.client.is_closed()) {
            self.conn = None;
            let c = self.rt.block_on(connect(&self.url))?;
            self.conn = Some(c);
        }
        Ok(self.conn.as_mut().expect("just connected"))
    }

    /// The schema version in the database.
    pub fn schema_version(&mut self) -> Result<i64, StoreError> {
        let rt = &self.rt;
        let c = match &self.conn {
            Some(c) => c,
            None => return Err(StoreError::Other("not connected".into())),
        };
        let row = rt.block_on(
            c.client
                .query_one("SELECT count(*) FROM madoguchi_schema", &[]),
        )?;
        Ok(row.get(0))
    }
}

async fn connect(url: &str) -> Result<Connection, StoreError> {
    let (mut client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!("database connection ended: {e}");
        }
    });
    migrate(&mut client).await?;
    // Every statement below finds rows by index, whatever the values. With the default
    // (`auto`), PostgreSQL kept planning the lookup afresh at every execution, since its
    // estimate for the plan made once came out higher than for one made per values: half the
    // database's CPU per validity check went to the planner.
    client
        .batch_execute("SET plan_cache_mode = force_generic_plan")
        .await?;
    let st = Statements {
        // The four reads of `Transaction::lookup`, for any number of submissions, in one
        // statement: each joined part finds at most one row (a unique index or the primary
        // key), so each submission's answer is one row, in the order of the arrays. The
        // LIMITs change no answer; they keep the planner from turning a part into a join
        // over all the table's matching rows (it did, for the accepted revocations: 5x the
        // database's CPU per request), so that each part stays an index lookup per row.
        lookup_many: client
            .prepare(
                "SELECT c.request_hash, c.answer, h.answer, crl.revoked_at,
                        a.receipt_id, a.cert_serial, a.received_at
                 FROM unnest($1::BIGINT[], $2::BYTEA[], $3::BYTEA[], $4::BYTEA[], $5::TEXT[])
                     WITH ORDINALITY AS k(expires_at, nonce, request_hash, issuer, serial, i)
                 LEFT JOIN LATERAL (SELECT r.request_hash, r.answer FROM requests r
                     WHERE r.challenge_expires_at = k.expires_at
                       AND r.challenge_nonce = k.nonce LIMIT 1) c ON true
                 LEFT JOIN LATERAL (SELECT r.answer FROM requests r
                     WHERE r.request_hash = k.request_hash AND r.challenge_nonce IS NULL
                     LIMIT 1) h ON true
                 LEFT JOIN LATERAL (SELECT e.revoked_at FROM crl_entries e
                     WHERE e.serial = k.serial AND e.crl_id = (
                         SELECT id FROM crls WHERE issuer = k.issuer
                         ORDER BY this_update DESC, id DESC LIMIT 1) LIMIT 1) crl ON true
                 LEFT JOIN LATERAL (SELECT r.receipt_id, r.cert_serial, r.received_at
                     FROM requests r
                     WHERE r.cert_issuer = k.issuer AND r.cert_serial = k.serial
                       AND r.procedure = 'revocation' AND r.outcome = 'accepted'
                     LIMIT 1) a ON true
                 ORDER BY k.i",
            )
            .await?,
        // Any number of records in one statement, in the order of the arrays.
        insert_requests: client
            .prepare(
                "INSERT INTO requests (receipt_id, request_hash, procedure, outcome, cert_issuer,
                    cert_issuer_text, cert_serial, holder_name, received_at, answer, document, cms,
                    challenge_expires_at, challenge_nonce)
                 SELECT receipt_id, request_hash, procedure, outcome, cert_issuer,
                    cert_issuer_text, cert_serial, holder_name, received_at, answer, document, cms,
                    challenge_expires_at, challenge_nonce
                 FROM unnest($1::TEXT[], $2::BYTEA[], $3::TEXT[], $4::TEXT[], $5::BYTEA[],
                    $6::TEXT[], $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::TEXT[], $11::BYTEA[],
                    $12::BYTEA[], $13::BIGINT[], $14::BYTEA[])
                    WITH ORDINALITY AS r(receipt_id, request_hash, procedure, outcome,
                        cert_issuer, cert_issuer_text, cert_serial, holder_name, received_at,
                        answer, document, cms, challenge_expires_at, challenge_nonce, i)
                 ORDER BY r.i",
            )
            .await?,
    };
    Ok(Connection { client, st })
}

/// Applies the migrations up to schema `version` only and disconnects: for tests of later
/// migrations on a database an older server wrote.
#[doc(hidden)]
pub fn migrate_only(url: &str, version: i64) -> Result<(), StoreError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| StoreError::Other(format!("starting the database runtime: {e}")))?;
    rt.block_on(async {
        let (mut client, connection) = tokio_postgres::connect(url, NoTls).await?;
        let driver = tokio::spawn(connection);
        migrate_to(&mut client, version).await?;
        drop(client);
        let _ = driver.await;
        Ok(())
    })
}

async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    migrate_to(client, SCHEMA_VERSION).await
}

async fn migrate_to(client: &mut Client, version: i64) -> Result<(), StoreError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS madoguchi_schema (
             version BIGINT PRIMARY KEY,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .await?;
    let current: i64 = tx
        .query_one("SELECT count(*) FROM madoguchi_schema", &[])
        .await?
        .get(0);
    if current > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found: current,
            known: SCHEMA_VERSION,
        });
    }
    let upto = MIGRATIONS.len().min(version.max(0) as usize);
    for (i, sql) in MIGRATIONS[..upto].iter().enumerate().skip(current as usize) {
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO madoguchi_schema (version) VALUES ($1)",
            &[&((i + 1) as i64)],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

struct PgTx<'a> {
    rt: &'a tokio::runtime::Runtime,
    tx: tokio_postgres::Transaction<'a>,
    st: &'a Statements,
    /// A released savepoint not yet sent: the release goes out with the next savepoint,
    /// in the same round trip, or not at all (the commit releases every savepoint). It
    /// cannot fail on its own: it follows statements that succeeded.
    release_pending: bool,
}

impl PgTx<'_> {
    /// The lookup statement's rows, one per key, in order.
    fn lookup_rows(&self, keys: &[LookupKey<'_>]) -> Result<Vec<tokio_postgres::Row>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let expires_at: Vec<Option<i64>> = keys
            .iter()
            .map(|k| k.challenge.map(|t| t.expires_at))
            .collect();
        let nonce: Vec<Option<&[u8]>> = keys
            .iter()
            .map(|k| k.challenge.map(|t| t.nonce.as_slice()))
            .collect();
        let hash: Vec<&[u8]> = keys.iter().map(|k| k.request_hash.as_slice()).collect();
        let issuer: Vec<&[u8]> = keys.iter().map(|k| k.issuer_der).collect();
        let serial: Vec<&str> = keys.iter().map(|k| k.serial).collect();
        let params: [&(dyn ToSql + Sync); 5] = [&expires_at, &nonce, &hash, &issuer, &serial];
        let rows = self.run(self.tx.query(&self.st.lookup_many, &params))?;
        if rows.len() != keys.len() {
            return Err(StoreError::Other(format!(
                "{} lookups gave {} rows",
                keys.len(),
                rows.len()
            )));
        }
        Ok(rows)
    }

    fn lookup_row(&self, key: LookupKey<'_>) -> Result<tokio_postgres::Row, StoreError> {
        self.lookup_rows(&[key])?
            .pop()
            .ok_or_else(|| StoreError::Other("the lookup found no row".into()))
    }

    fn run<T>(
        &self,
        f: impl std::future::Future<Output = Result<T, tokio_postgres::Error>>,
    ) -> Result<T, StoreError> {
        Ok(self.rt.block_on(f)?)
    }
}

/// A row of the lookup statement: what is recorded for the document (its columns 0–2).
fn recorded_of(request_hash: &[u8; 32], row: &tokio_postgres::Row) -> Recorded {
    match (
        row.get::<_, Option<&[u8]>>(0),
        row.get::<_, Option<String>>(1),
    ) {
        (Some(hash), Some(answer)) => recorded_with(request_hash, hash, answer),
        _ => match row.get::<_, Option<String>>(2) {
            Some(answer) => Recorded::Answer(answer),
            None => Recorded::Nothing,
        },
    }
}

/// A row of the lookup statement: the certificate's accepted revocation (columns 4–6).
fn accepted_of(row: &tokio_postgres::Row) -> Option<AcceptedRevocation> {
    Some(AcceptedRevocation {
        receipt_id: row.get::<_, Option<String>>(4)?,
        serial: row.get(5),
        accepted_at: row.get(6),
    })
}

/// One submission's row of the lookup statement (column 3: the CRL's revocation date).
fn lookup_of(request_hash: &[u8; 32], row: &tokio_postgres::Row) -> Lookup {
    Lookup::decided_by(recorded_of(request_hash, row), row.get(3), accepted_of(row))
}

/// A lookup key for a certificate's reads alone: no challenge and an all-zero hash, whose
/// parts of the row are not read.
fn certificate_only<'a>(issuer_der: &'a [u8], serial: &'a str) -> LookupKey<'a> {
    LookupKey {
        request_hash: &[0; 32],
        challenge: None,
        issuer_der,
        serial,
    }
}

impl Transaction for PgTx<'_> {
    fn lookup(
        &mut self,
        request_hash: &[u8; 32],
        challenge: Option<&Ticket>,
        issuer_der: &[u8],
        serial: &str,
    ) -> Result<Lookup, StoreError> {
        let row = self.lookup_row(LookupKey {
            request_hash,
            challenge,
            issuer_der,
            serial,
        })?;
        Ok(lookup_of(request_hash, &row))
    }

    fn lookup_many(&mut self, keys: &[LookupKey<'_>]) -> Result<Vec<Lookup>, StoreError> {
        let rows = self.lookup_rows(keys)?;
        Ok(keys
            .iter()
            .zip(&rows)
            .map(|(k, row)| lookup_of(k.request_hash, row))
            .collect())
    }

    // The single reads, for callers other than the committer, from the same statement: each
    // of its parts is read on its own, whatever the other parts of the key find.

    fn recorded(
        &mut self,
        request_hash: &[u8; 32],
        challenge: Option<&Ticket>,
    ) -> Result<Recorded, StoreError> {
        let row = self.lookup_row(LookupKey {
            request_hash,
            challenge,
            issuer_der: b"",
            serial: "",
        })?;
        Ok(recorded_of(request_hash, &row))
    }

    fn crl_revocation(
        &mut self,
        issuer_der: &[u8],
        serial: &str,
    ) -> Result<Option<String>, StoreError> {
        let row = self.lookup_row(certificate_only(issuer_der, serial))?;
        Ok(row.get(3))
    }

    fn accepted_revocation(
        &mut self,
        issuer_der: &[u8],
        serial: &str,
    ) -> Result<Option<AcceptedRevocation>, StoreError> {
        let row = self.lookup_row(certificate_only(issuer_der, serial))?;
        Ok(accepted_of(&row))
    }

    fn insert_request(&mut self, rec: &NewRecord<'_>) -> Result<(), StoreError> {
        self.insert_requests(std::slice::from_ref(rec))
    }

    fn insert_requests(&mut self, records: &[NewRecord<'_>]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        fn column<'a, T>(
            records: &'a [NewRecord<'a>],
            f: impl Fn(&'a NewRecord<'a>) -> T,
        ) -> Vec<T> {
            records.iter().map(f).collect()
        }
        let receipt_id = column(records, |r| r.receipt_id);
        let request_hash = column(records, |r| r.request_hash.as_slice());
        let procedure = column(records, |r| r.procedure);
        let outcome = column(records, |r| r.outcome);
        let issuer_der = column(records, |r| r.issuer_der);
        let issuer_text = column(records, |r| r.issuer_text);
        let serial = column(records, |r| r.serial);
        let holder_name = column(records, |r| r.holder_name);
        let received_at = column(records, |r| r.received_at);
        let answer = column(records, |r| r.answer_json);
        let document = column(records, |r| r.document);
        let cms = column(records, |r| r.cms);
        let expires_at = column(records, |r| r.challenge.expires_at);
        let nonce = column(records, |r| r.challenge.nonce.as_slice());
        let params: [&(dyn ToSql + Sync); 14] = [
            &receipt_id,
            &request_hash,
            &procedure,
            &outcome,
            &issuer_der,
            &issuer_text,
            &serial,
            &holder_name,
            &received_at,
            &answer,
            &document,
            &cms,
            &expires_at,
            &nonce,
        ];
        self.run(self.tx.execute(&self.st.insert_requests, &params))?;
        Ok(())
    }

    fn accepted_revocations(
        &mut self,
        issuer_der: &[u8],
    ) -> Result<Vec<AcceptedRevocation>, StoreError> {
        let rows = self.run(self.tx.query(
            "SELECT receipt_id, cert_serial, received_at FROM requests
             WHERE cert_issuer = $1 AND procedure = 'revocation' AND outcome = 'accepted'
             ORDER BY id",
            &[&issuer_der],
        ))?;
        Ok(rows
            .iter()
            .map(|r| AcceptedRevocation {
                receipt_id: r.get(0),
                serial: r.get(1),
                accepted_at: r.get(2),
            })
            .collect())
    }

    fn latest_crl_entries(&mut self, issuer_der: &[u8]) -> Result<Option<HeldCrl>, StoreError> {
        let head = self.run(self.tx.query_opt(
            "SELECT id, crl_number, this_update FROM crls WHERE issuer = $1
             ORDER BY this_update DESC, id DESC LIMIT 1",
            &[&issuer_der],
        ))?;
        let Some(head) = head else {
            return Ok(None);
        };
        let id: i64 = head.get(0);
        let rows = self.run(self.tx.query(
            "SELECT serial, revoked_at FROM crl_entries WHERE crl_id = $1",
            &[&id],
        ))?;
        Ok(Some(HeldCrl {
            crl_number: head.get(1),
            this_update: head.get(2),
            entries: rows.iter().map(|r| (r.get(0), r.get(1))).collect(),
        }))
    }

    fn insert_crl(&mut self, crl: &NewCrl<'_>) -> Result<(), StoreError> {
        let row = self.run(self.tx.query_one(
            "INSERT INTO crls (issuer, issuer_text, crl_number, this_update, next_update, source,
                der, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            &[
                &crl.issuer_der,
                &crl.issuer_text,
                &crl.crl_number,
                &crl.this_update,
                &crl.next_update,
                &crl.source,
                &crl.der,
                &crl.added_at,
            ],
        ))?;
        let id: i64 = row.get(0);
        let stmt = self.run(self.tx.prepare(
            "INSERT INTO crl_entries (crl_id, serial, revoked_at) VALUES ($1, $2, $3)
             ON CONFLICT (crl_id, serial) DO UPDATE SET revoked_at = EXCLUDED.revoked_at",
        ))?;
        for (serial, date) in crl.entries {
            self.run(self.tx.execute(&stmt, &[&id, serial, date]))?;
        }
        Ok(())
    }

    fn savepoint(&mut self) -> Result<(), StoreError> {
        let sql = if std::mem::take(&mut self.release_pending) {
            "RELEASE SAVEPOINT submission; SAVEPOINT submission"
        } else {
            "SAVEPOINT submission"
        };
        self.run(self.tx.batch_execute(sql))
    }

    fn release_savepoint(&mut self) -> Result<(), StoreError> {
        self.release_pending = true;
        Ok(())
    }

    fn rollback_to_savepoint(&mut self) -> Result<(), StoreError> {
        self.run(
            self.tx
                .batch_execute("ROLLBACK TO SAVEPOINT submission; RELEASE SAVEPOINT submission"),
        )
    }

    fn commit(self: Box<Self>) -> Result<(), StoreError> {
        let PgTx { rt, tx, .. } = *self;
        Ok(rt.block_on(tx.commit())?)
    }
}

impl Store for PostgresStore {
    fn transaction(&mut self) -> Result<Box<dyn Transaction + '_>, StoreError> {
        self.connection()?;
        let rt = &self.rt;
        let conn = self.conn.as_mut().expect("connected above");
        let tx = rt.block_on(conn.client.transaction())?;
        Ok(Box::new(PgTx {
            rt,
            tx,
            st: &conn.st,
            release_pending: false,
        }))
    }

    fn lazy_transaction(&mut self) -> Result<Box<dyn Transaction + '_>, StoreError> {
        self.connection()?;
        let rt = &self.rt;
        let conn = self.conn.as_mut().expect("connected above");
        let tx = rt.block_on(conn.client.transaction())?;
        // This transaction only: its commit does not wait for the WAL flush. A later
        // synchronous commit flushes the WAL up to its own record, which lies after this one.
        rt.block_on(tx.batch_execute("SET LOCAL synchronous_commit = off"))?;
        Ok(Box::new(PgTx {
            rt,
            tx,
            st: &conn.st,
            release_pending: false,
        }))
    }

    fn list_requests(&mut self) -> Result<Vec<RequestRecord>, StoreError> {
        self.connection()?;
        let c = &self.conn.as_ref().expect("connected above").client;
        let rows = self.rt.block_on(c.query(
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
            &[],
        ))?;
        Ok(rows
            .iter()
            .map(|r| {
                let hash: Vec<u8> = r.get(1);
                RequestRecord {
                    receipt_id: r.get(0),
                    request_hash: hex::encode(hash),
                    procedure: r.get(2),
                    outcome: r.get(3),
                    certificate_issuer: r.get(4),
                    certificate_serial: r.get(5),
                    holder_name: r.get(6),
                    received_at: r.get(7),
                    status: r.get(8),
                }
            })
            .collect())
    }

    fn latest_crl(&mut self, issuer_der: Option<&[u8]>) -> Result<Option<CrlRecord>, StoreError> {
        self.connection()?;
        let c = &self.conn.as_ref().expect("connected above").client;
        let row = self.rt.block_on(c.query_opt(
            "SELECT crl_number, this_update, der, source,
                (SELECT count(*) FROM crl_entries e WHERE e.crl_id = c.id)
             FROM crls c WHERE ($1::BYTEA IS NULL OR issuer = $1)
             ORDER BY this_update DESC, id DESC LIMIT 1",
            &[&issuer_der],
        ))?;
        Ok(row.map(|r| {
            let n: i64 = r.get(4);
            CrlRecord {
                crl_number: r.get(0),
                this_update: r.get(1),
                der: r.get(2),
                source: r.get(3),
                entries: n as usize,
            }
        }))
    }

    fn challenge_key(&mut self) -> Result<[u8; 32], StoreError> {
        self.connection()?;
        let c = &self.conn.as_ref().expect("connected above").client;
        let secret: &[u8] = &fresh_secret();
        self.rt.block_on(c.execute(
            "INSERT INTO window_secrets (name, value) VALUES ('challenge_key', $1)
             ON CONFLICT (name) DO NOTHING",
            &[&secret],
        ))?;
        let v: Vec<u8> = self
            .rt
            .block_on(c.query_one(
                "SELECT value FROM window_secrets WHERE name = 'challenge_key'",
                &[],
            ))?
            .get(0);
        v.try_into()
            .map_err(|_| StoreError::Other("the stored challenge key is not 32 bytes".into()))
    }
}
