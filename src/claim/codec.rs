//! A billed claim as compact bytes and back (`crate::packing`'s values, in
//! the model's declaration order): how a run without `--db` holds every
//! 837 claim of an input it does not read again (issue 17). Control
//! numbers go as a length and their bytes. On a generated 4 MB 835 + its
//! 837, MessagePack's packing and unpacking of claims was a fifth of
//! `reconcile`'s instructions; see `crate::packing` for why.
//!
//! [`decode`] fails, never panics, on bytes it did not write: the store
//! turns that into an error naming the claim.

use std::ops::{Deref, DerefMut};

use super::model::{
    BilledClaim, BilledLine, BillingProvider, ClaimKind, Patient, Period, Subscriber,
};
use crate::envelope::TransactionId;
use crate::fields::{Procedure, Reference};
use crate::packing::{LIST_ROOM, Packer, Unpacker};
use crate::x12::{Control, Position};

/// `claim` as bytes [`decode`] reads back.
pub fn encode(claim: &BilledClaim) -> Vec<u8> {
    // About the size of the claim's X12: one allocation in the common case.
    let mut out = Writer(Packer::with_capacity(256 + 160 * claim.lines.len()));
    out.claim(claim);
    out.0.into_bytes()
}

/// The claim [`encode`] wrote into `bytes`; an error saying what did not
/// read back otherwise.
pub fn decode(bytes: &[u8]) -> Result<BilledClaim, String> {
    let mut input = Reader(Unpacker::new(bytes)?);
    let claim = input.claim()?;
    input.finish()?;
    Ok(claim)
}

/// The claim's values being packed: a [`Packer`] with the claim's own
/// structures.
struct Writer(Packer);

impl Deref for Writer {
    type Target = Packer;
    fn deref(&self) -> &Packer {
        &self.0
    }
}

impl DerefMut for Writer {
    fn deref_mut(&mut self) -> &mut Packer {
        &mut self.0
    }
}

impl Writer {
    fn control(&mut self, control: &Control) {
        self.bytes(control.as_bytes());
    }

    // Each struct is destructured whole, here and below: a field added to
    // the model is a compile error until it is written (and read, in the
    // same place of the `Reader` method of the same name).
    fn position(&mut self, pos: &Position) {
        let Position {
            byte,
            segment,
            interchange,
            transaction,
        } = pos;
        self.uint(*byte);
        self.uint(*segment);
        self.control(interchange);
        self.control(transaction);
    }

    fn transaction_id(&mut self, id: &TransactionId) {
        let TransactionId {
            interchange,
            sender,
            receiver,
            usage,
            interchange_date,
            group_date,
            functional_id,
            group,
            version,
            set_id,
            control,
            implementation,
            start,
        } = id;
        self.control(interchange);
        for text in [
            sender,
            receiver,
            usage,
            interchange_date,
            group_date,
            functional_id,
        ] {
            self.text(text);
        }
        self.control(group);
        self.text(version);
        self.text(set_id);
        self.control(control);
        self.text(implementation);
        self.position(start);
    }

    fn references(&mut self, references: &[Reference]) {
        self.uint(references.len() as u64);
        for Reference { qualifier, value } in references {
            self.text(qualifier);
            self.text(value);
        }
    }

    fn line(&mut self, line: &BilledLine) {
        let BilledLine {
            number,
            procedure:
                Procedure {
                    qualifier,
                    code,
                    modifiers,
                    description,
                },
            revenue_code,
            charge,
            unit_basis,
            units,
            place_of_service,
            non_covered,
            service_date,
            service_to,
            control_number,
            references,
            pos,
        } = line;
        self.text(number);
        self.text(qualifier);
        self.text(code);
        self.texts(modifiers);
        self.text(description);
        self.text(revenue_code);
        self.decimal(*charge);
        self.text(unit_basis);
        self.option_decimal(*units);
        self.text(place_of_service);
        self.option_decimal(*non_covered);
        self.option_date(*service_date);
        self.option_date(*service_to);
        self.text(control_number);
        self.references(references);
        self.position(pos);
    }

    fn claim(&mut self, c: &BilledClaim) {
        let BilledClaim {
            kind,
            id,
            created,
            billing_provider,
            subscriber,
            patient,
            claim_id,
            charge,
            facility_code,
            facility_qualifier,
            frequency,
            payer_claim_number,
            dates,
            diagnoses,
            rendering_npi,
            references,
            other_payers,
            lines,
            pos,
            transaction_hash,
            other_payer_paid,
        } = c;
        self.byte(match kind {
            ClaimKind::Professional => 0,
            ClaimKind::Institutional => 1,
            ClaimKind::Dental => 2,
        });
        self.transaction_id(id);
        self.option_date(*created);
        let BillingProvider { name, npi, tax_id } = billing_provider;
        self.text(name);
        self.text(npi);
        self.text(tax_id);
        let Subscriber {
            responsibility,
            group_number,
            filing_indicator,
            member_id,
            last,
            first,
            payer_name,
            payer_id,
            birth_date,
            gender,
        } = subscriber;
        for text in [
            responsibility,
            group_number,
            filing_indicator,
            member_id,
            last,
            first,
            payer_name,
            payer_id,
        ] {
            self.text(text);
        }
        self.option_date(*birth_date);
        self.text(gender);
        self.flag(patient.is_some());
        if let Some(Patient {
            last,
            first,
            id,
            birth_date,
            gender,
        }) = patient
        {
            self.text(last);
            self.text(first);
            self.text(id);
            self.option_date(*birth_date);
            self.text(gender);
        }
        self.text(claim_id);
        self.decimal(*charge);
        self.text(facility_code);
        self.text(facility_qualifier);
        self.text(frequency);
        self.option_text(payer_claim_number.as_ref());
        self.uint(dates.len() as u64);
        for Period {
            qualifier,
            from,
            to,
        } in dates
        {
            self.text(qualifier);
            self.date(*from);
            self.date(*to);
        }
        self.texts(diagnoses);
        self.text(rendering_npi);
        self.references(references);
        self.uint(u64::from(*other_payers));
        self.uint(lines.len() as u64);
        for line in lines {
            self.line(line);
        }
        self.position(pos);
        self.uint(*transaction_hash);
        self.option_date(*other_payer_paid);
    }
}

/// The claim's values being unpacked: an [`Unpacker`] with the claim's
/// own structures.
struct Reader<'a>(Unpacker<'a>);

impl<'a> Deref for Reader<'a> {
    type Target = Unpacker<'a>;
    fn deref(&self) -> &Unpacker<'a> {
        &self.0
    }
}

impl<'a> DerefMut for Reader<'a> {
    fn deref_mut(&mut self) -> &mut Unpacker<'a> {
        &mut self.0
    }
}

impl Reader<'_> {
    /// A list as [`crate::packing::Packer`] writes one: its length, then
    /// each item read by `item`, into a vector sized once (at most
    /// [`LIST_ROOM`] ahead), without a collecting adapter — most lists
    /// are empty or short.
    fn list<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        let n = self.len()?;
        let mut items = Vec::with_capacity(n.min(LIST_ROOM));
        for _ in 0..n {
            items.push(item(self)?);
        }
        Ok(items)
    }

    fn control(&mut self) -> Result<Control, String> {
        let n = self.len()?;
        if n > Control::CAPACITY {
            return Err(format!("a packed control number of {n} bytes"));
        }
        Ok(Control::new(self.take(n)?))
    }

    fn position(&mut self) -> Result<Position, String> {
        Ok(Position {
            byte: self.uint()?,
            segment: self.uint()?,
            interchange: self.control()?,
            transaction: self.control()?,
        })
    }

    fn transaction_id(&mut self) -> Result<TransactionId, String> {
        Ok(TransactionId {
            interchange: self.control()?,
            sender: self.text()?,
            receiver: self.text()?,
            usage: self.text()?,
            interchange_date: self.text()?,
            group_date: self.text()?,
            functional_id: self.text()?,
            group: self.control()?,
            version: self.text()?,
            set_id: self.text()?,
            control: self.control()?,
            implementation: self.text()?,
            start: self.position()?,
        })
    }

    fn references(&mut self) -> Result<Vec<Reference>, String> {
        self.list(|r| {
            Ok(Reference {
                qualifier: r.text()?,
                value: r.text()?,
            })
        })
    }

    fn line(&mut self) -> Result<BilledLine, String> {
        Ok(BilledLine {
            number: self.text()?,
            procedure: Procedure {
                qualifier: self.text()?,
                code: self.text()?,
                modifiers: self.texts()?,
                description: self.text()?,
            },
            revenue_code: self.text()?,
            charge: self.decimal()?,
            unit_basis: self.text()?,
            units: self.option_decimal()?,
            place_of_service: self.text()?,
            non_covered: self.option_decimal()?,
            service_date: self.option_date()?,
            service_to: self.option_date()?,
            control_number: self.text()?,
            references: self.references()?,
            pos: self.position()?,
        })
    }

    fn claim(&mut self) -> Result<BilledClaim, String> {
        // Struct expressions evaluate their fields in the order written:
        // the order `Writer::claim` wrote them in.
        Ok(BilledClaim {
            kind: match self.byte()? {
                0 => ClaimKind::Professional,
                1 => ClaimKind::Institutional,
                2 => ClaimKind::Dental,
                other => return Err(format!("a packed claim kind reads {other}")),
            },
            id: self.transaction_id()?,
            created: self.option_date()?,
            billing_provider: BillingProvider {
                name: self.text()?,
                npi: self.text()?,
                tax_id: self.text()?,
            },
            subscriber: Subscriber {
                responsibility: self.text()?,
                group_number: self.text()?,
                filing_indicator: self.text()?,
                member_id: self.text()?,
                last: self.text()?,
                first: self.text()?,
                payer_name: self.text()?,
                payer_id: self.text()?,
                birth_date: self.option_date()?,
                gender: self.text()?,
            },
            patient: if self.flag()? {
                Some(Patient {
                    last: self.text()?,
                    first: self.text()?,
                    id: self.text()?,
                    birth_date: self.option_date()?,
                    gender: self.text()?,
                })
            } else {
                None
            },
            claim_id: self.text()?,
            charge: self.decimal()?,
            facility_code: self.text()?,
            facility_qualifier: self.text()?,
            frequency: self.text()?,
            payer_claim_number: self.option_text()?,
            dates: self.list(|r| {
                Ok(Period {
                    qualifier: r.text()?,
                    from: r.date()?,
                    to: r.date()?,
                })
            })?,
            diagnoses: self.texts()?,
            rendering_npi: self.text()?,
            references: self.references()?,
            other_payers: u32::try_from(self.uint()?)
                .map_err(|_| "a packed count of other payers passes 32 bits".to_owned())?,
            lines: self.list(Self::line)?,
            pos: self.position()?,
            transaction_hash: self.uint()?,
            other_payer_paid: self.option_date()?,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::str::FromStr;

    use jiff::civil::Date;
    use rust_decimal::Decimal;

    use super::*;
    use crate::document::{DocumentEvent, DocumentReader};
    use crate::text::Text;

    /// Every claim of the bundled X12 files (samples and corpus); the
    /// store's claim form is tested on them too.
    pub(crate) fn bundled_claims() -> Vec<BilledClaim> {
        let mut claims = Vec::new();
        for path in crate::x12::test_files::bundled() {
            let bytes = std::fs::read(&path).expect("readable");
            let mut reader = DocumentReader::from_slice(&bytes);
            while let Ok(Some(event)) = reader.next_event() {
                if let DocumentEvent::Claim(super::super::ClaimEvent::Claim(c)) = event {
                    claims.push(*c);
                }
            }
        }
        claims
    }

    fn round_trip(claim: &BilledClaim) {
        let bytes = encode(claim);
        assert_eq!(decode(&bytes).as_ref(), Ok(claim));
        // Bit for bit: a negative zero or a trailing zero of an amount
        // must come back as it went (equality of decimals ignores both).
        let back = decode(&bytes).unwrap();
        for (a, b) in back.lines.iter().zip(&claim.lines) {
            assert_eq!(a.charge.serialize(), b.charge.serialize());
        }
        assert_eq!(back.charge.serialize(), claim.charge.serialize());
    }

    #[test]
    fn every_claim_of_the_samples_and_the_corpus_reads_back_the_same() {
        let claims = bundled_claims();
        assert!(claims.len() > 50, "only {} claims found", claims.len());
        assert!(claims.iter().any(|c| c.patient.is_some()));
        assert!(claims.iter().any(|c| c.payer_claim_number.is_some()));
        for claim in &claims {
            round_trip(claim);
        }
    }

    /// A claim with every field set to something a field next to it
    /// does not hold: a read out of order cannot come back equal.
    fn everything() -> BilledClaim {
        let t = |s: &str| Text::new(s);
        let date = |s: &str| Date::from_str(s).unwrap();
        let pos = |n: u64| Position {
            byte: n.wrapping_mul(1_000_003),
            segment: n,
            interchange: Control::new(b"000000123"),
            transaction: Control::new(b"123456789012345"),
        };
        BilledClaim {
            kind: ClaimKind::Dental,
            id: TransactionId {
                interchange: Control::new(b"1"),
                sender: t("SENDER"),
                receiver: t("RECEIVER"),
                usage: t("T"),
                interchange_date: t("240301"),
                group_date: t("20240301"),
                functional_id: t("HC"),
                group: Control::new(b"77"),
                version: t("005010X224A2"),
                set_id: t("837"),
                control: Control::new(b"0001"),
                implementation: t("005010X224A2"),
                start: pos(7),
            },
            created: Some(date("2024-03-01")),
            billing_provider: BillingProvider {
                name: t("RIVERSIDE, \"DENTAL\" — ÉCOLE"),
                npi: t("1234567893"),
                tax_id: t("123456789"),
            },
            subscriber: Subscriber {
                responsibility: t("P"),
                group_number: t("G1"),
                filing_indicator: t("CI"),
                member_id: t("M100"),
                last: t("DOE"),
                first: t("JOHN"),
                payer_name: t("ACME"),
                payer_id: t("60054"),
                birth_date: Some(date("1970-12-31")),
                gender: t("M"),
            },
            patient: Some(Patient {
                last: t("DOE"),
                first: t("JUNIOR"),
                id: t("P1"),
                birth_date: None,
                gender: t("F"),
            }),
            claim_id: t(&"C".repeat(200)),
            charge: Decimal::from_str("-0.00").unwrap(),
            facility_code: t("11"),
            facility_qualifier: t("B"),
            frequency: t("7"),
            payer_claim_number: Some(t("ICN1")),
            dates: vec![Period {
                qualifier: t("434"),
                from: date("2024-01-01"),
                to: date("2024-01-31"),
            }],
            diagnoses: vec![t("M545"), t(""), t("Z0000")],
            rendering_npi: t("1111111112"),
            references: vec![Reference {
                qualifier: t("G1"),
                value: t("AUTH9"),
            }],
            other_payers: 3,
            lines: vec![
                BilledLine {
                    number: t("1"),
                    procedure: Procedure {
                        qualifier: t("AD"),
                        code: t("D0120"),
                        modifiers: vec![t("GP"), t("59")],
                        description: t("EXAM"),
                    },
                    revenue_code: t("0450"),
                    charge: Decimal::from_str("79228162514264337593543950335").unwrap(),
                    unit_basis: t("UN"),
                    units: Some(Decimal::from_str("1.5").unwrap()),
                    place_of_service: t("11"),
                    non_covered: Some(Decimal::from_str("-12.3400").unwrap()),
                    service_date: Some(date("2024-01-05")),
                    service_to: Some(date("2024-01-06")),
                    control_number: t("L1"),
                    references: vec![],
                    pos: pos(40),
                },
                BilledLine {
                    charge: Decimal::from_str("0.0000000000000000000000000001").unwrap(),
                    units: None,
                    non_covered: None,
                    service_date: None,
                    pos: pos(u64::MAX),
                    ..BilledLine::default()
                },
            ],
            pos: pos(30),
            transaction_hash: u64::MAX - 5,
            other_payer_paid: Some(date("2024-02-01")),
        }
    }

    #[test]
    fn every_field_reads_back_in_its_place() {
        let claim = everything();
        round_trip(&claim);
        let mut plain = claim.clone();
        plain.patient = None;
        plain.payer_claim_number = None;
        plain.lines.clear();
        round_trip(&plain);
        round_trip(&BilledClaim::default());
    }

    #[test]
    fn bytes_cut_short_or_changed_are_an_error_not_a_panic() {
        let bytes = encode(&everything());
        for end in 0..bytes.len() {
            assert!(decode(&bytes[..end]).is_err(), "cut at {end}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer).is_err());
        // Any one byte changed: an error or another claim, never a panic.
        for at in 0..bytes.len() {
            for value in [0x00, 0x7F, 0x80, 0xFF] {
                let mut changed = bytes.clone();
                changed[at] = value;
                let _ = decode(&changed);
            }
        }
    }
}
