//! What prompt-pay interest assessment says about one paid line: the
//! receipt and due dates, days late, and interest owed and paid. The rule
//! that computes it (`reconcile::interest`) is not here.

use jiff::civil::Date;
use rust_decimal::Decimal;

/// Where the receipt date came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ReceiptSource {
    /// The 835's DTM*050 (claim received).
    Dtm050,
    /// The 837's creation date (BHT04).
    Bht04,
}

impl ReceiptSource {
    /// The name shown in ledgers.
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiptSource::Dtm050 => "DTM*050",
            ReceiptSource::Bht04 => "BHT04",
        }
    }
}

/// The interest assessment of one paid line.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LineInterest {
    /// The receipt date used.
    pub received: Date,
    /// Where it came from.
    pub source: ReceiptSource,
    /// The day the claim was due.
    pub due: Date,
    /// The payment date.
    pub paid_on: Date,
    /// Days paid after the due date (0 when on time).
    pub days_late: i64,
    /// The late amount earning interest.
    pub principal: Decimal,
    /// The yearly rate.
    pub rate: Decimal,
    /// Interest owed on this line.
    pub owed: Decimal,
    /// Interest the payer paid, allocated to this line.
    pub paid: Decimal,
}

impl LineInterest {
    /// owed − paid.
    pub fn difference(&self) -> Decimal {
        self.owed - self.paid
    }
}
