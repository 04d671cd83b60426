//! The 999 implementation acknowledgment (005010X231A1) loop parser and the
//! TA1 interchange acknowledgment reader.
//!
//! A 999 transaction is small (one AK1, an AK2 loop per acknowledged set,
//! one AK9), so it is handed out whole at its SE. Every finding carries the
//! position of the segment it is about: an IK5 missing from an AK2 loop, an
//! AK9 whose counts contradict the set responses, an unknown code.

use std::collections::VecDeque;

use jiff::civil::Date;

use super::codes::{AckCodes, AckList, Outcome};
use super::model::{ElementError, FunctionalAck, InterchangeAck, SegmentError, SetResponse};
use crate::diagnostic::{Expected, Issue, Rule, Severity};
use crate::envelope::TransactionId;
use crate::fields::{Fields, element_text};
use crate::text::Text;
use crate::x12::{Control, Position, Segment};

/// What the acknowledgment readers hand out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AckEvent {
    /// A TA1 segment.
    Interchange(Box<InterchangeAck>),
    /// One whole 999 transaction.
    Functional(Box<FunctionalAck>),
}

/// Reads a TA1 segment found at interchange level. `sender`/`receiver` are
/// the ISA06/ISA08 of the interchange carrying it, `sent` its ISA09.
pub fn interchange_ack(
    seg: &Segment<'_>,
    id: &TransactionId,
    sent: Option<Date>,
    issues: &mut Vec<Issue>,
) -> InterchangeAck {
    let mut f = Fields::new(seg, issues);
    let interchange = Control::new(f.raw(1));
    if interchange.is_empty() {
        f.missing(1, "acknowledged interchange control number");
    }
    let date = f.raw(2);
    // TA102 is YYMMDD; the century is the one of the TA1's own ISA09.
    let date = (date.len() == 6)
        .then(|| crate::x12::value::date(&[b"20", date].concat()))
        .flatten();
    let code = f.required_text(4, "interchange acknowledgment code");
    check_code(&mut f, 4, AckList::InterchangeAck, &code);
    let note = f.text(5);
    check_code(&mut f, 5, AckList::InterchangeNote, &note);
    InterchangeAck {
        sender: id.sender.clone(),
        receiver: id.receiver.clone(),
        interchange,
        date,
        code,
        note,
        sent,
        pos: seg.pos(),
    }
}

/// Records an invalid finding when a code is not in the code list.
fn check_code(f: &mut Fields<'_, '_>, n: usize, list: AckList, code: &str) {
    if !code.is_empty() && AckCodes::builtin().get(list, code).is_none() {
        let message = format!(
            "{}{n:02} code {code:?} is not a {} code",
            f.segment().id_str(),
            list
        );
        f.push(Severity::Invalid, Rule::BadValue, message);
    }
}

/// Parses the body of one 999 transaction.
#[derive(Debug)]
pub struct FunctionalAckParser {
    ack: FunctionalAck,
    set: Option<SetResponse>,
    error: Option<SegmentError>,
    saw_ak1: bool,
    saw_ak9: bool,
    events: VecDeque<AckEvent>,
    issues: Vec<Issue>,
}

impl FunctionalAckParser {
    /// Starts a 999 identified by `id`, issued on `date` (GS04, else ISA09).
    pub fn new(id: TransactionId, date: Option<Date>) -> Self {
        FunctionalAckParser {
            ack: FunctionalAck {
                id,
                date,
                ..FunctionalAck::default()
            },
            set: None,
            error: None,
            saw_ak1: false,
            saw_ak9: false,
            events: VecDeque::new(),
            issues: Vec::new(),
        }
    }

    /// The next finished event, if any.
    pub fn next_event(&mut self) -> Option<AckEvent> {
        self.events.pop_front()
    }

    /// Takes the findings recorded so far.
    pub fn take_issues(&mut self) -> Vec<Issue> {
        std::mem::take(&mut self.issues)
    }

    /// True when events or findings are waiting.
    pub fn has_output(&self) -> bool {
        !self.events.is_empty() || !self.issues.is_empty()
    }

    /// Reads one body segment (between ST and SE).
    pub fn segment(&mut self, seg: &Segment<'_>) {
        match seg.id() {
            b"AK1" => self.group_header(seg),
            b"AK2" => self.set_header(seg),
            b"IK3" => self.segment_error(seg),
            b"CTX" => self.context(seg),
            b"IK4" => self.element_error(seg),
            b"IK5" => self.set_trailer(seg),
            b"AK9" => self.group_trailer(seg),
            _ => self.finding(
                seg,
                Severity::Warning,
                Rule::Unexpected,
                format!("segment {} is not expected in a 999; ignored", seg.id_str()),
            ),
        }
    }

    /// Finishes the transaction at its SE segment.
    pub fn finish(&mut self, se: Position) {
        self.close_set(se, b"SE");
        if !self.saw_ak1 {
            self.push(
                se,
                Severity::Invalid,
                Rule::Missing,
                "999 has no AK1: the functional group it acknowledges is unknown",
                b"SE",
            );
        }
        if !self.saw_ak9 {
            self.push(
                se,
                Severity::Invalid,
                Rule::Missing,
                "999 has no AK9: the functional group's verdict is unknown",
                b"SE",
            );
        } else {
            self.check_counts();
        }
        let ack = std::mem::take(&mut self.ack);
        self.events.push_back(AckEvent::Functional(Box::new(ack)));
    }

    fn group_header(&mut self, seg: &Segment<'_>) {
        if self.saw_ak1 {
            self.finding(
                seg,
                Severity::Invalid,
                Rule::Structure,
                "a second AK1 in one 999; ignored".into(),
            );
            return;
        }
        self.saw_ak1 = true;
        let mut f = Fields::new(seg, &mut self.issues);
        self.ack.functional_id = f.required_text(1, "functional identifier code");
        self.ack.group = Control::new(f.raw(2));
        if self.ack.group.is_empty() {
            f.missing(2, "group control number");
        }
        self.ack.version = f.text(3);
        self.ack.pos = seg.pos();
    }

    fn set_header(&mut self, seg: &Segment<'_>) {
        self.close_set(seg.pos(), seg.id());
        let mut f = Fields::new(seg, &mut self.issues);
        let set_id = f.required_text(1, "transaction set identifier code");
        let control = Control::new(f.raw(2));
        if control.is_empty() {
            f.missing(2, "transaction set control number");
        }
        self.set = Some(SetResponse {
            set_id,
            control,
            implementation: f.text(3),
            pos: seg.pos(),
            ..SetResponse::default()
        });
    }

    fn segment_error(&mut self, seg: &Segment<'_>) {
        self.close_error();
        if self.set.is_none() {
            self.finding(
                seg,
                Severity::Invalid,
                Rule::Structure,
                "IK3 outside an AK2 loop; ignored".into(),
            );
            return;
        }
        let mut f = Fields::new(seg, &mut self.issues);
        let code = f.text(4);
        check_code(&mut f, 4, AckList::SegmentError, &code);
        self.error = Some(SegmentError {
            segment: f.required_text(1, "segment id code"),
            position: f.required_text(2, "segment position in transaction set"),
            loop_id: f.text(3),
            code,
            pos: seg.pos(),
            ..SegmentError::default()
        });
    }

    /// CTX names either the business unit (`CLM01:RC25-008`) or the
    /// situational trigger of an error; only the former identifies a claim.
    fn context(&mut self, seg: &Segment<'_>) {
        let elements = seg.fields();
        let name = element_text(&elements, 1);
        let mut parts = name.split(seg.delimiters().component as char);
        let (context, reference) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        if context.eq_ignore_ascii_case("SITUATIONAL TRIGGER") || context.is_empty() {
            return;
        }
        match self.error.as_mut() {
            Some(error) => error.business_unit = Some((context.into(), reference.trim().into())),
            None => self.finding(
                seg,
                Severity::Warning,
                Rule::Unexpected,
                "CTX outside an IK3 loop; ignored".into(),
            ),
        }
    }

    fn element_error(&mut self, seg: &Segment<'_>) {
        if self.error.is_none() {
            self.finding(
                seg,
                Severity::Invalid,
                Rule::Structure,
                "IK4 outside an IK3 loop; ignored".into(),
            );
            return;
        }
        let mut f = Fields::new(seg, &mut self.issues);
        let code = f.required_text(3, "element syntax error code");
        check_code(&mut f, 3, AckList::ElementError, &code);
        let element = ElementError {
            position: f.component(1, 1),
            component: f.component(1, 2),
            repetition: f.component(1, 3),
            reference: f.text(2),
            code,
            bad_value: f.text(4),
        };
        if element.position.is_empty() {
            f.missing(1, "element position in segment");
        }
        if let Some(error) = self.error.as_mut() {
            error.elements.push(element);
        }
    }

    fn set_trailer(&mut self, seg: &Segment<'_>) {
        self.close_error();
        let Some(set) = self.set.as_mut() else {
            self.finding(
                seg,
                Severity::Invalid,
                Rule::Structure,
                "IK5 without an AK2; ignored".into(),
            );
            return;
        };
        let mut f = Fields::new(seg, &mut self.issues);
        set.code = f.required_text(1, "transaction set acknowledgment code");
        check_code(&mut f, 1, AckList::Ack, &set.code);
        for n in 2..=6 {
            let code = f.text(n);
            if !code.is_empty() {
                check_code(&mut f, n, AckList::SetError, &code);
                set.set_errors.push(code);
            }
        }
        let set = self.set.take().expect("checked above");
        self.ack.sets.push(set);
    }

    fn group_trailer(&mut self, seg: &Segment<'_>) {
        self.close_set(seg.pos(), seg.id());
        self.saw_ak9 = true;
        let mut f = Fields::new(seg, &mut self.issues);
        self.ack.code = f.required_text(1, "functional group acknowledge code");
        check_code(&mut f, 1, AckList::Ack, &self.ack.code);
        let count = |f: &mut Fields<'_, '_>, n: usize, what: &str| {
            let text = f.text(n);
            let value = text.parse::<u64>().ok();
            if value.is_none() {
                f.bad_value(n, what, "a count", Expected::Digits(6));
            }
            value
        };
        self.ack.included = count(&mut f, 2, "number of transaction sets included");
        self.ack.received = count(&mut f, 3, "number of received transaction sets");
        self.ack.accepted = count(&mut f, 4, "number of accepted transaction sets");
        for n in 5..=9 {
            let code = f.text(n);
            if !code.is_empty() {
                check_code(&mut f, n, AckList::GroupError, &code);
                self.ack.group_errors.push(code);
            }
        }
    }

    fn close_error(&mut self) {
        if let (Some(error), Some(set)) = (self.error.take(), self.set.as_mut()) {
            set.errors.push(error);
        }
    }

    /// An AK2 loop cut short by the next AK2, AK9 or SE (`at`, `id`) has no
    /// verdict.
    fn close_set(&mut self, at: Position, id: &[u8]) {
        self.close_error();
        if let Some(set) = self.set.take() {
            let message = format!(
                "AK2 for {} ST02 {} has no IK5: its verdict is unknown",
                set.set_id, set.control
            );
            self.push(at, Severity::Invalid, Rule::Missing, &message, id);
            self.ack.sets.push(set);
        }
    }

    /// AK9 counts against the set responses (TR3: AK903 sets received,
    /// AK904 of them accepted), and the group verdict against the sets'.
    fn check_counts(&mut self) {
        let codes = AckCodes::builtin();
        let ack = &self.ack;
        let mut messages = Vec::new();
        if let (Some(included), Some(received)) = (ack.included, ack.received) {
            if received > included {
                messages.push(format!(
                    "AK903 says {received} sets received but AK902 only {included} included"
                ));
            }
        }
        if let (Some(received), Some(accepted)) = (ack.received, ack.accepted) {
            if accepted > received {
                messages.push(format!(
                    "AK904 says {accepted} sets accepted but AK903 only {received} received"
                ));
            }
        }
        let accepted_sets = ack
            .sets
            .iter()
            .filter(|s| codes.outcome(AckList::Ack, &s.code) == Some(Outcome::Accepted))
            .count() as u64;
        let answered_all = ack.received == Some(ack.sets.len() as u64);
        if answered_all && !ack.sets.is_empty() && ack.accepted != Some(accepted_sets) {
            messages.push(format!(
                "AK904 says {} sets accepted; the IK5s accept {accepted_sets}",
                ack.accepted.map_or("no".to_string(), |a| a.to_string())
            ));
        }
        let group = codes.outcome(AckList::Ack, &ack.code);
        let rejected_sets = ack.sets.len() as u64 - accepted_sets;
        let contradiction = match group {
            Some(Outcome::Accepted) => rejected_sets > 0,
            Some(Outcome::Rejected) => accepted_sets > 0,
            _ => false,
        };
        if contradiction {
            messages.push(format!(
                "AK901 {} contradicts the IK5s ({accepted_sets} set(s) accepted, {rejected_sets} not); each set's own IK5 is used",
                ack.code
            ));
        }
        for message in messages {
            self.push(
                self.ack.pos,
                Severity::Invalid,
                Rule::Consistency,
                &message,
                b"AK9",
            );
        }
    }

    fn finding(&mut self, seg: &Segment<'_>, severity: Severity, rule: Rule, message: String) {
        self.issues
            .push(Issue::new(severity, rule, seg.pos(), message).at_segment(seg.id()));
    }

    fn push(&mut self, pos: Position, severity: Severity, rule: Rule, message: &str, id: &[u8]) {
        self.issues
            .push(Issue::new(severity, rule, pos, message.to_string()).at_segment(id));
    }
}

/// A 999's verdict on one acknowledged set: its own IK5 when it has an AK2
/// loop, else the group's AK9 (a 999 may leave out the AK2 loops of a group
/// it accepts or rejects whole). `None` when the group is partly accepted
/// and the set has no loop of its own.
pub fn set_outcome(ack: &FunctionalAck, control: &Control) -> Option<(Outcome, Text)> {
    let codes = AckCodes::builtin();
    if let Some(set) = ack.set(control) {
        return codes
            .outcome(AckList::Ack, &set.code)
            .map(|o| (o, set.code.clone()));
    }
    match codes.outcome(AckList::Ack, &ack.code)? {
        Outcome::Partial => None,
        outcome => Some((outcome, ack.code.clone())),
    }
}
