//! Writing 276 claim status requests (005010X212): one interchange and
//! functional group per batch, one transaction set per payer, and under it
//! the TR3's hierarchy — 2000A payer (information source), 2000B the
//! practice or billing service asking (information receiver), 2000C the
//! billing provider, 2000D the subscriber and, when the patient is someone
//! else, 2000E the dependent — with the claim asked about in 2200D/E: TRN
//! (the trace the 277 answer echoes, here the CLM01), REF*1K (the payer's
//! claim number when an acknowledgment gave one), REF*BLT (bill type,
//! institutional), REF*EJ (CLM01), AMT*T3 (charge) and DTP*472 (dates of
//! service).
//!
//! It writes bytes, nothing else: choosing the claims, keeping the next
//! control number and writing the file atomically are the caller's. A claim
//! that cannot be asked about validly (no member id, no dates, a dependent
//! without the birth date 2000E requires, a delimiter inside a value) is
//! returned as skipped, with the reason, rather than written half-right.

mod config;

use std::collections::BTreeMap;

use jiff::civil::{Date, DateTime};
use rust_decimal::Decimal;

use crate::claim::BilledClaim;
use crate::text::Text;

pub use config::{EnvelopeConfig, EnvelopeConfigError};

/// The delimiters the batch is written with.
const ELEMENT: char = '*';
const COMPONENT: char = ':';
const REPETITION: char = '^';
const SEGMENT: char = '~';

/// The first delimiter of the batch found in `value`.
fn delimiter_in(value: &str) -> Option<char> {
    value
        .chars()
        .find(|c| [ELEMENT, COMPONENT, REPETITION, SEGMENT].contains(c))
}

/// The patient of a claim when not the subscriber (2000E).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DependentPatient {
    /// NM103.
    pub last: Text,
    /// NM104.
    pub first: Text,
    /// DMG02: required by the TR3 at 2000E.
    pub birth_date: Option<Date>,
    /// DMG03 (`F`, `M`, `U`).
    pub gender: Text,
}

/// One claim to ask about.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusInquiry {
    /// 2100A payer name (NM1*PR NM103).
    pub payer_name: Text,
    /// 2100A payer id (NM109, qualifier PI).
    pub payer_id: Text,
    /// 2100C billing provider name.
    pub provider_name: Text,
    /// 2100C billing provider NPI (qualifier XX).
    pub provider_npi: Text,
    /// 2100D subscriber last name.
    pub subscriber_last: Text,
    /// 2100D subscriber first name.
    pub subscriber_first: Text,
    /// 2100D member id (qualifier MI).
    pub member_id: Text,
    /// 2000D DMG02, when known (sent when the subscriber is the patient).
    pub subscriber_birth_date: Option<Date>,
    /// 2000D DMG03.
    pub subscriber_gender: Text,
    /// The patient, when not the subscriber.
    pub dependent: Option<DependentPatient>,
    /// CLM01: sent as TRN02 (so the 277 echoes it) and REF*EJ.
    pub claim_id: Text,
    /// REF*1K, when known.
    pub payer_claim_number: Text,
    /// REF*BLT for institutional claims: facility type + frequency.
    pub bill_type: Text,
    /// AMT*T3.
    pub charge: Decimal,
    /// DTP*472 first day.
    pub service_from: Option<Date>,
    /// DTP*472 last day.
    pub service_to: Option<Date>,
}

impl StatusInquiry {
    /// The inquiry for a billed claim. `payer_claim_number` is REF*1K from
    /// its acknowledgments (empty when none gave one). Birth dates come from
    /// the 837's DMG segments; a dependent's inquiry whose 837 gave none
    /// (or a claim stored before remit kept them) is skipped by the writer
    /// with that reason.
    pub fn from_claim(claim: &BilledClaim, payer_claim_number: &str) -> StatusInquiry {
        let dates = claim.lines.iter().filter_map(|l| l.service_date);
        let ends = claim
            .lines
            .iter()
            .filter_map(|l| l.service_to.or(l.service_date));
        let statement = claim.dates.iter().find(|d| d.qualifier == "434");
        let institutional = claim.kind == crate::claim::ClaimKind::Institutional;
        StatusInquiry {
            payer_name: claim.subscriber.payer_name.clone(),
            payer_id: claim.subscriber.payer_id.clone(),
            provider_name: claim.billing_provider.name.clone(),
            provider_npi: claim.billing_provider.npi.clone(),
            subscriber_last: claim.subscriber.last.clone(),
            subscriber_first: claim.subscriber.first.clone(),
            member_id: claim.subscriber.member_id.clone(),
            subscriber_birth_date: claim.subscriber.birth_date,
            subscriber_gender: claim.subscriber.gender.clone(),
            dependent: claim.patient.as_ref().map(|p| DependentPatient {
                last: p.last.clone(),
                first: p.first.clone(),
                birth_date: p.birth_date,
                gender: p.gender.clone(),
            }),
            claim_id: claim.claim_id.clone(),
            payer_claim_number: payer_claim_number.into(),
            bill_type: if institutional {
                format!("{}{}", claim.facility_code, claim.frequency).into()
            } else {
                Text::default()
            },
            charge: claim.charge,
            service_from: statement.map(|p| p.from).or(dates.min()),
            service_to: statement.map(|p| p.to).or(ends.max()),
        }
    }

    /// Why this inquiry cannot be written, if it cannot.
    fn problem(&self) -> Option<String> {
        let required = [
            ("payer name", &self.payer_name),
            ("payer id", &self.payer_id),
            ("billing provider name", &self.provider_name),
            ("billing provider NPI", &self.provider_npi),
            ("subscriber last name", &self.subscriber_last),
            ("member id", &self.member_id),
            ("claim id (CLM01)", &self.claim_id),
        ];
        if let Some((what, _)) = required.iter().find(|(_, v)| v.is_empty()) {
            return Some(format!("no {what}"));
        }
        if self.service_from.is_none() {
            return Some("no date of service".into());
        }
        if let Some(dependent) = &self.dependent {
            if dependent.birth_date.is_none() {
                return Some("the patient is a dependent and the 276 requires the patient's birth date (2000E DMG), which is not known".into());
            }
            if dependent.last.is_empty() {
                return Some("no patient last name".into());
            }
        }
        let values = [
            &self.payer_name,
            &self.payer_id,
            &self.provider_name,
            &self.subscriber_last,
            &self.subscriber_first,
            &self.member_id,
            &self.claim_id,
            &self.payer_claim_number,
            &self.bill_type,
        ];
        let dependent = self.dependent.iter().flat_map(|d| [&d.last, &d.first]);
        for value in values.into_iter().chain(dependent) {
            if let Some(c) = delimiter_in(value) {
                return Some(format!("a value contains {c:?}, a delimiter of the batch"));
            }
        }
        None
    }
}

/// A written batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusRequestBatch {
    /// The 276 interchange (empty when no claim could be asked about).
    pub bytes: Vec<u8>,
    /// CLM01s asked about, in the order written.
    pub asked: Vec<Text>,
    /// CLM01s left out, with the reason.
    pub skipped: Vec<(Text, String)>,
    /// The control number the next batch should use.
    pub next_control: u32,
}

/// Writes one 276 batch asking about `inquiries`, created at `created`.
/// Claims are grouped by payer (one transaction set each, in payer-id
/// order) and by billing provider.
pub fn write_status_requests(
    inquiries: &[StatusInquiry],
    envelope: &EnvelopeConfig,
    created: DateTime,
) -> StatusRequestBatch {
    let mut skipped = Vec::new();
    let mut by_payer: BTreeMap<(Text, Text), Vec<&StatusInquiry>> = BTreeMap::new();
    for inquiry in inquiries {
        match inquiry.problem() {
            Some(reason) => skipped.push((inquiry.claim_id.clone(), reason)),
            None => by_payer
                .entry((inquiry.payer_id.clone(), inquiry.payer_name.clone()))
                .or_default()
                .push(inquiry),
        }
    }
    let control = envelope.control_number;
    let next_control = if control >= 999_999_999 {
        1
    } else {
        control + 1
    };
    if by_payer.is_empty() {
        return StatusRequestBatch {
            bytes: Vec::new(),
            asked: Vec::new(),
            skipped,
            next_control,
        };
    }
    let mut out = Batch::default();
    out.envelope_header(envelope, created);
    let mut asked = Vec::new();
    for (number, claims) in by_payer.values().enumerate() {
        let st02 = format!("{:04}", number + 1);
        out.transaction(&st02, claims, envelope, created);
        asked.extend(claims.iter().map(|c| c.claim_id.clone()));
    }
    out.segment(&["GE", &by_payer.len().to_string(), &control.to_string()]);
    out.segment(&["IEA", "1", &format!("{control:09}")]);
    StatusRequestBatch {
        bytes: out.bytes.into_bytes(),
        asked,
        skipped,
        next_control,
    }
}

/// The text being written and the segment count of the open set.
#[derive(Default)]
struct Batch {
    bytes: String,
    in_set: usize,
}

impl Batch {
    fn segment(&mut self, elements: &[&str]) {
        // Trailing empty elements are dropped, as X12 requires.
        let used = elements
            .iter()
            .rposition(|e| !e.is_empty())
            .map_or(1, |i| i + 1);
        for (i, element) in elements[..used].iter().enumerate() {
            if i > 0 {
                self.bytes.push(ELEMENT);
            }
            self.bytes.push_str(element);
        }
        self.bytes.push(SEGMENT);
        self.bytes.push('\n');
        self.in_set += 1;
    }

    fn envelope_header(&mut self, env: &EnvelopeConfig, created: DateTime) {
        let (date, time) = (yymmdd(created.date()), hhmm(created));
        let pad = |s: &str| format!("{s:<15}");
        let (sender, receiver) = (pad(&env.sender_id), pad(&env.receiver_id));
        let control = format!("{:09}", env.control_number);
        let separators = (REPETITION.to_string(), COMPONENT.to_string());
        self.segment(&[
            "ISA",
            "00",
            "          ",
            "00",
            "          ",
            &env.sender_qualifier,
            &sender,
            &env.receiver_qualifier,
            &receiver,
            &date,
            &time,
            &separators.0,
            "00501",
            &control,
            &env.acknowledgment_requested,
            &env.usage,
            &separators.1,
        ]);
        self.segment(&[
            "GS",
            "HR",
            &env.application_sender,
            &env.application_receiver,
            &ccyymmdd(created.date()),
            &time,
            &env.control_number.to_string(),
            "X",
            "005010X212",
        ]);
    }

    fn transaction(
        &mut self,
        st02: &str,
        claims: &[&StatusInquiry],
        env: &EnvelopeConfig,
        created: DateTime,
    ) {
        self.in_set = 0;
        self.segment(&["ST", "276", st02, "005010X212"]);
        let reference = format!("RMT{}{st02}", env.control_number);
        self.segment(&[
            "BHT",
            "0010",
            "13",
            &reference,
            &ccyymmdd(created.date()),
            &hhmm(created),
        ]);
        let payer = claims[0];
        let mut hl = Hierarchy::default();
        let source = hl.next();
        self.segment(&["HL", &source, "", "20", "1"]);
        self.segment(&[
            "NM1",
            "PR",
            "2",
            &payer.payer_name,
            "",
            "",
            "",
            "",
            "PI",
            &payer.payer_id,
        ]);
        let receiver = hl.next();
        self.segment(&["HL", &receiver, &source, "21", "1"]);
        self.segment(&[
            "NM1",
            "41",
            "2",
            &env.information_receiver_name,
            "",
            "",
            "",
            "",
            "46",
            &env.information_receiver_id,
        ]);
        let mut by_provider: BTreeMap<(&str, &str), Vec<&StatusInquiry>> = BTreeMap::new();
        for claim in claims {
            by_provider
                .entry((claim.provider_npi.as_str(), claim.provider_name.as_str()))
                .or_default()
                .push(claim);
        }
        for ((npi, name), claims) in by_provider {
            let provider = hl.next();
            self.segment(&["HL", &provider, &receiver, "19", "1"]);
            self.segment(&["NM1", "1P", "2", name, "", "", "", "", "XX", npi]);
            for claim in claims {
                self.claim(&mut hl, &provider, claim);
            }
        }
        let count = (self.in_set + 1).to_string();
        self.segment(&["SE", &count, st02]);
    }

    fn claim(&mut self, hl: &mut Hierarchy, provider: &str, claim: &StatusInquiry) {
        let dependent = claim.dependent.as_ref();
        let subscriber = hl.next();
        let child = if dependent.is_some() { "1" } else { "0" };
        self.segment(&["HL", &subscriber, provider, "22", child]);
        if dependent.is_none() {
            if let Some(birth) = claim.subscriber_birth_date {
                self.segment(&["DMG", "D8", &ccyymmdd(birth), &claim.subscriber_gender]);
            }
        }
        self.segment(&[
            "NM1",
            "IL",
            "1",
            &claim.subscriber_last,
            &claim.subscriber_first,
            "",
            "",
            "",
            "MI",
            &claim.member_id,
        ]);
        if let Some(patient) = dependent {
            let level = hl.next();
            self.segment(&["HL", &level, &subscriber, "23"]);
            let birth = patient.birth_date.map(ccyymmdd).unwrap_or_default();
            self.segment(&["DMG", "D8", &birth, &patient.gender]);
            self.segment(&["NM1", "QC", "1", &patient.last, &patient.first]);
        }
        self.tracking(claim);
    }

    /// Loop 2200D/E: the claim asked about.
    fn tracking(&mut self, claim: &StatusInquiry) {
        self.segment(&["TRN", "1", &claim.claim_id]);
        if !claim.payer_claim_number.is_empty() {
            self.segment(&["REF", "1K", &claim.payer_claim_number]);
        }
        if !claim.bill_type.is_empty() {
            self.segment(&["REF", "BLT", &claim.bill_type]);
        }
        self.segment(&["REF", "EJ", &claim.claim_id]);
        self.segment(&["AMT", "T3", &money(claim.charge)]);
        let from = claim.service_from.expect("checked by problem()");
        let to = claim.service_to.unwrap_or(from);
        let period = format!("{}-{}", ccyymmdd(from), ccyymmdd(to));
        self.segment(&["DTP", "472", "RD8", &period]);
    }
}

/// HL numbering within one transaction set.
#[derive(Default)]
struct Hierarchy {
    last: u32,
}

impl Hierarchy {
    /// The next HL01: the TR3 numbers HLs from 1 up by one.
    fn next(&mut self) -> String {
        self.last += 1;
        self.last.to_string()
    }
}

fn ccyymmdd(date: Date) -> String {
    format!("{:04}{:02}{:02}", date.year(), date.month(), date.day())
}

fn yymmdd(date: Date) -> String {
    format!(
        "{:02}{:02}{:02}",
        date.year() % 100,
        date.month(),
        date.day()
    )
}

fn hhmm(at: DateTime) -> String {
    format!("{:02}{:02}", at.hour(), at.minute())
}

/// An amount as X12 writes it: two decimals, no sign for positives.
fn money(amount: Decimal) -> String {
    format!("{:.2}", amount.round_dp(2))
}

#[cfg(test)]
mod tests;
