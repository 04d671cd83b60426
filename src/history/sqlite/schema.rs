//! The store's schema and its forward migrations. The schema version lives
//! in SQLite's `user_version`; the `application_id` marks the file as a remit
//! store so a foreign database is never touched.

/// Marks a SQLite file as a remit history store ("RMIT").
pub const APPLICATION_ID: i32 = 0x524d_4954;

/// Migrations, in order: migration `i` takes the schema from version `i` to
/// `i + 1`. Never edit a released migration; append a new one.
pub const MIGRATIONS: &[&str] = &[
    // 0 → 1: the first schema.
    "
    CREATE TABLE remittances (
        id INTEGER PRIMARY KEY,
        content_hash INTEGER NOT NULL UNIQUE,
        semantic TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL,
        payer TEXT NOT NULL,
        payer_id TEXT NOT NULL,
        payee TEXT NOT NULL,
        trace TEXT NOT NULL,
        payment_date TEXT,
        production_date TEXT,
        isa13 TEXT NOT NULL,
        gs06 TEXT NOT NULL,
        st02 TEXT NOT NULL,
        st02_order TEXT NOT NULL,
        amount TEXT NOT NULL,
        ingested_at TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'decided')),
        context TEXT NOT NULL,
        events TEXT
    );
    CREATE INDEX remittances_pending ON remittances(state, payment_date, production_date, isa13, st02_order, trace, content_hash);

    CREATE TABLE lines (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        base_key TEXT NOT NULL,
        ordinal INTEGER NOT NULL
    );

    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        line_id INTEGER NOT NULL REFERENCES lines(id),
        remittance_id INTEGER,
        payment_date TEXT,
        trace TEXT NOT NULL,
        paid TEXT NOT NULL,
        kind TEXT NOT NULL,
        denial_reasons TEXT NOT NULL,
        line_control TEXT NOT NULL,
        flags INTEGER NOT NULL,
        claim_id TEXT,
        member_id TEXT,
        procedure TEXT,
        row TEXT
    );
    CREATE INDEX events_line ON events(line_id, id);
    CREATE INDEX events_claim ON events(claim_id, payment_date) WHERE row IS NOT NULL;
    CREATE INDEX events_member ON events(member_id, payment_date) WHERE row IS NOT NULL;
    CREATE INDEX events_procedure ON events(procedure, payment_date) WHERE row IS NOT NULL;
    CREATE INDEX events_date ON events(payment_date) WHERE row IS NOT NULL;

    CREATE TABLE line_controls (
        base_key TEXT NOT NULL,
        control TEXT NOT NULL,
        ordinal INTEGER NOT NULL,
        PRIMARY KEY (base_key, control)
    ) WITHOUT ROWID;

    CREATE TABLE claim_links (
        payer TEXT NOT NULL,
        payee TEXT NOT NULL,
        reference TEXT NOT NULL,
        line_id INTEGER NOT NULL,
        PRIMARY KEY (payer, payee, reference, line_id)
    ) WITHOUT ROWID;

    CREATE TABLE claims (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        clm01 TEXT NOT NULL,
        frequency TEXT NOT NULL,
        transaction_hash INTEGER NOT NULL,
        replaced_icn TEXT,
        created TEXT,
        ingested_at TEXT NOT NULL,
        claim TEXT NOT NULL,
        UNIQUE (clm01, frequency, transaction_hash)
    );
    CREATE INDEX claims_replaced ON claims(replaced_icn) WHERE replaced_icn IS NOT NULL;

    CREATE TABLE claim_lines (
        claim_id INTEGER NOT NULL REFERENCES claims(id),
        line INTEGER NOT NULL,
        answered INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (claim_id, line)
    ) WITHOUT ROWID;
    CREATE INDEX claim_lines_open ON claim_lines(answered, claim_id);

    CREATE TABLE icns (
        clp01 TEXT NOT NULL,
        icn TEXT NOT NULL,
        PRIMARY KEY (clp01, icn)
    ) WITHOUT ROWID;
    ",
    // 1 → 2: one payment, one trace. A transaction a later version of its
    // remittance replaced names that version; `retired` once its money has
    // left the line histories, which skip events marked `superseded`. The
    // indexes find a payment's versions by trace and a version's events.
    "
    ALTER TABLE remittances ADD COLUMN superseded_by INTEGER;
    ALTER TABLE remittances ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE events ADD COLUMN superseded INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX remittances_trace ON remittances(trace);
    CREATE INDEX remittances_superseded ON remittances(superseded_by) WHERE superseded_by IS NOT NULL;
    CREATE INDEX events_remittance ON events(remittance_id);
    ",
];

/// The schema version this build writes.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}
