//! The X12 envelope: ISA/IEA interchanges, GS/GE functional groups and ST/SE
//! transaction sets, their nesting, control numbers and counts.
//!
//! The envelope classifies each segment ([`Role`]) and records findings:
//! a missing trailer is fatal for its interchange (the data may be cut
//! short), while a wrong count or control number makes the input invalid
//! but leaves its money readable. It knows nothing of 835 or 837 content.

use compact_str::CompactString;

use crate::diagnostic::{Expected, Issue, Issues, Rule, Severity, Shown, shown_element};
use crate::x12::{Control, Position, Segment, SegmentId, ids};

/// What a segment is to the envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// ISA.
    InterchangeStart,
    /// GS.
    GroupStart,
    /// ST.
    TransactionStart,
    /// A segment inside ST..SE.
    Body,
    /// SE.
    TransactionEnd,
    /// GE.
    GroupEnd,
    /// IEA.
    InterchangeEnd,
    /// TA1: an interchange acknowledgment, between ISA and the first GS or
    /// after the last GE.
    InterchangeAck,
    /// A segment outside any transaction (a fatal finding was recorded).
    Stray,
}

/// Identifies one transaction set: its envelopes and its start.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TransactionId {
    /// ISA13 interchange control number.
    pub interchange: Control,
    /// ISA06 interchange sender id.
    pub sender: CompactString,
    /// ISA08 interchange receiver id.
    pub receiver: CompactString,
    /// ISA15 usage indicator (`P` production, `T` test).
    pub usage: CompactString,
    /// ISA09 + ISA10: the interchange's date and time, `YYMMDDHHMM` as
    /// sent (tells the later of two versions of one remittance apart).
    #[serde(default)]
    pub interchange_date: CompactString,
    /// GS04 + GS05: the group's date and time, `CCYYMMDDHHMM[SS]` as sent.
    #[serde(default)]
    pub group_date: CompactString,
    /// GS01 functional identifier (`HP` for 835, `HC` for 837).
    pub functional_id: CompactString,
    /// GS06 group control number.
    pub group: Control,
    /// GS08 version / implementation guide, e.g. `005010X221A1`.
    pub version: CompactString,
    /// ST01 transaction set identifier, e.g. `835`.
    pub set_id: CompactString,
    /// ST02 transaction set control number.
    pub control: Control,
    /// ST03 implementation convention reference (837 only, usually).
    pub implementation: CompactString,
    /// Position of the ST segment.
    pub start: Position,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Outside,
    Interchange,
    Group,
    Transaction,
}

/// Widths of ISA01..ISA16 in a standard fixed-width ISA.
const ISA_WIDTHS: [usize; 16] = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1];

/// Tracks envelope nesting and checks trailers against headers.
#[derive(Debug)]
pub struct Envelope {
    level: Level,
    interchange_pos: Position,
    groups: u64,
    group_pos: Position,
    transactions: u64,
    segments: u64,
    current: TransactionId,
    interchanges_seen: u64,
    issues: Issues,
}

impl Default for Envelope {
    fn default() -> Self {
        Self::new()
    }
}

/// True for the identifiers of envelope segments (ISA, IEA, GS, GE, ST,
/// SE): the only ones [`Envelope::classify`] does not answer `Body` for
/// inside a transaction.
#[inline]
fn is_envelope(id: SegmentId) -> bool {
    matches!(id.first_byte(), b'I' | b'G' | b'S')
        && matches!(
            id,
            ids::ISA | ids::IEA | ids::GS | ids::GE | ids::ST | ids::SE
        )
}

impl Envelope {
    /// An envelope tracker at the start of an input.
    pub fn new() -> Self {
        Envelope {
            level: Level::Outside,
            interchange_pos: Position::default(),
            groups: 0,
            group_pos: Position::default(),
            transactions: 0,
            segments: 0,
            current: TransactionId::default(),
            interchanges_seen: 0,
            issues: Issues::default(),
        }
    }

    /// The transaction set currently open (meaningful inside ST..SE).
    pub fn transaction(&self) -> &TransactionId {
        &self.current
    }

    /// Number of ISA segments seen.
    pub fn interchanges(&self) -> u64 {
        self.interchanges_seen
    }

    /// Takes the findings recorded so far.
    pub fn take_issues(&mut self) -> Vec<Issue> {
        std::mem::take(&mut self.issues.0)
    }

    /// True when findings are waiting.
    #[inline]
    pub fn has_issues(&self) -> bool {
        !self.issues.0.is_empty()
    }

    /// Classifies `seg` and checks it against the open envelopes.
    #[inline]
    pub fn feed(&mut self, seg: &Segment<'_>) -> Role {
        // Inside a transaction, a segment whose identifier is not an
        // envelope's (ISA, IEA, GS, GE, ST, SE) is body: one compare for
        // most segments of a file, a few more for those beginning like an
        // envelope's (SVC, SBR, SV1…), none of them a call.
        if self.level == Level::Transaction && !is_envelope(seg.code()) {
            self.segments += 1;
            return Role::Body;
        }
        self.classify(seg)
    }

    /// [`Envelope::feed`] for envelope segments and segments outside a
    /// transaction.
    fn classify(&mut self, seg: &Segment<'_>) -> Role {
        match seg.code() {
            ids::ISA => self.interchange_start(seg),
            ids::IEA => self.interchange_end(seg),
            ids::GS => self.group_start(seg),
            ids::GE => self.group_end(seg),
            ids::ST => self.transaction_start(seg),
            ids::SE => self.transaction_end(seg),
            // TA1 sits in an interchange outside any group; inside a group
            // it is as stray as any other segment.
            ids::TA1 if self.level == Level::Interchange => Role::InterchangeAck,
            _ if self.level == Level::Transaction => {
                self.segments += 1;
                Role::Body
            }
            _ => {
                self.fatal(
                    Rule::Structure,
                    seg,
                    "segment outside a transaction set: expected ST, SE, GS, GE, ISA or IEA",
                );
                Role::Stray
            }
        }
    }

    /// Reports envelopes left open at the end of the input.
    pub fn finish(&mut self, end: Position) {
        let open = self.close_open(Level::Outside);
        if let Some(missing) = open {
            self.issues.push(Issue::new(
                Severity::Fatal,
                Rule::Truncated,
                end,
                format!("input ends inside {missing}: the interchange is truncated"),
            ));
        }
    }

    fn interchange_start(&mut self, seg: &Segment<'_>) -> Role {
        if let Some(missing) = self.close_open(Level::Outside) {
            self.fatal(
                Rule::Truncated,
                seg,
                format!("new ISA inside {missing}: the previous interchange is truncated"),
            );
        }
        self.check_isa_widths(seg);
        self.level = Level::Interchange;
        self.interchanges_seen += 1;
        self.interchange_pos = seg.pos();
        self.groups = 0;
        self.current = TransactionId {
            interchange: Control::new(seg.element(13)),
            sender: seg.text(6).into(),
            receiver: seg.text(8).into(),
            usage: seg.text(15).into(),
            interchange_date: format!("{}{}", seg.text(9), seg.text(10)).into(),
            ..TransactionId::default()
        };
        Role::InterchangeStart
    }

    fn interchange_end(&mut self, seg: &Segment<'_>) -> Role {
        if self.level == Level::Outside {
            self.fatal(Rule::Structure, seg, "IEA without a matching ISA");
            return Role::InterchangeEnd;
        }
        if let Some(missing) = self.close_open(Level::Interchange) {
            self.fatal(Rule::Truncated, seg, format!("IEA inside {missing}"));
        }
        self.check_count(seg, 1, self.groups, "functional groups (GS)");
        self.check_control(seg, 2, self.current.interchange, "ISA13");
        self.level = Level::Outside;
        Role::InterchangeEnd
    }

    fn group_start(&mut self, seg: &Segment<'_>) -> Role {
        match self.level {
            Level::Outside => self.fatal(
                Rule::Structure,
                seg,
                "GS outside an interchange: expected ISA first",
            ),
            Level::Interchange => {}
            _ => {
                let missing = self.close_open(Level::Interchange).unwrap_or_default();
                self.fatal(Rule::Truncated, seg, format!("new GS inside {missing}"));
            }
        }
        self.level = Level::Group;
        self.groups += 1;
        self.transactions = 0;
        self.group_pos = seg.pos();
        self.current.functional_id = seg.text(1).into();
        self.current.group = Control::new(seg.element(6));
        self.current.version = seg.text(8).into();
        self.current.group_date = format!("{}{}", seg.text(4), seg.text(5)).into();
        Role::GroupStart
    }

    fn group_end(&mut self, seg: &Segment<'_>) -> Role {
        match self.level {
            Level::Group => {}
            Level::Transaction => {
                let missing = self.close_open(Level::Group).unwrap_or_default();
                self.fatal(Rule::Truncated, seg, format!("GE inside {missing}"));
            }
            _ => {
                self.fatal(Rule::Structure, seg, "GE without a matching GS");
                return Role::GroupEnd;
            }
        }
        self.check_count(seg, 1, self.transactions, "transaction sets (ST)");
        self.check_control(seg, 2, self.current.group, "GS06");
        self.level = Level::Interchange;
        Role::GroupEnd
    }

    fn transaction_start(&mut self, seg: &Segment<'_>) -> Role {
        match self.level {
            Level::Group => {}
            Level::Transaction => {
                let missing = self.close_open(Level::Group).unwrap_or_default();
                self.fatal(Rule::Truncated, seg, format!("new ST inside {missing}"));
            }
            _ => self.fatal(
                Rule::Structure,
                seg,
                "ST outside a functional group: expected GS first",
            ),
        }
        self.level = Level::Transaction;
        self.transactions += 1;
        self.segments = 1;
        self.current.set_id = seg.text(1).into();
        self.current.control = Control::new(seg.element(2));
        self.current.implementation = seg.text(3).into();
        self.current.start = seg.pos();
        Role::TransactionStart
    }

    fn transaction_end(&mut self, seg: &Segment<'_>) -> Role {
        if self.level != Level::Transaction {
            self.fatal(Rule::Structure, seg, "SE without a matching ST");
            return Role::TransactionEnd;
        }
        self.segments += 1;
        self.check_count(seg, 1, self.segments, "segments from ST to SE");
        self.check_control(seg, 2, self.current.control, "ST02");
        self.level = Level::Group;
        Role::TransactionEnd
    }

    /// Names what is open above `keep` and closes it; `None` if nothing was.
    fn close_open(&mut self, keep: Level) -> Option<String> {
        let mut missing = Vec::new();
        if self.level >= Level::Transaction && keep < Level::Transaction {
            missing.push(format!("transaction ST02 {} (no SE)", self.current.control));
        }
        if self.level >= Level::Group && keep < Level::Group {
            missing.push(format!("group GS06 {} (no GE)", self.current.group));
        }
        if self.level >= Level::Interchange && keep < Level::Interchange {
            missing.push(format!(
                "interchange ISA13 {} (no IEA)",
                self.current.interchange
            ));
        }
        self.level = self.level.min(keep);
        (!missing.is_empty()).then(|| missing.join(", "))
    }

    fn check_count(&mut self, seg: &Segment<'_>, element: usize, actual: u64, what: &str) {
        let stated = seg.text(element);
        if stated.parse::<u64>().ok() != Some(actual) {
            let id = seg.id_str();
            let (message, redacted) =
                shown(seg, element, seg.element(element)).messages(|stated| {
                    format!("{id}{element:02} says {stated} {what}; found {actual}")
                });
            self.issues.push(
                Issue::new(Severity::Invalid, Rule::Count, seg.pos(), message)
                    .at_segment(seg.id())
                    .with_redacted(redacted),
            );
        }
    }

    fn check_control(&mut self, seg: &Segment<'_>, element: usize, header: Control, name: &str) {
        let trailer = Control::new(seg.element(element));
        if trailer != header {
            let id = seg.id_str();
            let (trailer, header) = (
                shown(seg, element, trailer.as_bytes()),
                shown(seg, element, header.as_bytes()),
            );
            let message =
                |t: &str, h: &str| format!("{id}{element:02} is {t}; expected {name} {h}");
            let quoted = trailer.quoted.is_some() || header.quoted.is_some();
            let redacted = quoted.then(|| message(&trailer.description, &header.description));
            self.issues.push(
                Issue::new(
                    Severity::Invalid,
                    Rule::ControlNumber,
                    seg.pos(),
                    message(trailer.text(), header.text()),
                )
                .at_segment(seg.id())
                .with_redacted(redacted),
            );
        }
    }

    fn check_isa_widths(&mut self, seg: &Segment<'_>) {
        let messages: Vec<String> = seg
            .elements()
            .zip(ISA_WIDTHS)
            .enumerate()
            .filter(|(_, (value, width))| value.len() != *width)
            .map(|(i, (value, width))| {
                format!(
                    "ISA{:02} has {} characters; expected {width}",
                    i + 1,
                    value.len()
                )
            })
            .collect();
        for message in messages {
            self.invalid(Rule::IsaWidth, seg, message);
        }
        if seg.element_count() < 16 {
            self.invalid(Rule::IsaWidth, seg, "ISA has fewer than 16 elements");
        }
    }

    fn fatal(&mut self, rule: Rule, seg: &Segment<'_>, message: impl Into<String>) {
        self.issues
            .push(Issue::new(Severity::Fatal, rule, seg.pos(), message).at_segment(seg.id()));
    }

    fn invalid(&mut self, rule: Rule, seg: &Segment<'_>, message: impl Into<String>) {
        self.issues
            .push(Issue::new(Severity::Invalid, rule, seg.pos(), message).at_segment(seg.id()));
    }
}

/// A count or control number of a trailer as a finding may show it: the
/// digits, else their length and kind (counts and control numbers are
/// digits; anything else there may be misplaced text).
fn shown(seg: &Segment<'_>, element: usize, raw: &[u8]) -> Shown {
    shown_element(seg.id(), seg.element(1), element, raw, Expected::Digits(15))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x12::SliceReader;

    const ISA: &str = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000905*0*P*:~";

    fn feed(text: &str) -> (Vec<Role>, Vec<Issue>) {
        let mut envelope = Envelope::new();
        let mut roles = Vec::new();
        let mut reader = SliceReader::new(text.as_bytes());
        let mut last = Position::default();
        while let Some(seg) = reader.next_segment().unwrap() {
            last = seg.pos();
            roles.push(envelope.feed(&seg));
        }
        envelope.finish(last);
        (roles, envelope.take_issues())
    }

    fn rules(issues: &[Issue]) -> Vec<(Severity, Rule)> {
        issues.iter().map(|i| (i.severity, i.rule)).collect()
    }

    #[test]
    fn a_correct_envelope_has_no_findings() {
        let text = format!(
            "{ISA}GS*HP*S*R*20240101*1200*7*X*005010X221A1~ST*835*0001~BPR*I~SE*3*0001~GE*1*7~IEA*1*000000905~"
        );
        let (roles, issues) = feed(&text);
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(
            roles,
            [
                Role::InterchangeStart,
                Role::GroupStart,
                Role::TransactionStart,
                Role::Body,
                Role::TransactionEnd,
                Role::GroupEnd,
                Role::InterchangeEnd
            ]
        );
    }

    #[test]
    fn every_count_and_control_number_is_checked() {
        let text = format!(
            "{ISA}GS*HP*S*R*20240101*1200*7*X*005010X221A1~ST*835*0001~BPR*I~SE*9*0002~GE*2*8~IEA*3*000000906~"
        );
        let (_, issues) = feed(&text);
        let messages: Vec<&str> = issues.iter().map(|i| i.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "SE01 says \"9\" segments from ST to SE; found 3",
                "SE02 is \"0002\"; expected ST02 \"0001\"",
                "GE01 says \"2\" transaction sets (ST); found 1",
                "GE02 is \"8\"; expected GS06 \"7\"",
                "IEA01 says \"3\" functional groups (GS); found 1",
                "IEA02 is \"000000906\"; expected ISA13 \"000000905\"",
            ]
        );
        assert!(issues.iter().all(|i| i.severity == Severity::Invalid));
    }

    #[test]
    fn a_missing_trailer_is_fatal() {
        let text = format!("{ISA}GS*HP*S*R*20240101*1200*7*X*005010X221A1~ST*835*0001~BPR*I~");
        let (_, issues) = feed(&text);
        assert_eq!(rules(&issues), [(Severity::Fatal, Rule::Truncated)]);
        assert!(issues[0].message.contains("transaction ST02 0001 (no SE), group GS06 7 (no GE), interchange ISA13 000000905 (no IEA)"));
        let text = format!(
            "{ISA}GS*HP*S*R*20240101*1200*7*X*005010X221A1~ST*835*0001~BPR*I~ST*835*0002~SE*2*0002~GE*2*7~IEA*1*000000905~"
        );
        let (_, issues) = feed(&text);
        assert_eq!(rules(&issues)[0], (Severity::Fatal, Rule::Truncated));
        assert!(
            issues[0]
                .message
                .contains("new ST inside transaction ST02 0001 (no SE)")
        );
    }

    #[test]
    fn segments_outside_a_transaction_are_fatal() {
        let text =
            format!("{ISA}GS*HP*S*R*20240101*1200*7*X*005010X221A1~BPR*I~GE*0*7~IEA*1*000000905~");
        let (roles, issues) = feed(&text);
        assert_eq!(roles[2], Role::Stray);
        assert_eq!(rules(&issues), [(Severity::Fatal, Rule::Structure)]);
    }

    #[test]
    fn isa_fields_of_the_wrong_width_are_named() {
        let text = "ISA*00*         *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000905*0*P*:~GS*HP*S*R*20240101*1200*7*X*005010X221A1~GE*0*7~IEA*1*000000905~";
        let (_, issues) = feed(text);
        assert_eq!(rules(&issues), [(Severity::Invalid, Rule::IsaWidth)]);
        assert_eq!(issues[0].message, "ISA02 has 9 characters; expected 10");
    }
}
